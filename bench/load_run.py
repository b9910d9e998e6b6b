"""The running part of bench/load.py: its processes, its seed and its locust users.
Imported only after gevent has patched the standard library (bench/load.py does)."""

from __future__ import annotations

import itertools
import os
import random
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import load
from common import free_port, production_env, say, start_gunicorn, start_sandbox

ROOT = load.ROOT


# --- the database and the broker ------------------------------------------------------


class Database:
    """The bench's own PostgreSQL database: made afresh at start, dropped at the end."""

    def __init__(self, url: str):
        import psycopg
        from psycopg import sql

        parts = urlsplit(url)
        self.name = parts.path.lstrip("/")
        if not self.name or "/" in self.name:
            raise SystemExit(f"{url} names no database")
        # Its server's maintenance database, to create and drop this one from.
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = url
        self._psycopg, self._sql = psycopg, sql

    def _run(self, statement: str) -> None:
        with self._psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(self._sql.SQL(statement).format(self._sql.Identifier(self.name)))

    def create(self) -> None:
        try:
            # One left by a run that was killed outright (SIGKILL) is the bench's own.
            self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            self._run("CREATE DATABASE {}")
        except self._psycopg.OperationalError as exc:
            raise SystemExit(
                f"PostgreSQL did not answer at {self.admin_url} ({exc}); .ci/run shows how "
                "to start it"
            ) from exc

    def drop(self) -> None:
        from django.db import connections

        connections.close_all()
        self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def flush_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as exc:
        raise SystemExit(
            f"Redis did not answer at {url} ({exc}); .ci/run shows how to start it"
        ) from exc


# --- the seed ---------------------------------------------------------------------------

FIRST = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Mateo",
    "Sofia",
    "Lucas",
    "Mia",
    "Hugo",
    "Chloe",
    "Felix",
    "Nora",
    "Leon",
    "Ines",
    "Marco",
    "Anna",
    "Jonas",
    "Clara",
    "Elias",
    "Maya",
    "Oskar",
    "Lena",
    "Theo",
    "Zoe",
    "Ivan",
    "Lea",
    "Pablo",
    "Ruth",
    "Omar",
    "Iris",
    "Kai",
]
LAST = [
    "Hart",
    "Bell",
    "Lys",
    "Marin",
    "Quinn",
    "Adeyemi",
    "Novak",
    "Silva",
    "Berg",
    "Moreau",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Haas",
    "Okafor",
    "Lind",
    "Costa",
    "Weber",
    "Duarte",
    "Fischer",
    "Byrne",
    "Sato",
    "Ivanova",
    "Keller",
    "Laine",
    "Brandt",
    "Romero",
]
STYLES = ["Warm", "Bright", "Calm", "Deep", "Crisp", "Soft", "Lively", "Husky"]
LOCALES = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP", "pt-BR", "uk-UA"]
# What a person types into the catalog's search: names that match, and a word that does not.
SEARCHES = [*FIRST[:12], *LAST[:8], "warm", "quinn bel", "zzyzx"]


def voice_record(n: int) -> dict:
    """A Respeecher marketplace voice as `voices.sync.respeecher_records` yields one."""
    rng = random.Random(n)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(STYLES)} {n}"
    speaks = n % 5 != 0
    return {
        "remote_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "kind": "public",
        "name": name,
        "language": LOCALES[n % len(LOCALES)],
        "gender": "female" if n % 2 else "male",
        "status": "available",
        "can_speak": speaks,
        "has_sample": True,
        "age_group": ["young", "middle_aged", "senior"][n % 3],
        "pitch_group": ["low", "medium", "high"][n % 3],
        "favorite": False,
        "raw": {"id": f"bench-{n}", "name": name, "visibility": "public"},
    }


@dataclass
class World:
    """What the simulated people know: where to go, who they are, what there is."""

    base: str
    team: str
    usernames: list[str]
    projects: list[int]
    folders: list[int]
    speech_voices: list[int]
    targets: list[str]
    watched: list[int] = field(default_factory=list)  # jobs in flight before the run
    source: bytes = b""  # the small dubbing's source: a 2 s WAV


