"""The world `make run` starts (`--world demo`): records with names a team would give them.

The seed documents' examples ("string", "your voice clone name", a dubbing named
"test") prove the fakes' fidelity in the tests; a person trying the product should see
a studio's work instead. Ids are fixed (derived from names), so a sandbox started
afresh lists the same records and a catalog mirrored from it keeps them; times are
relative to the start, so the work looks recent.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import media
from sandbox.seeds import (
    a2e_dubbing,
    burki_assistant,
    burki_sample,
    marketplace_voices,
    respeecher_folder,
    respeecher_project,
    respeecher_recording,
)
from sandbox.state import iso

_IDS = uuid.UUID("3d2f7a0e-9c41-4b7e-a1f5-6c0d8e2b4a90")

# (name, gender, language, status, days ago)
A2E_CLONES = (
    ("Maya, warm narrator", "female", "en-US", "completed", 12),
    ("Tom Reyes, podcast host", "male", "en-GB", "completed", 9),
    ("Lena (German promos)", "female", "de-DE", "completed", 5),
)
# (name, source seconds, target language, status, days ago)
A2E_DUBBINGS = (
    ("Spring launch teaser", 42, "es", "completed", 6),
    ("Spring launch teaser", 42, "fr", "completed", 6),
    ("Onboarding video, part 1", 95, "de", "completed", 3),
    ("Founder interview cut", 64, "ja", "failed", 2),
)
# project -> folders -> takes (label, text)
RESPEECHER_PROJECTS = (
    (
        "Northwind audiobook",
        (
            (
                "Chapter 1",
                (
                    ("Opening paragraph", "The harbour was quiet the morning the letter came."),
                    ("Letter, read aloud", "Dear Anna, I am coming home before the first snow."),
                ),
            ),
            ("Chapter 2", (("Market scene", "Fish, bread and gossip, all at the same price."),)),
        ),
    ),
    (
        "Spring campaign",
        (
            (
                "Radio spots",
                (
                    ("30 s spot, take 1", "Spring is here. So is the lightest bike we have made."),
                    ("30 s spot, take 2", "Spring is here, and so is the lightest bike we make."),
                ),
            ),
        ),
    ),
)
RESPEECHER_TTS_VOICES = (("Nora Quinn", True), ("Felix Adeyemi", False))
BURKI_ASSISTANT = ("Reception line", "Answers the clinic's phone and books appointments.")
# (name, provider, language, gender, status, quality, syntheses)
BURKI_VOICES = (
    ("Clinic greeting, Sara", "elevenlabs", "en", "female", "ready", 0.94, 312),
    ("After-hours message", "resemble", "en", "male", "ready", 0.88, 57),
    ("Recepción (español)", "elevenlabs", "es", "female", "processing", None, 0),
)
# The recordings the assistant's voices were cloned from: (name, seconds, status).
BURKI_SAMPLES = (
    ("Sara reading the greeting", 42, "ready"),
    ("Night message, Tom", 28, "ready"),
    ("Sara, Spanish greeting", 35, "processing"),
)


def fixed_uuid(*parts: str) -> str:
    return str(uuid.uuid5(_IDS, "/".join(parts)))


def fixed_mongo_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


def _ago(now: datetime, days: float) -> str:
    return iso(now - timedelta(days=days))


def populate(store: Any, base_url: str) -> None:
    """Fill an empty world (`Store.reset` with world="demo"). `base_url` is where this
    sandbox is reached, for A2E's absolute media URLs."""
    now = datetime.now(UTC)
    _a2e(store, base_url, now)
    _respeecher(store, now)
    _burki(store, now)


def _a2e(store: Any, base_url: str, now: datetime) -> None:
    world = store.a2e
    engine = store.config.tts_engine
    for name, gender, lang, status, days in A2E_CLONES:
        _id = fixed_mongo_id("a2e-voice", name)
        sample = f"a2e/samples/{_id}.wav"
        spoken = f"Hello, this is {name}. This is the sample my voice was cloned from."
        store.put_file(sample, "audio/wav", media.speech_wav(spoken, engine=engine))
        world.voices[_id] = {
            "_id": _id,
            "name": name,
            "voice_urls": [f"{base_url}/files/{sample}"],
            "train_mode": "best",
            "gender": gender,
            "lang": lang,
            "current_status": status,
            "createdAt": _ago(now, days),
            "updatedAt": _ago(now, days - 0.01),
        }
    for name, seconds, target, status, days in A2E_DUBBINGS:
        key = f"{name}/{target}"
        source = f"a2e/sources/{fixed_mongo_id('a2e-source', name)}.wav"
        store.put_file(source, "audio/wav", produce=lambda s=seconds: media.tone_wav(s))
        record = a2e_dubbing(
            name,
            f"{base_url}/files/{source}",
            target,
            _ago(now, days),
            current_status=status,
            duration=seconds,
            _id=fixed_mongo_id("a2e-dubbing", key),
            task_id=f"{fixed_mongo_id('a2e-task', key)[:20]}_{seconds}_{target}",
            updatedAt=_ago(now, days - 0.01),
        )
        if status == "completed":
            result = f"a2e/dubbing/{record['task_id']}.wav"
            store.put_file(result, "audio/wav", produce=lambda s=seconds: media.tone_wav(s))
            record["result_url"] = f"{base_url}/files/{result}"
        else:
            record["faild_message"] = "The source has more speakers than num_speakers allows."
        world.dubbings[record["_id"]] = record


