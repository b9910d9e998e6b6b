"""What a reset starts from (the seed documents' example records) and the bulk seeders."""

from __future__ import annotations

import json
import random
import secrets
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import media
from sandbox.state import mongo_id, new_uuid, new_uuids

# The seed documents' example records, field for field (typos included). They are
# frozen: no job moves them, so GETting them always returns the seed JSON.
A2E_SEED_VOICE = {
    "_id": "67bc2c2cc0f5208c812f9438",
    "name": "your voice clone name",
    "voice_urls": [
        "https://dh24as48lv9ce.cloudfront.net/adam2eve/beta/user_voice_clone/"
        "2b3b0881-e9e9-4bc2-943f-c2127b4b4961/11月13日.MP3"
    ],
    "train_mode": "best",
    "gender": "female",
    "lang": "en-US",
    "current_status": "completed",
    "createdAt": "2025-02-24T08:22:04.285Z",
    "updatedAt": "2025-02-24T08:22:04.285Z",
}
A2E_USER_ID = "665da3d7bcf6ab778bad0f6a"
A2E_SEED_DUBBING = {
    "name": "test",
    "source_url": "https://dh24as48lv9ce.cloudfront.net/adam2eve/stable/user_voice_clone/"
    "b89f5b2e-2c7a-4de5-89b4-17ffee2799b6/audio.WAV",
    "current_status": "completed",
    "source_lang": "auto",
    "target_lang": "en",
    "num_speakers": 1,
    "drop_background_audio": False,
    "task_id": "GdVzeatVpmYRR3vE01nA_9714_en",
    "reference_id": "a2e_c62431ee-394b-41ca-9f5a-c12706d9b300",
    "duration": 51,
    "result_url": "https://dh24as48lv9ce.cloudfront.net/dubbing_beta/GdVzeatVpmYRR3vE01nA_9714_en.mp3",
    "faild_message": "",
    "deleted": False,
    "_id": "66ea4dd87db10c73fa29b570",
    "user_id": A2E_USER_ID,
    "createdAt": "2024-09-18T03:49:44.704Z",
    "updatedAt": "2024-09-18T03:56:35.087Z",
    "__v": 0,
}

