"""`manage.py demo` leaves a team that looks lived in once the sandbox answers."""

import io
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import models

from dashboard import demo
from dubbing.models import Dubbing
from jobs import engine
from jobs.models import Job, Status
from teams.models import Provider, ProviderAccount, Team
from voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _demo_team(sandbox_url, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", "--sandbox-url", sandbox_url, stdout=io.StringIO())
    team = Team.objects.get(slug="demo")
    return team, team.memberships.get().user


def test_the_first_start_checks_credits_syncs_imports_and_starts_jobs(
    sandbox_url, control, settings, tmp_path
):
    # The sandbox's seed Respeecher voices cannot speak; one from its marketplace can.
    control.post("/_sandbox/seed", json={"kind": "respeecher.voice", "count": 1}).raise_for_status()
    team, user = _demo_team(sandbox_url, settings, tmp_path)
    demo.liven(team, user)

    accounts = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
    assert all(a.last_check_ok for a in accounts.values())
    assert accounts[Provider.A2E].credits and accounts[Provider.RESPEECHER].credits
    voices = Voice.objects.for_team(team).listed()
    assert {v.provider for v in voices} == set(Provider.values)
    burki = voices.filter(provider=Provider.BURKI)
    assert burki.exists() and all(v.assistant_name for v in burki)
    assert Dubbing.objects.for_team(team).filter(imported=True).exists()

    started = Job.objects.for_team(team).filter(created_by=user)
    assert sorted(started.values_list("kind", flat=True)) == [
        "a2e.dubbing",
        "a2e.dubbing",
        "a2e.tts",
        "a2e.tts",
        "a2e.voice_clone",
        "respeecher.speech",
    ]
    assert {j.status for j in started} == {Status.QUEUED}
    # Speech is done as soon as it is sent: a few rows are finished on the first screen.
    for job in started.filter(kind="a2e.tts"):
        engine.submit(job.pk)
    assert set(started.filter(kind="a2e.tts").values_list("status", flat=True)) == {
        Status.COMPLETED
    }


def test_every_later_start_adds_no_jobs_and_no_voices(sandbox_url, control, settings, tmp_path):
    team, user = _demo_team(sandbox_url, settings, tmp_path)
    demo.liven(team, user)
    jobs, voices = Job.objects.count(), Voice.objects.count()
    demo.liven(team, user)
    assert (Job.objects.count(), Voice.objects.count()) == (jobs, voices)


def test_it_waits_while_a_provider_does_not_answer(settings, tmp_path):
    team, user = _demo_team("http://127.0.0.1:9", settings, tmp_path)
    with pytest.raises(demo.NotReady, match="A2E"):
        demo.liven(team, user)
    assert not Job.objects.exists() and not Voice.objects.exists()


def test_the_first_start_on_make_runs_world_shows_a_teams_work(settings, tmp_path):
    # The sandbox as `make run` starts it: the demo world, marketplace voices included,
    # and none of the seed documents' example records.
    from dubbing.models import Dubbing
    from recordings import options
    from sandbox.server import run_in_thread

    url, stop = run_in_thread(port=0, world="demo", speed=1000, tts_engine="tone")
    try:
        team, user = _demo_team(url, settings, tmp_path)
        demo.liven(team, user)
    finally:
        stop()

    voices = Voice.objects.for_team(team).listed()
    names = set(voices.values_list("name", flat=True))
    assert not names & {"string", "your voice clone name", "Support voice", "Spanish narrator"}
    assert {"Maya, warm narrator", "Olivia Hart", "Clinic greeting, Sara"} <= names
    imported = Dubbing.objects.for_team(team).filter(imported=True)
    assert "test" not in set(imported.values_list("name", flat=True)) and imported.exists()
    convertible = voices.convertible()
    assert convertible.count() >= 2
    for voice in convertible:
        assert len(options.accents(voice)) >= 2 and options.default_style(voice)
    # And one of them speaks the demo's greeting into one of the team's folders.
    started = Job.objects.for_team(team).filter(created_by=user, kind="respeecher.speech")
    assert started.count() == 1


# Keys whose example values in the provider documents are words a page could show.
EXAMPLE_TEXT_KEYS = {"name", "label", "text", "description", "calibration_name", "model_name"}


def example_texts() -> set[str]:
    """The example words of the provider documents (docs/upstream/examples): "string",
    "test", "your voice clone name"..., the text `make run` must never show."""
    found = set()

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in EXAMPLE_TEXT_KEYS and value.strip():
            found.add(value)

    examples = Path(django_settings.BASE_DIR) / "docs" / "upstream" / "examples"
    for path in examples.glob("*.json"):
        walk(json.loads(path.read_text()))
    return found


def _mirrored_texts():
    """Every text the demo team's rows hold, payloads included (Details print them)."""

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)
        elif isinstance(value, str):
            yield value

    for app in ("voices", "dubbing", "recordings", "avatars", "jobs", "teams", "activity"):
        for model in apps.get_app_config(app).get_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField | models.JSONField)
            ]
            for row in model.objects.values_list(*[f.attname for f in fields]):
                for value in row:
                    yield from walk(value)


def test_make_run_mirrors_no_example_text_from_the_provider_documents(settings, tmp_path):
    from avatars import lookups
    from recordings.sync import sync_account
    from sandbox.server import run_in_thread

    examples = example_texts()
    assert {"string", "test", "your voice clone name", "Spanish narrator"} <= examples
    url, stop = run_in_thread(port=0, world="demo", speed=1000, tts_engine="tone")
    try:
        team, user = _demo_team(url, settings, tmp_path)
        demo.liven(team, user)
        accounts = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
        sync_account(accounts[Provider.RESPEECHER], full=True)
        avatar_names = [a["name"] for a in lookups.avatars(accounts[Provider.A2E])]
    finally:
        stop()

    words = [re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE) for text in examples]
    texts = [*_mirrored_texts(), *avatar_names]
    assert len(texts) > 100  # voices, takes, dubbings and their payloads were mirrored
    shown = [(w.pattern, t) for t in texts for w in words if w.search(t)]
    assert shown == []


@pytest.mark.s3
def test_with_a_bucket_the_demo_keeps_its_files_there_and_none_under_media_root(
    settings, tmp_path, bucket, run_to_the_end
):
    # `make run` with S3_BUCKET set: the demo's sample upload and every result it copies.
    from core.tests.s3 import PREFIX, media_root_files
    from jobs.models import InputFile, JobFile
    from sandbox.server import run_in_thread

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"  # providers fetch from the bucket
    url, stop = run_in_thread(port=0, world="demo", speed=1000, tts_engine="tone")
    try:
        team, user = _demo_team(url, settings, tmp_path)
        demo.liven(team, user)
        started = Job.objects.for_team(team).filter(created_by=user)
        for job in started.filter(kind__in=("a2e.tts", "a2e.voice_clone")):
            job = run_to_the_end(job)
            assert job.status == Status.COMPLETED, job.failure_message
    finally:
        stop()

    kept = {f.file.name for f in InputFile.objects.filter(team=team)}
    kept |= {f.file.name for f in JobFile.objects.filter(job__team=team)}
    assert len(kept) >= 3  # the clone's sample and two speeches' audio
    assert {f"{PREFIX}/{name}" for name in kept} <= set(bucket.objects())
    assert media_root_files(settings) == []
