"""The demo team made lived-in: what a person's first clicks would do, done for them
once the sandbox answers (credits, voices, dubbing records, a few jobs)."""

import io
import math
import struct
import wave

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from dubbing import imports, starting
from dubbing.lookups import languages_for
from jobs import inputs
from jobs.models import Job
from providers import UpstreamError
from recordings.options import Target, narration_styles
from teams.connection import check_connection
from teams.models import Provider, ProviderAccount
from voices import lookups, runs
from voices import starting as voices_starting
from voices.forms import A2E_SAMPLE_RULES
from voices.kinds import A2ETextToSpeech, A2EVoiceClone
from voices.models import Kind, Voice

# The demo's source clip: long enough for A2E's clone rules (15-60 s) and for its
# dubbings to be seen moving on the first screen (the sandbox dubs in the clip's length).
CLIP_SECONDS = 30
GREETINGS = (
    "Welcome to Voxboard. Every voice your team pays for, in one place.",
    "This speech was made by the demo when it started.",
)


class NotReady(Exception):
    """A provider did not answer yet (the sandbox is still starting)."""


def check_credits(linked: dict[str, ProviderAccount]) -> None:
    """Check every account as its Check button does (credits and all); raise NotReady
    while one does not answer."""
    for account in linked.values():
        if not check_connection(account).last_check_ok:
            raise NotReady(f"{account.get_provider_display()}: {account.last_check_message}")


def liven(team, user) -> list[str]:
    """Check credits, refresh every provider's voices, import A2E's dubbing records, and
    the first time only start a few jobs. Each step is the one a click takes; each is
    safe to repeat (a refresh with nothing new writes nothing, an import skips what it
    has). Returns a line per step, for the log."""
    linked = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
    check_credits(linked)
    done = ["credits checked"]
    for account in linked.values():
        run, _ = runs.request_sync(account, user=user)
        runs.execute(run.pk)  # here, not later: the jobs below need the voices
    done.append("voices refreshed")
    if Provider.A2E in linked:
        run, _ = imports.request_import(linked[Provider.A2E], user=user)
        imports.execute(run.pk)
        run.refresh_from_db()
        done.append(f"A2E dubbings: {run.message}")
    # Imported records have no author: any other job means the demo already started some.
    if not Job.objects.for_team(team).filter(created_by__isnull=False).exists():
        try:
            with transaction.atomic():  # all of them or none, so a later run tries again
                done += start_jobs(team, user, linked)
        except UpstreamError as exc:
            done.append(f"no jobs started: {exc.message}")
    return done


def start_jobs(team, user, linked) -> list[str]:
    """A few jobs, as the forms would start them: speech that is done in seconds, and a
    clone and dubbings that take a minute, so live rows are seen moving."""
    started = []
    a2e, respeecher = linked.get(Provider.A2E), linked.get(Provider.RESPEECHER)
    voices = Voice.objects.for_team(team).listed().speakable()
    public = voices.filter(provider=Provider.A2E, kind=Kind.PUBLIC).order_by("name").first()
    if public is not None:
        for text in GREETINGS:
            A2ETextToSpeech.start(voice=public, by=user, text=text)
        started.append(f"{len(GREETINGS)} A2E speeches")
    if respeecher is not None:
        started += _respeecher_speech(user, respeecher, voices)
    if a2e is not None:
        A2EVoiceClone.start(
            account=a2e,
            by=user,
            name="Ana, product tour narrator",
            gender="female",
            language="en",
            samples=[inputs.store(team, _clip("demo-sample.wav"), A2E_SAMPLE_RULES, user=user)],
        )
        languages = languages_for(a2e)
        targets = [value for value, _ in languages if value != "en"][:2]
        if targets:
            starting.start_batch(
                account=a2e,
                by=user,
                data={
                    "name": "Product tour intro",
                    "source": _clip("product-tour-intro.wav"),
                    "source_url": "",
                    "source_lang": "en",
                    "num_speakers": 1,
                    "drop_background_audio": False,
                    "targets": targets,
                },
                labels=dict(languages),
            )
        started.append(f"an A2E clone and dubbings into {', '.join(targets) or 'nothing'}")
    return started


def _respeecher_speech(user, account, voices) -> list[str]:
    folders = lookups.respeecher_folders(account)
    for voice in voices.filter(provider=Provider.RESPEECHER).order_by("name")[:20]:
        style = next((s for s in narration_styles(voice) if s.id), None)
        if folders and style is not None:
            voices_starting.respeecher_speech(
                target=Target(voice=voice, narration_style_id=style.id),
                by=user,
                text=GREETINGS[0],
                folder_id=folders[0][0],
            )
            return ["a Respeecher speech"]
    return []


def _clip(name: str) -> SimpleUploadedFile:
    """A 16 kHz mono WAV of a soft two-note chime, CLIP_SECONDS long."""
    rate = 16000
    frames = bytearray()
    for i in range(rate * CLIP_SECONDS):
        pitch = 440.0 if (i // rate) % 2 == 0 else 554.37
        frames += struct.pack("<h", int(6000 * math.sin(2 * math.pi * pitch * i / rate)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="audio/wav")