R_ID = "00000000-0000-0000-0000-000000000001"
RESPEECHER_SEED_PROJECT = {
    "name": "string",
    "slug": "string",
    "owner": R_ID,
    "url": "string",
    "models": {},
    "id": R_ID,
    "active": True,
    "created_at": "2023-11-07T20:08:17.885Z",
    "last_recording_at": "2023-11-07T20:08:17.885Z",
}
RESPEECHER_SEED_FOLDER = {
    "name": "string",
    "project_id": R_ID,
    "parent_id": R_ID,
    "id": R_ID,
    "active": True,
    "created_at": "2023-10-08T15:51:35.209Z",
}
RESPEECHER_SEED_RECORDING = {
    "id": R_ID,
    "project_id": R_ID,
    "parent_folder_id": R_ID,
    "type": "original",
    "url": "string",
    "waveform_url": "string",
    "file_name": "string",
    "label": "string",
    "state": "done",
    "original_id": R_ID,
    "model_id": R_ID,
    "model_name": "string",
    "calibration_id": R_ID,
    "calibration_value": 0,
    "calibration_name": "string",
    "microphone": "string",
    "size": 0,
    "duration": 0,
    "starred": False,
    "tts": True,
    "tts_voice": "string",
    "tts_voice_id": "string",
    "text": "string",
    "params": {},
    "error": "string",
    "active": True,
    "created_at": "2023-10-08T16:12:55.753Z",
    "converted_at": "2023-10-08T16:12:55.753Z",
    "listen_count": 0,
    "process_stage": "string",
    "note": {"id": "string", "text": "string", "active": True},
}
RESPEECHER_SEED_CALIBRATION = {
    "id": "string",
    "name": "string",
    "user_id": "string",
    "f0": 0,
    "algorithm": "string",
    "bucket": "string",
    "key": "string",
    "state": "processing",
    "error": "string",
    "created_at": "2022-06-27T14:21:43.569Z",
    "calibrated_at": "2022-06-27T14:21:43.569Z",
    "enabled": True,
}
RESPEECHER_SEED_TTS_VOICE = {
    "id": R_ID,
    "visibility": "public",
    "name": "string",
    "f0": 0,
    "is_default": True,
}
RESPEECHER_SEED_VOICE = {
    "id": R_ID,
    "owner_id": R_ID,
    "name": "string",
    "slug": "string",
    "visibility": "public",
    "species": "human",
    "artist": "string",
    "verified_artist": True,
    "gender": "male",
    "pitch": 0,
    "age_group": "child",
    "pitch_group": "low",
    "nationality": "string",
    "image_url": "string",
    "thumbnail_url": "string",
    "description": "string",
    "rating": 0,
    "active": True,
    "created_at": "2024-02-28T11:21:32.401Z",
    "favorite": False,
    "available": False,
    "accents": [
        {
            "id": R_ID,
            "is_default": True,
            "native": True,
            "info": {"name": "string", "short_name": "string", "locale": "string"},
            "tiers": [{"name": "string"}],
            "available": False,
            "settings": {"favorite": False, "semitones_correction": 0},
        }
    ],
    "narration_styles": [
        {
            "id": R_ID,
            "is_default": True,
            # Seed 003 names a style in `info`; the official client reads `name` and `tags`.
            "name": "string",
            "info": {"name": "string"},
            "tags": [{"name": "string"}],
            "settings": {"favorite": False},
        }
    ],
    "tiers": [{"name": "string"}],
}
# Seed 004 lists fields without an example; these two records are the constructed
# example in docs/upstream/examples/burki_cloned_voices.json, on assistant 1.
BURKI_SEED_VOICES = [
    {
        "id": 1,
        "name": "Support voice",
        "provider": "elevenlabs",
        "provider_voice_id": "pNInz6obpgDQGcFmaJgB",
        "language": "en",
        "gender": "female",
        "status": "ready",
        "quality_score": 0.92,
        "created_at": "2025-01-15T10:30:00Z",
        "last_used_at": "2025-01-20T14:45:00Z",
        "synthesis_count": 127,
    },
    {
        "id": 2,
        "name": "Spanish narrator",
        "provider": "resemble",
        "provider_voice_id": "a1b2c3d4",
        "language": "es",
        "gender": None,
        "status": "processing",
        "quality_score": None,
        "created_at": "2025-01-21T09:00:00Z",
        "last_used_at": None,
        "synthesis_count": 0,
    },
]
BURKI_SEED_ASSISTANT = {
    "id": 1,
    "name": "Front desk",
    "description": "Answers the phone and books appointments.",
    "is_active": True,
    "created_at": "2025-01-10T08:00:00Z",
    "updated_at": "2025-01-10T08:00:00Z",
}

# A2E's public TTS catalogue is not in the seeds; a small plausible one so TTS works.
_A2E_TTS_CATALOGUE = [
    ("en-US", "English (US)", [("Aria", "female"), ("Guy", "male"), ("Jenny", "female")]),
    ("en-GB", "English (UK)", [("Sonia", "female"), ("Ryan", "male")]),
    ("es-ES", "Spanish (Spain)", [("Elvira", "female"), ("Alvaro", "male")]),
    ("fr-FR", "French (France)", [("Denise", "female"), ("Henri", "male")]),
    ("de-DE", "German (Germany)", [("Katja", "female"), ("Conrad", "male")]),
    ("ja-JP", "Japanese (Japan)", [("Nanami", "female"), ("Keita", "male")]),
]
A2E_LANGUAGES = [
    {"value": "en", "label": "English"},
    {"value": "es", "label": "Spanish"},
    {"value": "fr", "label": "French"},
    {"value": "de", "label": "German"},
    {"value": "it", "label": "Italian"},
    {"value": "pt", "label": "Portuguese"},
    {"value": "ja", "label": "Japanese"},
    {"value": "zh", "label": "Chinese"},
]
_A2E_AVATARS = [
    ("6710b8b8c8d8e8f801a2b3c4", "Lily", "female"),
    ("6710b8b8c8d8e8f801a2b3c5", "Marcus", "male"),
]


