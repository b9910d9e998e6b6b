"""One dubbing's page, deleting at A2E first (one or many), bulk retry, and the list's
filters by person and date. Team walls hold on every one of them."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dubbing.models import Batch, Dubbing
from jobs.models import InputFile, Job, JobEvent, JobFile, Status
from jobs.tests.factories import JobFactory, JobFileFactory

pytestmark = pytest.mark.django_db


def _seeded(control, status="completed", count=1):
    seeded = control.post(
        "/_sandbox/seed", json={"kind": "a2e.dubbing", "count": count, "status": status}
    )
    seeded.raise_for_status()
    return seeded.json()["ids"]


def _upstream_ids(a2e):
    from teams.connection import client_for

    return {d.id for d in client_for(a2e).iter_dubbings(page_size=100)}


def _dubbing(team, account, *, remote_id, status=Status.COMPLETED, batch=None, target="de", **kw):
    job = JobFactory(
        team=team,
        account=account,
        remote_id=remote_id,
        status=status,
        label=f"Clip → {target}",
        **kw,
    )
    return Dubbing.objects.create(
        team=team, batch=batch, job=job, name="Clip", target_lang=target, remote_id=remote_id
    )


def _page(d):
    return reverse("dubbing_detail", kwargs={"team": d.team.slug, "job_id": d.job_id})


def _source(team):
    return InputFile.objects.create(
        team=team,
        file=ContentFile(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, name="talk.wav"),
        original_name="talk.wav",
        content_type="audio/wav",
        size=52,
        sha256="0" * 64,
        duration=12.0,
    )


def test_the_page_plays_source_and_result_and_says_what_was_asked(member_client, team, a2e):
    batch = Batch.objects.create(
        team=team, name="Clip", source=_source(team), source_lang="en", num_speakers=2
    )
    d = _dubbing(team, a2e, remote_id="r1", batch=batch, remote={"duration": 12})
    JobFileFactory(job=d.job)
    body = member_client.get(_page(d)).content.decode()
    source = reverse("dubbing_source", kwargs={"team": team.slug, "job_id": d.job_id})
    assert f'<audio controls preload="metadata" src="{source}"' in body
    assert "/jobs/files/" in body and "?download=1" in body
    assert "English → German" in body and "<dd>2</dd>" in body and "12 s" in body
    served = member_client.get(source)
    assert b"".join(served.streaming_content).startswith(b"RIFF")
    # An upload is served like a result: typed by its bytes, never able to script.
    assert (served["Content-Type"], served["Content-Security-Policy"]) == ("audio/wav", "sandbox")


def test_a_failed_dubbing_shows_a2es_reason_and_offers_a_retry_in_its_batch(
    member_client, team, a2e
):
    batch = Batch.objects.create(team=team, name="Clip")
    d = _dubbing(
        team,
        a2e,
        remote_id="r1",
        batch=batch,
        status=Status.FAILED,
        remote_message="Source audio is silent",
    )
    body = member_client.get(_page(d)).content.decode()
    assert "Source audio is silent" in body and ">Retry</button>" in body
    retry = reverse("job_retry", kwargs={"team": team.slug, "job_id": d.job_id})
    response = member_client.post(retry)
    new = Job.objects.get(retry_of=d.job)
    assert response["Location"] == _page(Dubbing.objects.get(job=new))
    assert Dubbing.objects.get(job=new).batch == batch


def test_a_running_dubbing_can_be_canceled_which_deletes_it_at_a2e(
    member_client, team, a2e, control
):
    (rid,) = _seeded(control, status="processing")
    d = _dubbing(team, a2e, remote_id=rid, status=Status.PROCESSING)
    assert ">Cancel</button>" in member_client.get(_page(d)).content.decode()
    member_client.post(reverse("job_cancel", kwargs={"team": team.slug, "job_id": d.job_id}))
    assert Job.objects.get(pk=d.job_id).status == Status.CANCELED
    assert rid not in _upstream_ids(a2e)


def test_deleting_asks_first_then_deletes_at_a2e_and_here(
    member_client, team, a2e, control, django_capture_on_commit_callbacks
):
    (rid,) = _seeded(control)
    batch = Batch.objects.create(team=team, name="Clip", source=_source(team))
    d = _dubbing(team, a2e, remote_id=rid, batch=batch)
    stored = JobFileFactory(job=d.job)
    path = stored.file.path
    url = reverse("dubbing_delete", kwargs={"team": team.slug, "job_id": d.job_id})
    confirm = member_client.get(url).content.decode()
    assert "deleted at A2E first" in confirm and Dubbing.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url)
    assert response.status_code == 302
    assert rid not in _upstream_ids(a2e)
    assert not Dubbing.objects.exists() and not Job.objects.exists()
    assert not JobFile.objects.exists() and not Batch.objects.exists()
    assert not InputFile.objects.exists()
    import os

    assert not os.path.exists(path)


def test_when_a2e_refuses_the_dubbing_is_kept_and_the_reason_shown(
    member_client, team, a2e, control
):
    (rid,) = _seeded(control)
    d = _dubbing(team, a2e, remote_id=rid)
    control.post(
        "/_sandbox/faults", json={"path": "/a2e/*", "method": "DELETE", "status": {"500": 1}}
    ).raise_for_status()
    url = reverse("dubbing_delete", kwargs={"team": team.slug, "job_id": d.job_id})
    response = member_client.post(url, follow=True)
    assert "A2E did not delete" in response.content.decode()
    assert Dubbing.objects.filter(pk=d.pk).exists()
    # A record A2E no longer has but will not say so can still be removed here.
    control.delete("/_sandbox/faults")
    member_client.post(url, {"here_only": "1"})
    assert not Dubbing.objects.filter(pk=d.pk).exists()


def test_bulk_retry_sends_only_the_failed_again(member_client, team, a2e):
    batch = Batch.objects.create(team=team, name="Clip")
    failed = _dubbing(team, a2e, remote_id="r1", batch=batch, status=Status.FAILED)
    done = _dubbing(team, a2e, remote_id="r2", batch=batch, target="fr")
    member_client.post(
        reverse("dubbing_bulk", kwargs={"team": team.slug}),
        {"action": "retry", "ids": [failed.job_id, done.job_id]},
    )
    assert list(Job.objects.filter(retry_of__isnull=False).values_list("retry_of", flat=True)) == [
        failed.job_id
    ]
    assert batch.dubbings.count() == 3


def test_bulk_delete_confirms_then_deletes_each_at_a2e(member_client, team, a2e, control):
    ids = _seeded(control, count=2)
    chosen = [
        _dubbing(team, a2e, remote_id=rid, target=t)
        for rid, t in zip(ids, ["de", "fr"], strict=True)
    ]
    bulk = reverse("dubbing_bulk", kwargs={"team": team.slug})
    picked = [d.job_id for d in chosen]
    page = member_client.post(bulk, {"action": "delete", "ids": picked}).content.decode()
    assert "Delete 2 dubbings?" in page and Dubbing.objects.count() == 2
    member_client.post(bulk, {"action": "delete", "ids": picked, "confirmed": "1"})
    assert not Dubbing.objects.exists()
    assert not set(ids) & _upstream_ids(a2e)


def test_the_list_filters_by_who_started_it_and_by_date(member_client, member, team, a2e):
    mine = _dubbing(team, a2e, remote_id="r1", created_by=member.user)
    theirs = _dubbing(team, a2e, remote_id="r2", target="fr")
    Job.objects.filter(pk=theirs.job_id).update(created_at=timezone.now() - timedelta(days=10))
    url = reverse("dubbing", kwargs={"team": team.slug})
    by_me = member_client.get(url, {"who": member.user.pk}).content.decode()
    assert mine.job.label in by_me and theirs.job.label not in by_me
    week = (timezone.now() - timedelta(days=7)).date().isoformat()
    recent = member_client.get(url, {"since": week}).content.decode()
    assert mine.job.label in recent and theirs.job.label not in recent
    older = member_client.get(url, {"until": week}).content.decode()
    assert theirs.job.label in older and mine.job.label not in older
    assert member_client.get(url, {"since": "2026-02-31"}).status_code == 200


def test_another_teams_dubbing_is_a_404_on_every_page(member_client, team, other_team):
    d = _dubbing(other_team, None, remote_id="r1")
    for name in ("dubbing_detail", "dubbing_source", "dubbing_delete"):
        url = reverse(name, kwargs={"team": team.slug, "job_id": d.job_id})
        assert member_client.get(url).status_code == 404
    member_client.post(
        reverse("dubbing_bulk", kwargs={"team": team.slug}),
        {"action": "delete", "ids": [d.job_id], "confirmed": "1"},
    )
    assert Dubbing.objects.filter(pk=d.pk).exists()


def test_a_viewer_sees_the_page_but_cannot_delete(viewer_client, team, a2e):
    d = _dubbing(team, a2e, remote_id="r1")
    body = viewer_client.get(_page(d)).content.decode()
    assert "Delete…" not in body
    url = reverse("dubbing_delete", kwargs={"team": team.slug, "job_id": d.job_id})
    assert viewer_client.post(url).status_code == 403
    assert Dubbing.objects.exists()


def test_an_upload_sent_with_progress_keeps_its_message_for_the_next_page(member_client, team, a2e):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jobs.tests.audio import wav

    response = member_client.post(
        reverse("dubbing_new", kwargs={"team": team.slug}),
        {
            "name": "Trailer",
            "source": SimpleUploadedFile("trailer.wav", wav(2), "audio/wav"),
            "source_lang": "auto",
            "targets": ["de"],
            "num_speakers": 1,
        },
        headers={"X-Upload-Progress": "1"},
    )
    # The script is told where to go instead of following a redirect itself, which
    # would use up the message before the person's page loads.
    assert response.status_code == 204
    listing = reverse("dubbing", kwargs={"team": team.slug})
    assert response["X-Location"] == listing
    assert "Dubbing into 1 language." in member_client.get(listing).content.decode()


def test_a_batchs_progress_is_asked_again_when_a_row_finishes(member_client, team, a2e):
    batch = Batch.objects.create(team=team, name="Clip")
    first = _dubbing(team, a2e, remote_id="r1", batch=batch, status=Status.PROCESSING)
    _dubbing(team, a2e, remote_id="r2", batch=batch, target="fr", status=Status.PROCESSING)
    page = member_client.get(reverse("dubbing", kwargs={"team": team.slug})).content.decode()
    progress = reverse("dubbing_batch_progress", kwargs={"team": team.slug, "batch_id": batch.pk})
    assert f'hx-get="{progress}" hx-trigger="jobFinished from:body"' in page
    Job.objects.filter(pk=first.job_id).update(status=Status.COMPLETED)
    assert "1 of 2 done" in member_client.get(progress).content.decode()
    Job.objects.filter(dubbing__batch=batch).update(status=Status.COMPLETED)
    settled = member_client.get(progress).content.decode()
    assert "2 of 2 done" in settled and "hx-get" not in settled  # nothing more to ask


@pytest.mark.parametrize(
    ("status", "results", "reason"),
    [
        (Status.SUBMITTING, "none", "being sent to A2E right now"),
        (Status.COMPLETED, "pending", "being copied here right now"),
    ],
)
def test_a_dubbing_a_worker_is_busy_with_is_not_deleted_under_it(
    member_client, team, a2e, control, status, results, reason
):
    (rid,) = _seeded(control)
    d = _dubbing(team, a2e, remote_id=rid, status=status, results_state=results)
    url = reverse("dubbing_delete", kwargs={"team": team.slug, "job_id": d.job_id})
    response = member_client.post(url, follow=True)
    assert reason in response.content.decode()
    assert Dubbing.objects.filter(pk=d.pk).exists() and rid in _upstream_ids(a2e)


def test_a_dubbing_not_yet_sent_is_deleted_and_never_sent(member_client, team, a2e, control):
    from jobs import engine

    d = _dubbing(team, a2e, remote_id="", status=Status.QUEUED)
    job_id = d.job_id
    url = reverse("dubbing_delete", kwargs={"team": team.slug, "job_id": job_id})
    member_client.post(url)
    assert not Job.objects.filter(pk=job_id).exists()
    assert engine.submit(job_id) == "not-due"  # the submit message that was on its way
    log = control.get("/_sandbox/requests", params={"method": "POST"}).json()["requests"]
    assert [r for r in log if "startDubbing" in r["path"]] == []


def test_retrying_twice_sends_one_retry(member_client, team, a2e):
    batch = Batch.objects.create(team=team, name="Clip")
    failed = _dubbing(team, a2e, remote_id="r1", batch=batch, status=Status.FAILED)
    bulk = reverse("dubbing_bulk", kwargs={"team": team.slug})
    for _ in range(2):  # a second press, or a second bulk retry of the same selection
        member_client.post(bulk, {"action": "retry", "ids": [failed.job_id]})
    member_client.post(reverse("job_retry", kwargs={"team": team.slug, "job_id": failed.job_id}))
    assert Job.objects.filter(retry_of=failed.job).count() == 1
    assert batch.dubbings.count() == 2


def test_the_source_and_result_players_are_named_for_screen_readers(member_client, team, a2e):
    from dashboard.tests.a11y import elements, unnamed_media

    batch = Batch.objects.create(team=team, name="Clip", source=_source(team), source_lang="en")
    d = _dubbing(team, a2e, remote_id="r1", batch=batch)
    JobFileFactory(job=d.job, content_type="video/mp4")
    body = member_client.get(_page(d)).content.decode()
    labels = [attrs.get("aria-label") for _tag, attrs, _text in elements(body, "audio", "video")]
    assert not unnamed_media(body)
    assert labels == ["Source of Clip", "Clip dubbed into German"]


def test_a_dubbing_is_saved_under_its_title_and_language(owner_client, team):
    from django.core.files.base import ContentFile

    from dubbing.models import Dubbing
    from jobs.tests.factories import JobFactory, JobFileFactory

    job = JobFactory(team=team, kind="a2e.dubbing", label="Spring teaser → Spanish")
    Dubbing.objects.create(team=team, job=job, name="Spring teaser", target_lang="es")
    stored = JobFileFactory(
        job=job, file=ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 32, name="r1.mp4")
    )
    url = reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk})
    response = owner_client.get(url + "?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="Spring teaser (Spanish).mp4"'


def test_a_result_is_saved_under_its_jobs_label_made_safe(owner_client, team):
    from jobs.tests.factories import JobFactory, JobFileFactory

    stored = JobFileFactory(job=JobFactory(team=team, label="../Intro: take/2"))
    url = reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk})
    response = owner_client.get(url + "?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="_Intro_ take_2.wav"'


def test_a_running_dubbings_page_asks_as_one_region_and_keeps_the_source(member_client, team, a2e):
    d = _dubbing(team, a2e, remote_id="r1", status=Status.PROCESSING)
    body = member_client.get(_page(d)).content.decode()
    assert f'hx-get="{_page(d)}?seen=processing"' in body
    assert body.count('hx-trigger="every 2s"') == 1  # the row inside does not ask on its own
    assert ">Cancel</button>" in body
    assert f'id="dubbing-source-{d.job_id}" hx-preserve' in body  # a playing source keeps on


def test_the_live_part_of_a_dubbing_that_just_ended_changes_whole_and_stops(
    member_client, team, a2e
):
    d = _dubbing(team, a2e, remote_id="r1", announced=Status.COMPLETED)
    Job.objects.get(pk=d.job_id).events.create(status=Status.COMPLETED, source="poll")
    stored = JobFileFactory(job=d.job)
    response = member_client.get(_page(d), {"seen": "processing"}, HTTP_HX_REQUEST="true")
    part = response.content.decode()
    assert response.status_code == 286
    assert "<html" not in part and "hx-trigger" not in part
    assert '<span class="pill pill-completed">Completed</span>' in part
    assert "Cancel" not in part
    assert reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk}) in part
    assert "Done at A2E" in part.split('<ol class="timeline">')[1]
    assert "jobFinished" in response["HX-Trigger"]


def test_a_dubbings_page_has_one_title_and_one_details(owner_client, team, a2e):
    d = _dubbing(team, a2e, remote_id="r1", status=Status.PROCESSING)
    body = owner_client.get(_page(d)).content.decode()
    assert body.count(">Details<") == 1 and "<summary>Details</summary>" in body
    # The title names the dubbing and its languages; no row repeats it by the job's label.
    assert body.count("<h1>") == 1 and "Clip → de" not in body


def test_a_failed_dubbings_reason_is_said_once(member_client, team, a2e_account):
    d = _dubbing(
        team, a2e_account, remote_id="r1", status=Status.FAILED, remote_message="Source is silent"
    )
    JobEvent.objects.create(
        job=d.job, status=Status.FAILED, message="Source is silent", source=JobEvent.Source.POLL
    )
    body = member_client.get(_page(d)).content.decode()
    shown = re.sub(r'(?s)<details class="card raw">.*?</details>', "", body)  # collapsed
    assert shown.count("Source is silent") == 1
