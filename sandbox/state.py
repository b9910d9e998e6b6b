"""The sandbox's in-memory world: options, run-time config, a scalable clock, jobs and records."""

from __future__ import annotations

import os
import random
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

TTS_ENGINES = ("auto", "espeak", "tone")
# What a reset loads: the seed documents' example records (what the tests prove the
# fakes against), or a team's lived-in work (what `make run` shows; sandbox/demo_world.py).
WORLDS = ("examples", "demo")


@dataclass
class Options:
    """What the process was started with; a reset returns the run-time config to these."""

    host: str = "127.0.0.1"
    port: int = 8765
    speed: float = 1.0
    fail_rate: float = 0.0
    # Published sandbox defaults, not secrets: every developer's sandbox uses them.
    a2e_token: str = "sandbox-a2e"  # noqa: S105
    respeecher_key: str = "sandbox-respeecher"
    burki_key: str = "sandbox-burki"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    tts_engine: str = "auto"
    download_timeout: float = 10.0
    # A few Respeecher marketplace voices beside the seed records, so a person trying
    # the product has voices to convert into; tests start from the seed records alone.
    marketplace: bool = False
    world: str = "examples"
    # Where the records and media are kept across restarts (sandbox/persist.py); None
    # keeps them in memory only, as the tests want.
    state_dir: str | None = None

    @property
    def base_url(self) -> str:
        """Where this sandbox is reached, for records that carry absolute media URLs."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"


@dataclass
class Config:
    """Knobs that `POST /_sandbox/config` may change while the server runs."""

    speed: float = 1.0
    fail_rate: float = 0.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    tts_engine: str = "auto"
    download_timeout: float = 10.0
    # Burki's documented 50 MB cap; tests lower it instead of uploading 50 MB.
    burki_max_sample_bytes: int = 50 * 1024 * 1024
    # Off: answer the organisation-wide cloned-voice list as a Burki without it would.
    burki_organisation_voices: bool = True

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["webhook_secret"]:
            data["webhook_secret"] = "whsec_***"  # noqa: S105 -- a mask, not a secret
        return data


class Clock:
    """Virtual seconds that run `speed` times faster than real ones.

    Changing the speed re-anchors the clock, so virtual time never jumps and a job
    half-way through stays half-way through.
    """

    def __init__(self, speed: float) -> None:
        self._speed = speed
        self._real0 = time.monotonic()
        self._virtual0 = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        return self._virtual0 + (time.monotonic() - self._real0) * self._speed

    def set_speed(self, speed: float) -> None:
        self._virtual0 = self.now()
        self._real0 = time.monotonic()
        self._speed = speed


def iso_now() -> str:
    """Now as the providers print it: ISO 8601, milliseconds, `Z`."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def mongo_id() -> str:
    return secrets.token_hex(12)


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_uuids(count: int) -> list[str]:
    """Many version-4 UUID strings from one urandom call: bulk seeding makes 100,000s of them."""
    raw = os.urandom(16 * count).hex()
    return [
        f"{raw[i : i + 8]}-{raw[i + 8 : i + 12]}-4{raw[i + 13 : i + 16]}-"
        f"{_VARIANT[raw[i + 16]]}{raw[i + 17 : i + 20]}-{raw[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


# The RFC 4122 variant puts 10 in the top bits of the clock-sequence nibble.
_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


@dataclass
class Job:
    """A remote task whose state is derived from the virtual clock when someone looks.

    `stages` lists `(fraction of duration, stage)` from the first stage on; after
    `duration` virtual seconds the job lands on `ok`, or on `failed` when
    `fail_message` is set. `start` is None while the job waits for something real
    (a download), and it sits on its first stage until then.
    """

    provider: str
    kind: str
    record_id: Any
    stages: tuple[tuple[float, str], ...]
    ok: str
    failed: str
    duration: float
    on_change: Callable[[Job, str], None]
    record: dict[str, Any] | None = None
    start: float | None = None
    fail_message: str | None = None
    stage: str = ""

    def __post_init__(self) -> None:
        if not self.stage:
            self.stage = self.stages[0][1]

    @property
    def key(self) -> str:
        # Record ids are unique within a provider, so deleting a record can find its job.
        return job_key(self.provider, self.record_id)

    def stage_at(self, vnow: float) -> str:
        if self.start is None:
            return self.stages[0][1]
        elapsed = vnow - self.start
        if elapsed >= self.duration:
            return self.failed if self.fail_message else self.ok
        fraction = elapsed / self.duration
        current = self.stages[0][1]
        for threshold, stage in self.stages:
            if fraction >= threshold:
                current = stage
        return current

    @property
    def finished(self) -> bool:
        return self.stage in (self.ok, self.failed)


def job_key(provider: str, record_id: Any) -> str:
    return f"{provider}:{record_id}"


@dataclass
class StoredFile:
    """A file served under /files/; `produce` makes big results only when first fetched."""

    content_type: str
    data: bytes | None = None
    produce: Callable[[], bytes] | None = None
    # Its name under a state folder once saved there (sandbox/persist.py).
    blob: str | None = None

    def read(self) -> bytes:
        if self.data is None and self.produce is not None:
            self.data = self.produce()
        return self.data or b""


@dataclass
class Store:
    """Everything the sandbox knows; one instance per server, rebuilt by reset."""

    options: Options
    config: Config = field(init=False)
    clock: Clock = field(init=False)

    def __post_init__(self) -> None:
        # Bumped by every change, so a state folder is written only when there is news.
        self.version = 0
        self.requests: deque[dict[str, Any]] = deque(maxlen=20_000)
        self.webhook_log: deque[dict[str, Any]] = deque(maxlen=1_000)
        self.reset()

    def reset(self) -> None:
        opts = self.options
        self.config = Config(
            speed=opts.speed,
            fail_rate=opts.fail_rate,
            webhook_url=opts.webhook_url,
            webhook_secret=opts.webhook_secret,
            tts_engine=opts.tts_engine,
            download_timeout=opts.download_timeout,
        )
        self.clock = Clock(opts.speed)
        self.jobs: dict[str, Job] = {}
        self.files: dict[str, StoredFile] = {}
        self.faults: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        # Strong references to download tasks, which asyncio only holds weakly.
        self.tasks: set[Any] = set()
        self.requests.clear()
        self.webhook_log.clear()
        self.load_world(opts.world)

    def load_world(self, world: str) -> None:
        """Replace every provider's records with `world`'s (keeps config, logs and faults)."""
        from sandbox import demo_world, seeds

        examples = world == "examples"
        self.version += 1
        self.jobs.clear()
        self.files.clear()
        self.a2e = seeds.a2e_world(examples)
        self.respeecher = seeds.respeecher_world(
            self.options.respeecher_key, self.options.marketplace, examples
        )
        self.burki = seeds.burki_world(examples)
        if world == "demo":
            demo_world.populate(self, self.options.base_url)

    def record_count(self) -> int:
        a2e, resp, burki = self.a2e, self.respeecher, self.burki
        return sum(
            (
                len(a2e.voices),
                len(a2e.dubbings),
                *(len(t) for t in (resp.projects, resp.folders, resp.recordings)),
                *(len(t) for t in (resp.voices, resp.tts_voices, resp.calibrations)),
                len(burki.assistants),
                sum(len(v) for v in burki.voices.values()),
            )
        )

    # Jobs ---------------------------------------------------------------------

    def failure(self, message: str) -> str | None:
        """The failure message for a new job, drawn at the configured fail rate."""
        rate = self.config.fail_rate
        if rate >= 1.0 or (rate > 0.0 and random.random() < rate):
            return message
        return None

    def add_job(self, job: Job, *, started: bool = True) -> Job:
        if started:
            job.start = self.clock.now()
        self.jobs[job.key] = job
        return job

    def start_job(
        self, key: str, *, fail_message: str | None = None, duration: float | None = None
    ) -> None:
        """Let a job that waited for a download run its course (and fail at its end, if told)."""
        job = self.jobs.get(key)
        if job is None:
            return
        job.start = self.clock.now()
        if duration is not None:
            job.duration = duration
        job.fail_message = fail_message

    def fail_job_now(self, key: str, message: str) -> None:
        """A job whose input could not be fetched fails at once, as the upstream would."""
        self.start_job(key, fail_message=message, duration=0.0)

    def cancel_job(self, provider: str, record_id: Any) -> None:
        self.jobs.pop(job_key(provider, record_id), None)

    def refresh(self) -> None:
        """Bring every live record up to the clock; cheap when few jobs are running."""
        if not self.jobs:
            return
        vnow = self.clock.now()
        for key, job in list(self.jobs.items()):
            stage = job.stage_at(vnow)
            if stage == job.stage:
                continue
            job.stage = stage
            self.version += 1
            job.on_change(job, stage)
            if self.config.webhook_url:
                self.events.append({"job": job, "stage": stage})
            if job.finished:
                del self.jobs[key]

    def finish_jobs(self) -> None:
        """Bring every job to its end now, as the upstream would have while no one looked
        (the sandbox stops; its state is kept)."""
        for job in self.jobs.values():
            job.start = self.clock.now() - job.duration
        self.refresh()

    def drain_events(self) -> list[dict[str, Any]]:
        events, self.events = self.events, []
        return events

    # Files --------------------------------------------------------------------

    def put_file(self, name: str, content_type: str, data=None, produce=None) -> str:
        self.files[name] = StoredFile(content_type, data, produce)
        return "/files/" + name