class A2EWorld:
    def __init__(self, examples: bool = True) -> None:
        self.voices: dict[str, dict] = {}
        self.dubbings: dict[str, dict] = {}
        if examples:
            load_a2e_examples(self)
        self.tts_voices: dict[str, dict] = {}
        for lang, _label, people in _A2E_TTS_CATALOGUE:
            for name, gender in people:
                record = a2e_tts_voice(lang, name, gender)
                self.tts_voices[record["value"]] = record
        self.avatars = [
            {"_id": _id, "name": name, "gender": gender, "video_cover": None}
            for _id, name, gender in _A2E_AVATARS
        ]
        self.rooms: dict[str, dict] = {}
        self.coins = 10_000
        self.diamonds = 0
        self.languages = [dict(item) for item in A2E_LANGUAGES]


def a2e_tts_voice(lang: str, name: str, gender: str) -> dict[str, Any]:
    country, _, region = lang.partition("-")
    return {
        "value": mongo_id(),
        "label": f"{name} ({gender})",
        "lang": lang,
        "country": country,
        "region": region,
        "gender": gender,
    }


def load_a2e_examples(world: A2EWorld) -> None:
    world.voices[A2E_SEED_VOICE["_id"]] = _copy(A2E_SEED_VOICE)
    world.dubbings[A2E_SEED_DUBBING["_id"]] = _copy(A2E_SEED_DUBBING)


class RespeecherWorld:
    def __init__(self, api_key: str, marketplace: bool = False, examples: bool = True) -> None:
        # `POST /api/auth`'s user, in the shape of Respeecher's official client.
        self.user = {
            "id": new_uuid(),
            "email": "sandbox@example.com",
            "username": "sandbox",
            "verified": True,
            "roles": ["user"],
        }
        self.api_keys = {api_key}
        self.sessions: dict[str, str] = {}
        self.projects: dict[str, dict] = {}
        self.folders: dict[str, dict] = {}
        self.recordings: dict[str, dict] = {}
        self.voices: dict[str, dict] = {}
        self.tts_voices: dict[str, dict] = {}
        self.calibrations: dict[str, dict] = {}
        if examples:
            load_respeecher_examples(self)
        if marketplace:  # a few voices to convert into, as a real account lists many
            self.voices.update((v["id"], v) for v in marketplace_voices())
        self.notes: dict[str, dict] = {}
        self.orders: dict[str, dict] = {}
        # recording id -> name of its audio under /files/
        self.audio: dict[str, str] = {}
        # project id -> bytes of generated padding its export carries (a seed parameter)
        self.export_padding: dict[str, int] = {}
        self.credits = 3600.0


def load_respeecher_examples(world: RespeecherWorld) -> None:
    world.projects[R_ID] = _copy(RESPEECHER_SEED_PROJECT)
    world.folders[R_ID] = _copy(RESPEECHER_SEED_FOLDER)
    world.recordings[R_ID] = _copy(RESPEECHER_SEED_RECORDING)
    world.voices[R_ID] = _copy(RESPEECHER_SEED_VOICE)
    world.tts_voices[R_ID] = _copy(RESPEECHER_SEED_TTS_VOICE)
    world.calibrations["string"] = _copy(RESPEECHER_SEED_CALIBRATION)


class BurkiWorld:
    def __init__(self, examples: bool = True) -> None:
        self.assistants: dict[int, dict] = {}
        self.voices: dict[int, dict[int, dict]] = {}
        self.samples: dict[int, dict[int, dict]] = {}
        self.next_id = {"assistant": 1, "voice": 1, "sample": 1}
        if examples:
            load_burki_examples(self)

    def new_id(self, kind: str) -> int:
        value = self.next_id[kind]
        self.next_id[kind] = value + 1
        return value