def _respeecher(store: Any, now: datetime) -> None:
    from sandbox.respeecher import GATEWAY_FILES

    world = store.respeecher
    engine = store.config.tts_engine
    for voice in marketplace_voices():
        voice["owner_id"] = fixed_uuid("respeecher-marketplace")  # not the example's owner
        world.voices[voice["id"]] = voice
    for name, default in RESPEECHER_TTS_VOICES:
        vid = fixed_uuid("respeecher-tts", name)
        world.tts_voices[vid] = {
            "id": vid,
            "visibility": "public",
            "name": name,
            "f0": 0,
            "is_default": default,
        }
    days = 20
    voices = list(world.voices.values())
    converted = 0
    for project_name, folders in RESPEECHER_PROJECTS:
        project = respeecher_project(project_name, world.user["id"], _ago(now, days))
        project["id"] = fixed_uuid("respeecher-project", project_name)
        project["url"] = f"{project['slug']}-{project['id'][:8]}"
        world.projects[project["id"]] = project
        for folder_name, takes in folders:
            days -= 1
            folder = respeecher_folder(folder_name, project["id"], None, _ago(now, days))
            folder["id"] = fixed_uuid("respeecher-folder", project_name, folder_name)
            world.folders[folder["id"]] = folder
            for label, text in takes:
                days -= 0.5
                rid = fixed_uuid("respeecher-take", project_name, folder_name, label)
                audio = f"respeecher/recordings/{rid}.wav"
                png = f"respeecher/waveforms/{rid}.png"
                data = media.speech_wav(text, engine=engine)
                record = respeecher_recording(
                    folder,
                    _ago(now, days),
                    id=rid,
                    label=label,
                    file_name=f"{label.lower().replace(' ', '-').replace(',', '')}.wav",
                    microphone="studio",
                    duration=round(media.wav_duration(data) or 0.0, 3),
                    text=text,
                    url=GATEWAY_FILES + audio,
                    waveform_url=GATEWAY_FILES + png,
                    size=len(data),
                )
                store.put_file(audio, "audio/wav", data)
                store.put_file(png, "image/png", produce=lambda d=data: media.waveform_png(d))
                world.audio[rid] = audio
                world.recordings[rid] = record
                project["last_recording_at"] = record["created_at"]
                converted += 1
                _converted(store, record, voices[converted % len(voices)], now, converted, data)


def _converted(store: Any, original: dict, voice: dict, now: datetime, n: int, data) -> None:
    """A finished conversion of a demo take, converted in one of the last four months,
    so the Usage page has months to chart. Its audio is a copy of the take's (the demo's
    voices are names, not sounds), so deleting one leaves the other's."""
    from sandbox.respeecher import GATEWAY_FILES

    world = store.respeecher
    cid = fixed_uuid("respeecher-conversion", original["id"])
    audio = f"respeecher/recordings/{cid}.wav"
    stamp = _ago(now, 30 * (n % 4) + 1)
    world.recordings[cid] = {
        **original,
        "id": cid,
        "type": "converted",
        "original_id": original["id"],
        "model_id": voice["id"],
        "model_name": voice["name"],
        "label": f"{original['label']}, {voice['name'].split(',')[0]}",
        "microphone": None,
        "url": GATEWAY_FILES + audio,
        "created_at": stamp,
        "converted_at": stamp,
    }
    store.put_file(audio, "audio/wav", data)
    world.audio[cid] = audio


def _burki(store: Any, now: datetime) -> None:
    world = store.burki
    name, description = BURKI_ASSISTANT
    assistant = burki_assistant(1, name, _ago(now, 30))
    assistant["description"] = description
    world.assistants = {1: assistant}
    world.voices = {1: {}}
    world.samples = {1: {}}
    for i, (vname, provider, lang, gender, status, quality, count) in enumerate(BURKI_VOICES):
        vid = i + 1
        ready = status == "ready"
        world.voices[1][vid] = {
            "id": vid,
            "name": vname,
            "provider": provider,
            "provider_voice_id": fixed_mongo_id("burki", vname)[:20],
            "language": lang,
            "gender": gender,
            "status": status,
            "quality_score": quality,
            "created_at": _ago(now, 25 - 8 * i),
            "last_used_at": _ago(now, 1) if ready else None,
            "synthesis_count": count,
        }
    for sid, (sname, seconds, status) in enumerate(BURKI_SAMPLES, start=1):
        world.samples[1][sid] = burki_sample(
            sid, sname, seconds, _ago(now, 26 - 8 * sid), status=status
        )
        store.put_file(
            f"burki/samples/sample_{sid}.wav",
            "audio/wav",
            produce=lambda s=seconds: media.tone_wav(s),
        )
    world.next_id = {
        "assistant": 2,
        "voice": len(BURKI_VOICES) + 1,
        "sample": len(BURKI_SAMPLES) + 1,
    }
