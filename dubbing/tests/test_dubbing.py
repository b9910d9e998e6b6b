"""Dubbing one source into several languages: live jobs grouped in a batch, results kept
here; bad sources and choices are refused on the form with no upstream call."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dubbing.models import Batch, Dubbing
from jobs.models import InputFile, Job, Status
from jobs.tests.audio import wav


def _new(team):
    return reverse("dubbing_new", kwargs={"team": team.slug})


def _writes(control):
    log = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()["requests"]
    return [r for r in log if r["method"] != "GET"]


@pytest.mark.integration
def test_one_upload_dubbed_into_three_languages_completes_and_is_kept(
    transactional_db, live_server, settings, team, member, a2e, control, run_to_the_end
):
    settings.PUBLIC_BASE_URL = live_server.url
    client = Client()
    client.force_login(member.user)
    response = client.post(
        _new(team),
        {
            "name": "Trailer",
            "source": SimpleUploadedFile("trailer.wav", wav(3), "audio/wav"),
            "source_lang": "en",
            "targets": ["de", "fr", "es"],
            "num_speakers": 1,
        },
    )
    assert response.status_code == 302
    batch = Batch.objects.get(team=team)
    jobs = [d.job for d in batch.dubbings.all()]
    assert sorted(d.target_lang for d in batch.dubbings.all()) == ["de", "es", "fr"]
    for job in jobs:
        job = run_to_the_end(job)
        assert job.status == Status.COMPLETED, job.failure_message
        (result,) = job.files.all()
        assert result.size > 0
    page = client.get(reverse("dubbing", kwargs={"team": team.slug})).content.decode()
    assert "3 of 3 done" in page and page.count("<audio") == 3


BAD = {
    "unreachable url": (
        {"source_url": "http://no-such-host.invalid/clip.mp4"},
        "cannot be resolved",
    ),
    "private url": ({"source_url": "http://10.1.2.3/clip.mp4"}, "a private address"),
    "not audio or video": (
        {"source": SimpleUploadedFile("notes.mp4", b"plain words, no media" * 20)},
        "is not wav or mp3",
    ),
    "empty file": (
        {"source": SimpleUploadedFile("empty.mp4", b"")},
        "The submitted file is empty.",
    ),
    "unknown language": ({"targets": ["xx"]}, "Select a valid choice"),
    "zero speakers": ({"num_speakers": 0}, "greater than or equal to 1"),
    "no source": ({}, "Give the source as a file or as a link"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_explained_and_nothing_is_sent(case, member_client, team, a2e, control):
    member_client.get(_new(team))  # reads (and caches) A2E's languages
    control.delete("/_sandbox/requests")
    changes, message = BAD[case]
    data = {"name": "Clip", "source_lang": "auto", "targets": ["de"], "num_speakers": 1}
    data.update(changes)
    if case not in ("unreachable url", "private url", "no source") and "source" not in changes:
        data["source"] = SimpleUploadedFile("ok.wav", wav(2), "audio/wav")
    response = member_client.post(_new(team), data)
    assert message in response.content.decode()
    assert not Batch.objects.exists() and not Job.objects.exists()
    assert not InputFile.objects.exists()
    assert control.get("/_sandbox/requests").json()["requests"] == []


@pytest.mark.django_db
def test_an_over_size_upload_is_stopped_as_it_arrives(member, team, a2e, control, settings):
    settings.DUBBING_MAX_UPLOAD_MB = 1
    client = Client(enforce_csrf_checks=True)  # the cap's CSRF path is the real one
    client.force_login(member.user)
    client.get(_new(team))
    control.delete("/_sandbox/requests")
    # About 1.2 MB: past the file cap, inside the body cap (file cap + the form's slack),
    # so it is the upload handler that stops it as it streams in.
    big = SimpleUploadedFile("big.wav", wav(38, rate=16000), "audio/wav")
    response = client.post(
        _new(team),
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,  # before the file
            "name": "Big",
            "source": big,
            "source_lang": "auto",
            "targets": ["de"],
            "num_speakers": 1,
        },
    )
    body = response.content.decode()
    # Said by the upload handler, which stopped the body: not by the form afterwards.
    assert "The upload was stopped: big.wav is larger than 1 MB." in body
    assert 'value="Big"' in body  # what did arrive is kept in the form
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert _writes(control) == []


def test_the_upload_cap_keeps_csrf_protection(member, team, a2e):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    response = client.post(_new(team), {"name": "No token", "targets": ["de"]})
    assert response.status_code == 403 and not Batch.objects.exists()


@pytest.mark.django_db
def test_without_a2e_the_pages_say_to_connect_it(member_client, team):
    for url in (reverse("dubbing", kwargs={"team": team.slug}), _new(team)):
        assert "Connect A2E" in member_client.get(url).content.decode()


@pytest.mark.django_db
def test_another_teams_dubbing_is_not_listed(member_client, team, other_team, a2e):
    from jobs.tests.factories import JobFactory

    job = JobFactory(team=other_team, label="Their secret trailer")
    batch = Batch.objects.create(team=other_team, name="Their secret trailer")
    Dubbing.objects.create(team=other_team, batch=batch, job=job, name="x", target_lang="de")
    body = member_client.get(reverse("dubbing", kwargs={"team": team.slug})).content.decode()
    assert "Their secret trailer" not in body


@pytest.mark.django_db
@pytest.mark.integration
def test_importing_records_costs_the_same_queries_on_every_page(team, a2e, control, capsys):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dubbing.imports import import_records

    control.post(
        "/_sandbox/seed", json={"kind": "a2e.dubbing", "count": 450, "status": "completed"}
    ).raise_for_status()
    marks = []
    with CaptureQueriesContext(connection) as queries:
        result = import_records(a2e, page_size=100, on_page=lambda page: marks.append(len(queries)))
    per_page = [b - a for a, b in zip([0, *marks], marks, strict=False)]
    assert result.imported == result.seen == 451  # the seed document's record too
    assert len(set(per_page[:4])) == 1, per_page  # full pages: equal, whatever the number
    assert Dubbing.objects.filter(team=team, imported=True).count() == 451
    assert Job.objects.filter(team=team, results_state="pending").count() > 0
    call_command("sync_dubbing", "--team", team.slug)
    assert "451 records on 5 pages: 0 new" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_retried_dubbing_stays_in_its_batch(member_client, team, a2e):
    from dubbing.kinds import A2EDubbing

    batch = Batch.objects.create(team=team, name="Promo", source_url="https://x/a.mp4")
    job = A2EDubbing.start(batch=batch, account=a2e, target="de", target_label="German", by=None)
    Job.objects.filter(pk=job.pk).update(status=Status.FAILED)
    member_client.post(reverse("job_retry", kwargs={"team": team.slug, "job_id": job.pk}))
    retried = Job.objects.get(retry_of=job)
    assert retried.dubbing.batch == batch and retried.dubbing.target_lang == "de"