def load_burki_examples(world: BurkiWorld) -> None:
    """Assistant 1 and its two voices as the example has them; ids after them stay free."""
    world.assistants[1] = _copy(BURKI_SEED_ASSISTANT)
    world.voices[1] = {v["id"]: _copy(v) for v in BURKI_SEED_VOICES}
    world.samples.setdefault(1, {})
    next_voice = max(v["id"] for v in BURKI_SEED_VOICES) + 1
    world.next_id["assistant"] = max(world.next_id["assistant"], 2)
    world.next_id["voice"] = max(world.next_id["voice"], next_voice)


def a2e_world(examples: bool = True) -> A2EWorld:
    return A2EWorld(examples)


def respeecher_world(
    api_key: str, marketplace: bool = False, examples: bool = True
) -> RespeecherWorld:
    return RespeecherWorld(api_key, marketplace, examples)


def burki_world(examples: bool = True) -> BurkiWorld:
    return BurkiWorld(examples)


def _copy(record: dict) -> dict:
    # Records hold only JSON values; a JSON-shaped deep copy keeps seeds pristine.
    return json.loads(json.dumps(record))


# Bulk seeding -----------------------------------------------------------------


class SeedError(ValueError):
    pass


def _stamps(count: int) -> list[str]:
    """Creation times one second apart, oldest first, ending now (as `iso` prints them)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return [
        (now - timedelta(seconds=count - i)).isoformat(timespec="milliseconds") + "Z"
        for i in range(count)
    ]


def seed_a2e_voice(store, count: int, params: dict) -> list[str]:
    status = params.get("status", "completed")
    gender = params.get("gender")
    lang = params.get("lang", "en-US")
    prefix = params.get("name_prefix", "Seeded voice")
    voices = store.a2e.voices
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        _id = mongo_id()
        voices[_id] = {
            "_id": _id,
            "name": f"{prefix} {i + 1}",
            "voice_urls": [f"https://example.com/samples/{_id}.wav"],
            "train_mode": "best",
            "gender": gender or ("female" if i % 2 else "male"),
            "lang": lang,
            "current_status": status,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        ids.append(_id)
    return ids


def seed_a2e_tts_voice(store, count: int, params: dict) -> list[str]:
    lang = params.get("lang", "en-US")
    ids = []
    for i in range(count):
        record = a2e_tts_voice(lang, f"Seeded {i + 1}", "female" if i % 2 else "male")
        store.a2e.tts_voices[record["value"]] = record
        ids.append(record["value"])
    return ids


def a2e_dubbing(name: str, source_url: str, target_lang: str, stamp: str, **fields: Any) -> dict:
    """A dubbing record in seed 001's field order; `fields` overrides the defaults."""
    # Shaped like seed 001's task_id: 20 alphanumerics, a number, the target language.
    token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(20))
    record = {
        "name": name,
        "source_url": source_url,
        "current_status": "initialized",
        "source_lang": "auto",
        "target_lang": target_lang,
        "num_speakers": 1,
        "drop_background_audio": False,
        "task_id": f"{token}_{secrets.randbelow(10_000)}_{target_lang}",
        "reference_id": f"a2e_{uuid.uuid4()}",
        "duration": 0,
        "result_url": "",
        "faild_message": "",
        "deleted": False,
        "_id": mongo_id(),
        "user_id": A2E_USER_ID,
        "createdAt": stamp,
        "updatedAt": stamp,
        "__v": 0,
    }
    record.update(fields)
    return record


# The sandbox's own address, which the control route puts into every seeder's params.
BASE_URL = "_base_url"


def seed_a2e_dubbing(store, count: int, params: dict) -> list[str]:
    status = params.get("status", "completed")
    target = params.get("target_lang", "en")
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        record = a2e_dubbing(
            f"Seeded dubbing {i + 1}",
            f"https://example.com/sources/{i + 1}.mp4",
            target,
            stamp,
            current_status=status,
            duration=30 + i % 90,
            faild_message="Seeded failure" if status == "failed" else "",
        )
        if status == "completed":
            # A result the sandbox serves, made when first fetched, as a finished
            # dubbing's is: an import copies it as it would copy A2E's.
            seconds = record["duration"]
            result = f"a2e/dubbing/{record['task_id']}.wav"
            store.put_file(result, "audio/wav", produce=lambda s=seconds: media.tone_wav(s))
            record["result_url"] = f"{params.get(BASE_URL, '')}/files/{result}"
        store.a2e.dubbings[record["_id"]] = record
        ids.append(record["_id"])
    return ids