def seed(args, control, sandbox_base: str, web_base: str, people: int) -> World:
    """A team wired to the sandbox with `args.voices` voices, imported dubbings,
    recordings folders, a few dubbings in flight, and `people` members to log in."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from core.mirror import Tally
    from dashboard.management.commands.demo import point_at_sandbox
    from dubbing.imports import import_records
    from dubbing.kinds import A2EDubbing
    from dubbing.lookups import languages_for
    from dubbing.models import Batch
    from jobs.tests.audio import wav
    from recordings import sync as recordings_sync
    from recordings.models import Folder, Project
    from teams.models import Membership, Provider, Role, Team
    from voices import sync as voices_sync
    from voices.models import Voice
    from voices.search import analyze_after

    started = time.monotonic()
    team = Team.objects.create(name="Morning team", slug="morning")
    # One hash for all: hashing each password (PBKDF2) would cost a second a dozen users.
    hashed = make_password(load.PASSWORD)
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"person-{i:03d}", password=hashed) for i in range(people)
    )
    Membership.objects.bulk_create(
        Membership(team=team, user=user, role=Role.MEMBER) for user in users
    )
    accounts = point_at_sandbox(team, sandbox_base)
    for account in accounts.values():
        voices_sync.sync_account(account)

    a2e, respeecher = accounts[Provider.A2E], accounts[Provider.RESPEECHER]
    more = args.voices - Voice.objects.filter(team=team).count()
    if more > 0:
        # The mirror's own bulk upsert, fed Respeecher records as a sync would be.
        with transaction.atomic():
            voices_sync.mirror(respeecher).upsert(
                (voice_record(n) for n in range(more)), {}, timezone.now(), Tally()
            )
        analyze_after(more)  # as sync_account does after a large write
    say(f"  catalog: {Voice.objects.filter(team=team).count():,} voices")

    control.post(
        "/_sandbox/seed", json={"kind": "a2e.dubbing", "count": 300, "status": "completed"}
    ).raise_for_status()
    say(f"  dubbing: {import_records(a2e)}")

    for p in range(2):
        project = control.post(
            "/_sandbox/seed",
            json={"kind": "respeecher.project", "count": 1, "name_prefix": f"Audiobook {p + 1}"},
        ).json()["ids"][0]
        folders = control.post(
            "/_sandbox/seed", json={"kind": "respeecher.folder", "count": 3, "project_id": project}
        ).json()["ids"]
        for folder in folders:
            control.post(
                "/_sandbox/seed",
                json={"kind": "respeecher.recording", "count": 400, "folder_id": folder},
            ).raise_for_status()
    say(f"  recordings: {recordings_sync.sync_account(respeecher)}")

    languages = [value for value, _ in languages_for(a2e)]
    targets = [lang for lang in ("de", "fr", "es", "it") if lang in languages] or languages[:2]
    # Work from earlier this morning still in flight: dubbings of a source long enough to
    # outlast the run, so open pages have live rows to poll from the first second.
    long_source = control.put(
        "/_sandbox/files/earlier.wav",
        content=wav(args.seconds + load.JOB_GRACE_S + 600, rate=2000),
        headers={"content-type": "audio/wav"},
    ).raise_for_status()
    with transaction.atomic():
        batch = Batch.objects.create(
            team=team, name="Earlier this morning", source_url=long_source.json()["url"]
        )
        watched = [
            A2EDubbing.start(
                batch=batch, account=a2e, target=target, target_label=target, by=users[0]
            ).pk
            for target in targets[:3]
        ]
    speech_voices = list(
        Voice.objects.for_team(team)
        .listed()
        .filter(account=a2e, can_speak=True)
        .values_list("pk", flat=True)[:20]
    )
    if not speech_voices or not targets:
        raise SystemExit("the sandbox offered no A2E voice to speak with or language to dub into")
    say(f"  seeded in {time.monotonic() - started:.1f} s")
    return World(
        base=web_base,
        team=team.slug,
        usernames=[user.username for user in users],
        projects=list(Project.objects.filter(team=team).values_list("pk", flat=True)),
        folders=list(Folder.objects.filter(team=team).values_list("pk", flat=True)),
        speech_voices=speech_voices,
        targets=targets,
        watched=watched,
        source=wav(2),
    )


# A request still under way when the run ends is waited for this long, then counted failed.
LATE_S = 30


# --- the people -------------------------------------------------------------------------


def person_class(world: World, state, *, think: bool, start_jobs: bool):
    """A locust user doing a team's morning. `think`: wait 1-5 s between actions, as a
    person does, while the open page's pollers run (htmx's `every 2s`); without it, the
    next action comes at once and each poller is asked once. `start_jobs`: now and then
    start a speech or a small dubbing."""
    from gevent import sleep
    from locust import HttpUser, constant
    from locust.exception import StopUser

    names = itertools.cycle(world.usernames)
    team = f"/t/{world.team}"

    class Person(HttpUser):
        host = world.base
        # The wait happens in stay(), with the page's pollers running.
        wait_time = constant(0)

        def on_start(self):
            self.rng = random.Random()
            self.page_url = "/"
            self.fetch("GET", "/accounts/login/", "login form")
            answer = self.fetch(
                "POST",
                "/accounts/login/",
                "login",
                redirects=True,
                data={
                    "username": next(names),
                    "password": load.PASSWORD,
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                },
                headers={"Referer": world.base + "/accounts/login/"},
            )
            if answer.status_code == 200 and answer.history:
                state.logged_in += 1
            else:
                state.refused += 1

        # -- plumbing

        def fetch(self, method, url, route, *, hx=False, redirects=False, **kwargs):
            if state.closing:
                raise StopUser()
            headers = kwargs.pop("headers", {})
            if hx:
                headers = {
                    **headers,
                    "HX-Request": "true",
                    "HX-Current-URL": world.base + self.page_url,
                }
            key = object()
            state.in_flight[key] = (route, time.monotonic())
            with self.client.request(
                method, url, name=route, headers=headers, catch_response=True, **kwargs
            ) as answer:
                del state.in_flight[key]
                if not answer.status_code:
                    answer.failure(f"no answer: {answer.error}")
                elif answer.status_code >= 400:
                    answer.failure(f"HTTP {answer.status_code}")
                elif not route.startswith("login") and "/accounts/login/" in (answer.url or ""):
                    answer.failure("sent to the login page")
                elif redirects and not answer.history:
                    why = load.refusal(answer.text)
                    answer.failure("the form was not accepted" + (f": {why}" if why else ""))
                else:
                    answer.success()
            if not hx and 200 <= answer.status_code < 400:
                self.page_url = urlsplit(answer.url or url).path
            return answer

        def think_time(self, low=1.0, high=5.0) -> float:
            return self.rng.uniform(low, high) if think else 0.0

        def stay(self, answer, seconds: float | None = None) -> None:
            """Stay on the page `seconds` (a person's 1-5 s by default), asking what its
            `hx-trigger="every Ns"` elements ask, as htmx does: a live element replaces
            itself with the answer, which polls on if it still carries a trigger, and a
            286 or an answer without one stops it."""
            seconds = self.think_time() if seconds is None else seconds
            live = [
                [time.monotonic() + every, url, every]
                for url, every in load.pollers(answer.text if answer.status_code == 200 else "")
            ]
            if not think:
                for _, url, _every in live:
                    self.fetch("GET", url, load.poll_route(url), hx=True)
                return
            end = time.monotonic() + seconds
            while True:
                now = time.monotonic()
                due = min(live, default=None)
                if due is None or due[0] > end:
                    sleep(max(0.0, end - now))
                    return
                sleep(max(0.0, due[0] - now))
                got = self.fetch("GET", due[1], load.poll_route(due[1]), hx=True)
                again = load.pollers(got.text) if got.status_code == 200 else []
                if again:
                    due[1], due[2] = again[0]
                    due[0] += due[2]
                else:
                    live.remove(due)

        # -- what a person does

        def home(self):
            self.stay(self.fetch("GET", f"{team}/", "home"))

        def browse_catalog(self):
            page = self.fetch("GET", f"{team}/voices/", "catalog")
            self.stay(page)
            if self.rng.random() < 0.3:
                locale = self.rng.choice(LOCALES)
                page = self.fetch("GET", f"{team}/voices/?language={locale}", "catalog filtered")
                self.stay(page)
            for _ in range(self.rng.randint(0, 3)):
                link = load.next_page(page.text) if page.status_code == 200 else None
                if not link:
                    break
                page = self.fetch("GET", f"{team}/voices/{link}", "catalog next page", hx=True)
                self.stay(page)

        def search_catalog(self):
            """Type a name into the search box: htmx asks once typing pauses 250 ms."""
            self.stay(self.fetch("GET", f"{team}/voices/", "catalog"), self.think_time(0.5, 2))
            word = self.rng.choice(SEARCHES)
            last = None
            for n in range(1, len(word) + 1):
                pause = self.rng.uniform(0.08, 0.5)
                if pause >= 0.25 or n == len(word):
                    last = self.fetch(
                        "GET", f"{team}/voices/", "catalog search", hx=True, params={"q": word[:n]}
                    )
                if think:
                    sleep(pause)
            self.stay(last)

        def dubbing_list(self):
            page = self.fetch("GET", f"{team}/dubbing/", "dubbing list")
            self.stay(page)
            if self.rng.random() < 0.5:
                params = self.rng.choice(
                    [
                        {"status": "completed"},
                        {"status": "active"},
                        {"target": self.rng.choice(world.targets)},
                        {"q": self.rng.choice(["morning", "dub", "earlier"])},
                    ]
                )
                self.stay(
                    self.fetch("GET", f"{team}/dubbing/", "dubbing list filtered", params=params)
                )

        def recordings(self):
            self.stay(
                self.fetch("GET", f"{team}/recordings/", "recordings"), self.think_time(0.5, 2)
            )
            project = self.rng.choice(world.projects)
            self.stay(
                self.fetch("GET", f"{team}/recordings/projects/{project}/", "recordings project"),
                self.think_time(0.5, 2),
            )
            folder = self.rng.choice(world.folders)
            page = self.fetch("GET", f"{team}/recordings/folders/{folder}/", "recordings folder")
            self.stay(page)
            for _ in range(self.rng.randint(0, 3)):
                link = load.next_page(page.text) if page.status_code == 200 else None
                if not link:
                    break
                page = self.fetch(
                    "GET", f"{team}/recordings/folders/{folder}/{link}", "folder next page", hx=True
                )
                self.stay(page)

        def watch_jobs(self):
            """Open the jobs in progress, or one job's page, and watch it a while."""
            if world.watched and self.rng.random() < 0.5:
                job = self.rng.choice(world.watched)
                page = self.fetch("GET", f"{team}/jobs/{job}/", "job page")
            else:
                page = self.fetch("GET", f"{team}/jobs/?status=active", "jobs in progress")
            self.stay(page, self.think_time(8, 16))

        def speak(self):
            voice = self.rng.choice(world.speech_voices)
            form = self.fetch("GET", f"{team}/voices/speech/?voice={voice}", "speech form")
            self.stay(form)
            self.submit(
                f"{team}/voices/speech/",
                "speech start",
                {
                    "voice": voice,
                    "text": "Good morning, and welcome to the show.",
                    "speech_rate": "1.0",
                    # What a clone asks for (the form leaves them out for other voices).
                    "country": "en",
                    "region": "US",
                },
            )

        def dub(self):
            form = self.fetch("GET", f"{team}/dubbing/new/", "dubbing form")
            self.stay(form)
            self.submit(
                f"{team}/dubbing/new/",
                "dubbing start",
                {
                    "name": f"Spot {self.rng.randint(1, 9999)}",
                    "source_lang": "auto",
                    "targets": self.rng.choice(world.targets),
                    "num_speakers": "1",
                },
                files={"source": ("spot.wav", world.source, "audio/wav")},
            )

        def submit(self, url, route, data, **kwargs):
            """Send a form (with the page's CSRF token) that starts a job, and stay on
            the page it leads to a little longer than on others."""
            token = self.client.cookies.get("csrftoken", "")
            answer = self.fetch(
                "POST",
                url,
                route,
                redirects=True,
                data={"csrfmiddlewaretoken": token, **data},
                **kwargs,
            )
            self.stay(answer, self.think_time(4, 8))

    # How often each comes in a morning (out of 100 actions).
    weights = {
        Person.home: 12,
        Person.browse_catalog: 18,
        Person.search_catalog: 25,
        Person.dubbing_list: 13,
        Person.recordings: 12,
        Person.watch_jobs: 15,
    }
    if start_jobs:
        weights.update({Person.speak: 3, Person.dub: 2})
    Person.tasks = [t for t, weight in weights.items() for _ in range(weight)]
    return Person


def drive(world: World, users: int, seconds: int, *, think: bool, start_jobs: bool):
    """`users` people for `seconds`, counted from once all have logged in. Returns the
    samples of that window, its length, and the samples of the log-ins before it."""
    import gevent
    from locust.env import Environment

    state = SimpleNamespace(
        samples=load.Samples(), logged_in=0, refused=0, closing=False, in_flight={}
    )

    def on_request(request_type, name, response_time, exception=None, **_kwargs):
        state.samples.add(name, response_time, str(exception) if exception else None)

    env = Environment(
        user_classes=[person_class(world, state, think=think, start_jobs=start_jobs)],
        host=world.base,
    )
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    try:
        # Ten people arrive a second, and each logs in through the form.
        runner.start(users, spawn_rate=10)
        deadline = time.monotonic() + 120
        while state.logged_in < users:
            if state.refused:
                raise SystemExit(f"{state.refused} of {users} people could not log in")
            if time.monotonic() > deadline:
                raise SystemExit(f"only {state.logged_in} of {users} people logged in within 120 s")
            gevent.sleep(0.1)
        arriving, state.samples = state.samples, load.Samples()
        began = time.monotonic()
        gevent.sleep(seconds)
        elapsed = time.monotonic() - began
        # No new requests; those under way count for the window, however long they
        # take: a page slower than the run must not drop out of its figures.
        state.closing = True
        late = time.monotonic() + LATE_S
        while state.in_flight and time.monotonic() < late:
            gevent.sleep(0.1)
        for route, started in list(state.in_flight.values()):
            waited = (time.monotonic() - started) * 1000
            state.samples.add(route, waited, f"no answer {LATE_S} s after the run ended")
        measured = state.samples
    finally:
        runner.quit()
    return measured, elapsed, arriving


# How long the imported dubbings' results may take to be copied before the run.
IMPORT_SETTLE_S = 600


def settle_imports(world: World) -> None:
    """Wait until the imported dubbings' results are copied: yesterday's import is done
    by the morning, so its copies are not measured as the morning's load. One whose copy
    failed (the seed documents' example points at A2E's real CDN) is retried later, held."""
    from dashboard.processes import wait_until
    from jobs.models import Job, ResultsState

    started = time.monotonic()
    copying = Job.objects.filter(results_state=ResultsState.PENDING, last_error="").exclude(
        pk__in=world.watched
    )
    wait_until(lambda: not copying.exists(), IMPORT_SETTLE_S, interval=1, what="the imports copied")
    say(f"  imported results copied in {time.monotonic() - started:.1f} s")


def wait_for_jobs(since) -> tuple[int, int]:
    """Jobs created since `since`, and how many of them finished (completed, their result
    copied) within JOB_GRACE_S from now; failures are printed."""
    import gevent
    from django.db.models import Q

    from jobs.models import FINISHED, Job, ResultsState, Status

    jobs = Job.objects.filter(created_at__gte=since)
    settled = Q(status__in=FINISHED) & ~Q(results_state=ResultsState.PENDING)
    deadline = time.monotonic() + load.JOB_GRACE_S
    while jobs.exclude(settled).exists() and time.monotonic() < deadline:
        gevent.sleep(1)
    finished = jobs.filter(settled, status=Status.COMPLETED).count()
    for job in jobs.exclude(settled & Q(status=Status.COMPLETED)):
        why = job.last_error or job.remote_message
        say(
            f"  not finished: {job.kind} {job.label!r} {job.status}"
            + (f": {why[:120]}" if why else "")
        )
    return jobs.count(), finished


def probe(world: World, steps: list[int], seconds: int) -> float:
    """The most req/s served with no think time before p95 passes PROBE_P95_MS (or an
    error comes): user counts stepped up until then."""
    best = 0.0
    for users in steps:
        samples, elapsed, _ = drive(world, users, seconds, think=False, start_jobs=False)
        rps = samples.requests / elapsed
        p95 = samples.p95()
        say(
            f"  {users} users, no think time: {rps:.1f} req/s, p95 {p95:.1f} ms, "
            f"{samples.error_count} errors"
        )
        if p95 > load.PROBE_P95_MS or samples.error_count:
            break
        best = max(best, rps)
    return best


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(args) -> None:
    web_port, sandbox_port = free_port(), free_port()
    web_base, sandbox_base = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sandbox_port}"
    database = Database(args.database_url)
    # DEBUG off, no TLS (loopback: VOXBOARD_HTTPS unset, so no secure-only cookies or
    # redirects), the sandbox's loopback host allowed as a provider, and the sandbox
    # fetching uploaded sources from this gunicorn through PUBLIC_BASE_URL.
    production_env(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PUBLIC_BASE_URL=web_base,
        ALLOWED_HOSTS="127.0.0.1",
        PROVIDER_PRIVATE_HOSTS=sandbox_base,
    )
    signal.signal(signal.SIGTERM, _interrupted)
    children = []
    made = False
    try:
        flush_redis(args.redis_url)
        database.create()
        made = True
        import django

        django.setup()
        import logging

        import httpx
        from django.core.management import call_command
        from django.utils import timezone

        from dashboard import processes

        logging.getLogger("httpx").setLevel(logging.WARNING)
        for noisy in ("voices.sync", "recordings.sync", "dubbing.imports", "jobs"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        say(f"database: {database.name} on PostgreSQL, broker and cache: {args.redis_url}")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        children.append(start_sandbox(sandbox_port, "--speed", str(args.speed)))
        control = httpx.Client(base_url=sandbox_base, timeout=300)
        people = max(args.users, max(args.probe_users) if args.max_rps else 0)
        say(f"seeding: a team wired to the sandbox, {people} people")
        world = seed(args, control, sandbox_base, web_base, people)

        children.append(start_gunicorn(web_port, "--workers", "2", "--threads", "4"))
        var_dir = Path(os.environ["VOXBOARD_VAR_DIR"])
        env = processes.child_env(DEBUG="0")
        worker = processes.celery("worker", var_dir / "worker.log", env, concurrency=2)
        children.append(worker)
        children.append(processes.celery("beat", var_dir / "beat.log", env))
        processes.wait_until(
            lambda: "ready." in worker.output(), 60, interval=0.2, what="the worker's ready"
        )
        say(
            "running: gunicorn 2 workers x 4 threads, a Celery worker (2 processes), beat, "
            f"the sandbox at speed {args.speed:g}"
        )
        settle_imports(world)

        say(f"(a) {args.users} people for {args.seconds} s, 1-5 s between actions")
        since = timezone.now()
        samples, elapsed, arriving = drive(
            world, args.users, args.seconds, think=True, start_jobs=True
        )
        say(
            f"  logging in before the window: {arriving.requests} requests, "
            f"{arriving.error_count} errors"
        )
        for line in samples.table():
            say(line)
        for reason, count in sorted(samples.reasons.items(), key=lambda item: -item[1])[:10]:
            say(f"  error x{count}: {reason}")
        say(f"  waiting up to {load.JOB_GRACE_S} s for the jobs started in the run")
        jobs_started, jobs_finished = wait_for_jobs(since)
        say(f"  {jobs_finished} of {jobs_started} jobs finished")

        max_rps = None
        if args.max_rps:
            say(f"(b) the most req/s with no think time before p95 passes {load.PROBE_P95_MS:g} ms")
            max_rps = probe(world, args.probe_users, args.probe_seconds)
        figures = load.Figures(
            users=args.users,
            seconds=args.seconds,
            requests=samples.requests,
            errors=samples.error_count,
            p95_ms=samples.p95(),
            rps=samples.requests / elapsed,
            max_rps=max_rps,
            jobs_started=jobs_started,
            jobs_finished=jobs_finished,
        )
        control.close()
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for child in reversed(children):
            if hasattr(child, "stop"):
                child.stop()
            else:
                child.terminate()
                try:
                    child.wait(timeout=15)
                except Exception:  # noqa: BLE001 - a child that will not stop is killed
                    child.kill()
        if made:
            database.drop()
        flush_redis(args.redis_url)
    say(load.summary_line(figures))
