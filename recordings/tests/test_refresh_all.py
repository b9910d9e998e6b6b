"""Refresh everything from the Recordings page: "Read every project again" carries
`full` through the run to the sync, which reads every project's tree (the sandbox's
request log shows it), bringing a star made at Respeecher that plain Refresh skips."""

import pytest
from django.urls import reverse

from recordings import runs, sync
from recordings.models import Recording, SyncRun
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]


def _refresh(client, team, capture, **data):
    with capture(execute=False):
        answer = client.post(reverse("recordings_refresh", kwargs={"team": team.slug}), data)
    assert answer.status_code == 302
    run = SyncRun.objects.order_by("-pk").first()
    assert runs.execute(run.pk) == "done"
    run.refresh_from_db()
    return run


def _tree_reads(requests_log) -> list[str]:
    return [r["query"] for r in requests_log() if r["path"].endswith("/api/folders")]


def test_reading_every_project_again_brings_a_star_plain_refresh_skips(
    member_client, team, respeecher, seed, requests_log, django_capture_on_commit_callbacks
):
    folder = seed("respeecher.folder", 1)[0]
    [take_id] = seed("respeecher.recording", 1, folder_id=folder)
    sync.sync_account(respeecher)
    client_for(respeecher).update_recording(take_id, starred=True)
    page = member_client.get(reverse("recordings", kwargs={"team": team.slug})).content.decode()
    assert 'name="full" value="1"' in page and "Read every project again" in page
    requests_log()

    plain = _refresh(member_client, team, django_capture_on_commit_callbacks)
    assert not plain.full and _tree_reads(requests_log) == []
    assert not Recording.objects.get(remote_id=take_id).starred

    full = _refresh(member_client, team, django_capture_on_commit_callbacks, full="1")
    assert full.full and full.projects_read == full.projects
    assert len(_tree_reads(requests_log)) == full.projects
    assert Recording.objects.get(remote_id=take_id).starred


def test_asking_for_everything_while_a_refresh_waits_makes_it_full(
    member_client, team, respeecher, django_capture_on_commit_callbacks
):
    url = reverse("recordings_refresh", kwargs={"team": team.slug})
    with django_capture_on_commit_callbacks(execute=False):
        member_client.post(url)
        member_client.post(url, {"full": "1"})
    run = SyncRun.objects.get()
    assert run.full
    html = member_client.get(reverse("recordings", kwargs={"team": team.slug})).content.decode()
    assert "reading every project again…" in html