_R_VISIBILITY = ("public", "paid", "private", "kids")
_R_SPECIES = ("human", "human", "human", "animal", "other")
_R_AGES = ("child", "young", "adult", "senior")
_R_PITCH = ("low", "mid", "high")
_R_NATIONS = ("American", "British", "Ukrainian", "Spanish", "French", "German")


_ACCENT_INFO = {"name": "General American", "short_name": "US", "locale": "en-US"}

# Narration styles a voice may have, with their tags. Only voices with a style can speak
# (Respeecher's official client keeps just those); the rest convert speech only.
_STYLES = (
    ("Neutral", ("calm", "narration")),
    ("Conversational", ("casual", "warm")),
    ("Announcer", ("energetic", "commercial")),
    ("Storyteller", ("expressive", "audiobook")),
)
# How many styles voice n has: five of every seven voices have one to four.
_STYLE_COUNTS = (1, 2, 0, 1, 3, 0, 4)


def narration_styles(first_id: str, n: int, count: int | None = None) -> list[dict[str, Any]]:
    """Voice n's styles (or `count` of them), the first the default, in the shape the
    official client reads (`{id, name, is_default, tags: [{name}]}`) with seed 003's
    `info.name` beside it."""
    if count is None:
        count = _STYLE_COUNTS[n % len(_STYLE_COUNTS)]
    styles = []
    for i, (name, tags) in enumerate(_STYLES[: max(0, min(count, len(_STYLES)))]):
        styles.append(
            {
                "id": first_id if i == 0 else str(uuid.uuid5(uuid.UUID(first_id), name)),
                "is_default": i == 0,
                "name": name,
                "info": {"name": name},
                "tags": [{"name": t} for t in tags],
                "settings": {"favorite": False},
            }
        )
    return styles


def respeecher_voice(
    name: str, stamp: str, n: int, params: dict, ids: list[str] | None = None
) -> dict[str, Any]:
    """A marketplace voice; its attributes cycle with `n` (moduli are coprime, so they mix)."""
    vid, accent_id, style_id = ids or new_uuids(3)
    pitch_group = params.get("pitch_group") or _R_PITCH[n % 3]
    return {
        "id": vid,
        "owner_id": R_ID,
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "visibility": params.get("visibility") or _R_VISIBILITY[n % 4],
        "species": params.get("species") or _R_SPECIES[n % 5],
        "artist": name,
        "verified_artist": n % 2 == 0,
        "gender": params.get("gender") or ("male", "female")[n % 2],
        "pitch": {"low": -4, "mid": 0, "high": 4}[pitch_group],
        "age_group": params.get("age_group") or _R_AGES[n % 7 % 4],
        "pitch_group": pitch_group,
        "nationality": params.get("nationality") or _R_NATIONS[n % 11 % 6],
        "image_url": f"https://example.com/voices/{vid}.png",
        "thumbnail_url": f"https://example.com/voices/{vid}_thumb.png",
        "description": f"{name}, a sandbox voice.",
        "rating": n % 13 % 6,
        "active": True,
        "created_at": stamp,
        "favorite": False,
        "available": True,
        "accents": [
            {
                "id": accent_id,
                "is_default": True,
                "native": True,
                "info": dict(_ACCENT_INFO),
                "tiers": [{"name": "basic"}],
                "available": True,
                "settings": {"favorite": False, "semitones_correction": 0},
            }
        ],
        "narration_styles": narration_styles(style_id, n, params.get("narration_styles")),
        "tiers": [{"name": "basic"}],
    }


