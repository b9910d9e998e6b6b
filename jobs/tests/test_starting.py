"""A job starts through its kind: typed parameters in, the same type read back."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from dubbing.kinds import A2EDubbing
from dubbing.models import Batch, Dubbing
from jobs import engine
from jobs.kinds import registered
from jobs.models import InputFile, Job, Status
from recordings.models import Arrival
from recordings.options import Target
from recordings.tests.factories import FolderFactory
from recordings.uploading import RespeecherSpeech, RespeecherUpload
from teams.tests.factories import ProviderAccountFactory
from voices import starting
from voices.kinds import A2EVoiceClone, BurkiClonedVoice
from voices.models import Generation
from voices.tests.factories import VoiceFactory


@pytest.fixture
def a2e(team):
    return ProviderAccountFactory(team=team, provider="a2e")


def test_a_dubbing_starts_with_its_row_and_reads_back_what_it_was_given(team, member, a2e):
    batch = Batch.objects.create(
        team=team, name="Trailer", source_url="https://cdn.example/t.mp4", num_speakers=2
    )
    job = A2EDubbing.start(
        batch=batch, account=a2e, target="de", target_label="German", by=member.user
    )
    job.refresh_from_db()
    assert (job.kind, job.status, job.label) == ("a2e.dubbing", Status.QUEUED, "Trailer → German")
    assert Dubbing.objects.get(job=job).batch == batch
    params = A2EDubbing.params(job)
    assert (params.target_lang, params.source_url, params.num_speakers) == (
        "de",
        "https://cdn.example/t.mp4",
        2,
    )
    assert params.name == "Trailer (de)"


def test_a_kind_refuses_another_kinds_params_and_another_providers_account(team, member, a2e):
    params = A2EDubbing.Params(target_lang="de")
    with pytest.raises(TypeError):
        A2EVoiceClone.create(account=a2e, by=member.user, label="x", params=params)
    burki = ProviderAccountFactory(team=team, provider="burki")
    with pytest.raises(ValueError, match="runs on a2e"):
        A2EDubbing.create(account=burki, by=member.user, label="x", params=params)
    assert not Job.objects.exists()


def test_a_clone_without_any_sample_is_refused_before_anything_is_written(member, a2e):
    with pytest.raises(ValueError, match="at least one sample"):
        A2EVoiceClone.start(account=a2e, by=member.user, name="Ann", gender="female", language="en")
    assert not Job.objects.exists()


def test_params_read_back_leave_out_keys_the_type_no_longer_has(team, a2e):
    job = Job.objects.create(
        team=team,
        account=a2e,
        provider="burki",
        kind=BurkiClonedVoice.name,
        params={"assistant_id": 7, "provider": "elevenlabs", "name": "Ann", "gone": 1},
    )
    params = BurkiClonedVoice.params(job)
    assert (params.assistant_id, params.language) == (7, "")


def test_respeecher_speech_writes_its_history_row_with_the_voice(team, member):
    account = ProviderAccountFactory(team=team, provider="respeecher")
    voice = VoiceFactory(team=team, account=account, provider="respeecher", remote_id="v-1")
    job = starting.respeecher_speech(
        target=Target(voice=voice, narration_style_id="s-2", semitones=-3),
        by=member.user,
        text="Hello there",
        folder_id="f-1",
        calibration_id="cal-1",
    )
    generation = Generation.objects.get(job=job)
    assert (generation.voice, generation.text, generation.created_by) == (
        voice,
        "Hello there",
        member.user,
    )
    params = RespeecherSpeech.params(job)
    assert (params.narration_style_id, params.semitones, params.calibration_id) == (
        "s-2",
        -3,
        "cal-1",
    )


def test_a_clone_and_originals_into_a_folder_start_with_their_rows(team, member, a2e):
    clone = A2EVoiceClone.start(
        account=a2e,
        by=member.user,
        name="Ann",
        gender="female",
        language="en",
        sample_urls=["https://cdn.example/ann.wav"],
    )
    assert (clone.clone.name, clone.clone.voice, clone.clone.created_by) == (
        "Ann",
        None,
        member.user,
    )
    folder = FolderFactory(project__team=team)
    stored = InputFile.objects.create(
        team=team,
        file=ContentFile(b"RIFF....WAVEfmt ", name="take.wav"),
        original_name="take.wav",
        size=16,
        sha256="0" * 64,
    )
    upload = RespeecherUpload.start(folder=folder, by=member.user, stored=stored)
    spoken = RespeecherSpeech.start(folder=folder, by=member.user, text="Once upon a time.")
    assert [(a.job, a.kind) for a in folder.arrivals.all()] == [
        (upload, Arrival.Kind.UPLOAD),
        (spoken, Arrival.Kind.SPEECH),
    ]
    # A failed one retried shows in the same folder; so does a retried clone its row.
    Job.objects.filter(pk__in=[upload.pk, clone.pk]).update(status=Status.FAILED)
    with transaction.atomic():
        again, _ = engine.retry(Job.objects.get(pk=upload.pk))
        clone_again, _ = engine.retry(Job.objects.get(pk=clone.pk))
    assert again.arrival.folder == folder and clone_again.clone.name == "Ann"


def test_speech_in_a_voice_has_its_history_row_and_no_folders(db):
    account = ProviderAccountFactory(provider="respeecher")
    voice = VoiceFactory(team=account.team, account=account, remote_id="v-1")
    job = starting.respeecher_speech(
        target=Target(voice=voice, narration_style_id="s-1"), by=None, text="Hi", folder_id="f"
    )
    assert job.generation.voice == voice and not Arrival.objects.exists()


def test_a_job_is_created_through_its_kind_only():
    """The engine writes a job for a kind alone (JobKind.create, and a retry): outside
    jobs/, nothing calls it, tests and bench included; they start jobs through kinds."""
    assert not hasattr(engine, "create")
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in ("jobs", ".venv", "var", "node_modules"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = (
                isinstance(node, ast.Attribute)
                and node.attr in ("create", "_create")
                and ast.unparse(node.value) in ("engine", "jobs.engine")
            )
            imported = isinstance(node, ast.ImportFrom) and node.module == "jobs.engine"
            if imported and any(a.name in ("create", "_create") for a in node.names):
                called = True
            if called:
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def _job_writes(tree: ast.AST) -> list[int]:
    """Lines calling engine._create(...) or Job.objects.create(...)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("create", "_create")
        and ast.unparse(node.func.value) in {"engine", "Job.objects"}
    ]


def _starts(tree: ast.AST) -> list[int]:
    """Lines calling a kind's (or anything's) start: `X.start(...)`, `X.start_in_voice(...)`."""
    kind_classes = {type(kind).__name__ for kind in registered().values()}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (
            node.func.attr == "start"
            or node.func.attr.startswith("start_")
            and ast.unparse(node.func.value) in kind_classes
        )
    ]


def test_no_view_or_form_writes_or_starts_a_job_itself():
    """Views and forms never write a job nor name a kind: a service module of their app
    (dubbing.starting, recordings.ordering, voices.starting...) starts it through its kind."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in [*root.glob("*/views.py"), *root.glob("*/forms.py")]:
        tree = ast.parse(path.read_text())
        offenders += [f"{path.relative_to(root)}:{line}" for line in _job_writes(tree)]
        offenders += [f"{path.relative_to(root)}:{line}" for line in _starts(tree)]
        offenders += [
            f"{path.relative_to(root)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword)
            and node.arg == "kind"
            and isinstance(node.value, ast.Constant)
        ]
    assert offenders == []
