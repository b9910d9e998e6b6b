"""The Recordings page: projects with their counts, Refresh with progress, walls by role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recordings.models import Project, Recording, SyncRun
from recordings.tests.factories import ProjectFactory, RecordingFactory, SyncRunFactory
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team):
    return ProviderAccountFactory(team=team, provider="respeecher")


def _url(team, name="recordings", **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _projects(account, n):
    Project.objects.bulk_create(
        Project(
            team=account.team,
            account=account,
            remote_id=f"p-{i}",
            name=f"Project {i:04d}",
            fingerprint="0",
            last_recording_at=timezone.now(),
        )
        for i in range(n)
    )


def _page_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(team)).status_code == 200
    return len(queries)


def test_anonymous_people_are_sent_to_log_in(client, team):
    response = client.get(_url(team))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_teams_page_and_runs_are_not_found(owner_client, other_team):
    assert owner_client.get(_url(other_team)).status_code == 404
    run = SyncRunFactory(team=other_team)
    assert (
        owner_client.get(_url(other_team, "recordings_sync_status", sync_id=run.pk)).status_code
        == 404
    )


def test_without_respeecher_the_page_says_to_connect_it(owner_client, team):
    body = owner_client.get(_url(team)).content.decode()
    assert "Connect Respeecher" in body and "Refresh" not in body


def test_with_nothing_mirrored_yet_the_page_says_to_press_refresh(member_client, team, account):
    body = member_client.get(_url(team)).content.decode()
    assert "Press <strong>Refresh</strong>" in body
    assert reverse("recordings_refresh", kwargs={"team": team.slug}) in body


def test_projects_show_their_listed_originals_and_conversions(viewer_client, team, account):
    project = ProjectFactory(team=team, account=account, name="Audiobook")
    originals = RecordingFactory.create_batch(2, project=project)
    for _ in range(3):
        RecordingFactory(project=project, kind=Recording.Kind.CONVERSION, original=originals[0])
    RecordingFactory(project=project, gone_at=timezone.now())  # dropped upstream: not counted
    ProjectFactory(team=team, account=account, name="Dropped", gone_at=timezone.now())

    response = viewer_client.get(_url(team))

    [row] = response.context["projects"]
    assert (row.name, row.original_count, row.conversion_count) == ("Audiobook", 2, 3)
    assert "Dropped" not in response.content.decode()


def test_the_page_costs_the_same_queries_at_5_and_500_projects(owner_client, team, account):
    SyncRunFactory(team=team, account=account, status=SyncRun.Status.DONE)
    _projects(account, 5)
    owner_client.get(_url(team))  # the first visit also remembers the team in the session
    at_5 = _page_queries(owner_client, team)
    Project.objects.all().delete()
    _projects(account, 500)
    assert _page_queries(owner_client, team) == at_5


def test_viewers_see_projects_but_cannot_refresh(viewer_client, team, account):
    ProjectFactory(team=team, account=account, name="Visible to all")
    body = viewer_client.get(_url(team)).content.decode()
    assert "Visible to all" in body
    assert reverse("recordings_refresh", kwargs={"team": team.slug}) not in body
    assert viewer_client.post(_url(team, "recordings_refresh")).status_code == 403
    assert not SyncRun.objects.exists()


def test_refresh_starts_one_run_after_commit_and_shows_its_progress(
    member_client, team, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = member_client.post(
            _url(team, "recordings_refresh"), headers={"HX-Request": "true"}
        )
        again = member_client.post(_url(team, "recordings_refresh"), headers={"HX-Request": "true"})
    assert len(enqueued) == 1 and SyncRun.objects.count() == 1
    run = SyncRun.objects.get()
    for answer in (response, again):
        assert "refreshing" in answer.content.decode()
        assert _url(team, "recordings_sync_status", sync_id=run.pk) in answer.content.decode()


def test_a_finished_run_stops_polling_and_tells_the_list(member_client, team, account):
    run = SyncRunFactory(
        team=team,
        account=account,
        status=SyncRun.Status.DONE,
        message="3 projects",
        finished_at=timezone.now(),
    )
    url = _url(team, "recordings_sync_status", sync_id=run.pk) + "?live=1"
    response = member_client.get(url, headers={"HX-Request": "true"})
    assert "every 1s" not in response.content.decode()
    assert "recordingsSynced" in response["HX-Trigger"]