# Accents by short name, as Respeecher's records name them.
_ACCENTS = {
    "US": {"name": "General American", "short_name": "US", "locale": "en-US"},
    "GB": {"name": "British RP", "short_name": "GB", "locale": "en-GB"},
    "AU": {"name": "Australian", "short_name": "AU", "locale": "en-AU"},
    "UA": {"name": "Ukrainian", "short_name": "UA", "locale": "uk-UA"},
    "ES": {"name": "Castilian Spanish", "short_name": "ES", "locale": "es-ES"},
}
# A few of the marketplace voices a real account sees among many, so the default world
# has voices to convert into: (name, gender, age group, pitch group, nationality,
# accents with the native one first, how many narration styles).
MARKETPLACE = (
    ("Olivia Hart", "female", "adult", "mid", "American", ("US", "GB"), 3),
    ("Marcus Bell", "male", "adult", "low", "British", ("GB", "US", "AU"), 2),
    ("Oksana Lys", "female", "young", "high", "Ukrainian", ("UA", "US"), 4),
    ("Diego Marín", "male", "senior", "low", "Spanish", ("ES", "US"), 1),
)
_MARKETPLACE_IDS = uuid.UUID("6f1c2a52-54d4-4c0e-9d1a-2b7f0c3e8a11")
MARKETPLACE_CREATED_AT = "2024-03-01T09:00:00.000Z"


def marketplace_voices() -> list[dict[str, Any]]:
    """The default world's marketplace voices. Their ids are fixed, so a restarted
    sandbox lists the same voices and a catalog mirrored from it keeps them."""
    voices = []
    for n, (name, gender, age, pitch, nation, accents, styles) in enumerate(MARKETPLACE):

        def fixed(part: str, name=name) -> str:
            return str(uuid.uuid5(_MARKETPLACE_IDS, f"{name}/{part}"))

        params = {
            "visibility": "public",
            "species": "human",
            "gender": gender,
            "age_group": age,
            "pitch_group": pitch,
            "nationality": nation,
            "narration_styles": styles,
        }
        ids = [fixed("voice"), fixed("accent"), fixed("style")]
        voice = respeecher_voice(name, MARKETPLACE_CREATED_AT, n, params, ids)
        voice["description"] = f"{name}: {gender}, {age}, {nation}; from the marketplace."
        voice["accents"] = accents_of(
            accents, [ids[1], *(fixed(f"accent/{short}") for short in accents[1:])]
        )
        voices.append(voice)
    return voices


def accents_of(short_names, ids) -> list[dict[str, Any]]:
    """A voice's accents (by _ACCENTS' short names), the first its native default."""
    return [
        {
            "id": accent_id,
            "is_default": i == 0,
            "native": i == 0,
            "info": dict(_ACCENTS[short]),
            "tiers": [{"name": "basic"}],
            "available": True,
            "settings": {"favorite": False, "semitones_correction": 0},
        }
        for i, (short, accent_id) in enumerate(zip(short_names, ids, strict=True))
    ]


def seed_respeecher_voice(store, count: int, params: dict) -> list[str]:
    prefix = params.get("name_prefix", "Voice")
    voices = store.respeecher.voices
    ids = []
    pool = new_uuids(3 * count)
    for i, stamp in enumerate(_stamps(count)):
        record = respeecher_voice(
            f"{prefix} {i + 1:06d}", stamp, len(voices), params, pool[3 * i : 3 * i + 3]
        )
        if params.get("accents"):  # short names (US, GB, AU, UA, ES), the first the default
            shorts = [s for s in params["accents"] if s in _ACCENTS]
            record["accents"] = accents_of(shorts, [pool[3 * i + 1], *new_uuids(len(shorts) - 1)])
        voices[record["id"]] = record
        ids.append(record["id"])
    return ids


def respeecher_project(name: str, owner: str, stamp: str) -> dict[str, Any]:
    pid = new_uuid()
    slug = "-".join(name.lower().split()) or "project"
    return {
        "name": name,
        "slug": slug,
        "owner": owner,
        "url": f"{slug}-{pid[:8]}",
        "models": {},
        "id": pid,
        "active": True,
        "created_at": stamp,
        "last_recording_at": None,
    }


def respeecher_folder(name: str, project_id: str, parent_id: str | None, stamp: str) -> dict:
    return {
        "name": name,
        "project_id": project_id,
        "parent_id": parent_id,
        "id": new_uuid(),
        "active": True,
        "created_at": stamp,
    }


def respeecher_recording(folder: dict, stamp: str, **fields: Any) -> dict[str, Any]:
    record = {
        "id": new_uuid(),
        "project_id": folder["project_id"],
        "parent_folder_id": folder["id"],
        "type": "original",
        "url": None,
        "waveform_url": None,
        "file_name": None,
        "label": None,
        "state": "done",
        "original_id": None,
        "model_id": None,
        "model_name": None,
        "calibration_id": None,
        "calibration_value": None,
        "calibration_name": None,
        "microphone": None,
        "size": 0,
        "duration": 0,
        "starred": False,
        "tts": False,
        "tts_voice": None,
        "tts_voice_id": None,
        "text": None,
        "params": {},
        "error": None,
        "active": True,
        "created_at": stamp,
        "converted_at": None,
        "listen_count": 0,
        "process_stage": None,
        "note": None,
    }
    record.update(fields)
    return record


# A project's export padding stays below zip64's threshold (sandbox/media.zip_length).
MAX_PADDING = 2_000_000_000


def seed_respeecher_project(store, count: int, params: dict) -> list[str]:
    world = store.respeecher
    prefix = params.get("name_prefix", "Seeded project")
    padding = params.get("export_padding_bytes", 0)
    if isinstance(padding, bool) or not isinstance(padding, int) or not 0 <= padding <= MAX_PADDING:
        raise SeedError(f"export_padding_bytes must be an integer from 0 to {MAX_PADDING}")
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        record = respeecher_project(f"{prefix} {i + 1}", world.user["id"], stamp)
        world.projects[record["id"]] = record
        if padding:
            world.export_padding[record["id"]] = padding
        ids.append(record["id"])
    return ids


def seed_respeecher_folder(store, count: int, params: dict) -> list[str]:
    world = store.respeecher
    project_id = params.get("project_id") or seed_respeecher_project(store, 1, {})[0]
    if project_id not in world.projects:
        raise SeedError(f"unknown project_id {project_id}")
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        record = respeecher_folder(f"Seeded folder {i + 1}", project_id, None, stamp)
        world.folders[record["id"]] = record
        ids.append(record["id"])
    return ids


def _iso_stamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def seed_respeecher_recording(store, count: int, params: dict) -> list[str]:
    world = store.respeecher
    folder_id = params.get("folder_id") or seed_respeecher_folder(store, 1, {})[0]
    folder = world.folders.get(folder_id)
    if folder is None:
        raise SeedError(f"unknown folder_id {folder_id}")
    state = params.get("state", "done")
    # Conversions of an original already there (`original_id`), as in flight or done.
    original_id = params.get("original_id")
    if original_id is not None and original_id not in world.recordings:
        raise SeedError(f"unknown original_id {original_id}")
    conversion = {"type": "converted", "original_id": original_id} if original_id else {}
    duration = params.get("duration", 2.0)
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        raise SeedError("duration must be a number of seconds, 0 or more")
    # A finished conversion was converted at some time: `converted_at` (ISO 8601, e.g. an
    # earlier month's, for the stats' month-by-month figures), else when it was made.
    converted_at = params.get("converted_at")
    if converted_at is not None and not _iso_stamp(converted_at):
        raise SeedError("converted_at must be an ISO 8601 time like 2025-01-15T10:00:00Z")
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        finished = conversion and state == "done"
        record = respeecher_recording(
            folder,
            stamp,
            label=f"Seeded take {i + 1}",
            file_name=f"take-{i + 1}.wav",
            microphone="file",
            duration=duration,
            state=state,
            error="Seeded failure" if state == "error" else None,
            converted_at=(converted_at or stamp) if finished else None,
            **conversion,
        )
        world.recordings[record["id"]] = record
        ids.append(record["id"])
    return ids


def burki_assistant(aid: int, name: str, stamp: str) -> dict[str, Any]:
    return {
        "id": aid,
        "name": name,
        "description": None,
        "is_active": True,
        "created_at": stamp,
        "updated_at": stamp,
    }


def seed_burki_assistant(store, count: int, params: dict) -> list[int]:
    world = store.burki
    prefix = params.get("name_prefix", "Seeded assistant")
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        aid = world.new_id("assistant")
        world.assistants[aid] = burki_assistant(aid, f"{prefix} {i + 1}", stamp)
        world.voices[aid] = {}
        world.samples[aid] = {}
        ids.append(aid)
    return ids


def seed_burki_cloned_voice(store, count: int, params: dict) -> list[int]:
    world = store.burki
    assistant_id = int(params.get("assistant_id") or 1)
    if assistant_id not in world.assistants:
        raise SeedError(f"unknown assistant_id {assistant_id}")
    status = params.get("status", "ready")
    provider = params.get("provider")
    rng = random.Random(params.get("random_seed", 11))
    voices = world.voices[assistant_id]
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        vid = world.new_id("voice")
        chosen = provider or ("elevenlabs", "resemble", "inworld")[i % 3]
        ready = status == "ready"
        voices[vid] = {
            "id": vid,
            "name": f"Seeded cloned voice {i + 1}",
            "provider": chosen,
            "provider_voice_id": uuid.uuid4().hex[:20],
            "language": params.get("language", "en"),
            "gender": rng.choice(("male", "female", None)),
            "status": status,
            "quality_score": round(rng.uniform(0.6, 0.99), 2) if ready else None,
            "created_at": stamp,
            "last_used_at": stamp if ready and i % 2 else None,
            "synthesis_count": rng.randint(0, 500) if ready and i % 2 else 0,
        }
        ids.append(vid)
    return ids


def burki_sample(sid: int, name: str, seconds: float, stamp: str, **fields: Any) -> dict:
    """A voice sample as the upload keeps it: a WAV tone of `seconds`, its file stored
    beside it only when someone asks for it (`store.put_file(..., produce=...)`)."""
    return {
        "id": sid,
        "name": name,
        "description": None,
        "filename": f"sample_{sid}.wav",
        "original_filename": f"{name.lower().replace(' ', '-')}.wav",
        "content_type": "audio/wav",
        "file_size": media.tone_wav_size(seconds),
        "duration_seconds": round(float(seconds), 2),
        "status": "uploaded",
        "error_message": None,
        "tags": [],
        "created_at": stamp,
        **fields,
    }


def seed_burki_voice_sample(store, count: int, params: dict) -> list[int]:
    world = store.burki
    assistant_id = int(params.get("assistant_id") or 1)
    if assistant_id not in world.assistants:
        raise SeedError(f"unknown assistant_id {assistant_id}")
    seconds = params.get("seconds", 30)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 < seconds <= 600:
        raise SeedError("seconds must be a number from 1 to 600")
    status = params.get("status", "uploaded")
    if status not in ("uploaded", "processing", "ready", "failed"):
        raise SeedError("status must be uploaded, processing, ready or failed")
    prefix = params.get("name_prefix", "Seeded sample")
    samples = world.samples.setdefault(assistant_id, {})
    ids = []
    for i, stamp in enumerate(_stamps(count)):
        sid = world.new_id("sample")
        samples[sid] = burki_sample(sid, f"{prefix} {i + 1}", seconds, stamp, status=status)
        store.put_file(
            f"burki/samples/sample_{sid}.wav",
            "audio/wav",
            produce=lambda s=seconds: media.tone_wav(s),
        )
        ids.append(sid)
    return ids


# `POST /_sandbox/seed {"kind": "examples"}`: every record replaced by the examples.
EXAMPLES = "examples"
SEEDERS = {
    "a2e.voice": seed_a2e_voice,
    "a2e.tts_voice": seed_a2e_tts_voice,
    "a2e.dubbing": seed_a2e_dubbing,
    "respeecher.voice": seed_respeecher_voice,
    "respeecher.project": seed_respeecher_project,
    "respeecher.folder": seed_respeecher_folder,
    "respeecher.recording": seed_respeecher_recording,
    "burki.assistant": seed_burki_assistant,
    "burki.cloned_voice": seed_burki_cloned_voice,
    "burki.voice_sample": seed_burki_voice_sample,
}
