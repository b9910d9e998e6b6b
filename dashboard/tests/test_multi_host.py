"""Voxboard on several machines, played on one: two web processes (gunicorn) and two
Celery workers, each with a var/ and a MEDIA_ROOT of its own, sharing only PostgreSQL,
Redis, the S3 server (moto's) and the sandbox. A dubbing uploaded through one web
process is worked by whichever worker takes it, one worker is killed while it sends the
job, and the result is downloaded through the other web process: one job, one dubbing
upstream, one stored result. Select it with `-m multihost`."""

import re
import socket
import sys
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.tests.s3 import KEYS, PREFIX
from dashboard import processes, readiness
from dashboard.tests.browser import FAST
from dubbing.models import Dubbing
from jobs.kinds import carries_marker
from jobs.models import Job, ResultsState, Status
from jobs.tests.audio import wav
from teams.connection import client_for
from teams.tests.factories import ProviderAccountFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.s3,
    pytest.mark.multihost,
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="several hosts share one database server: PostgreSQL (DATABASE_URL), not SQLite",
    ),
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="several hosts share one broker: Redis (REDIS_URL), not the local folder",
    ),
]

# FAST, and a job whose worker died while sending it is taken over 6 s after it was
# taken (its hold), by the reconciler's next look (every second, for jobs quiet for 2 s).
MULTI_HOST = {
    **FAST,
    "JOBS_RECONCILE_SECONDS": 1,
    "JOBS_RECONCILE_AFTER": 2,
    "JOBS_SUBMIT_HOLD": 6,
    "JOBS_RESULTS_HOLD": 12,
}
# How long the sandbox sits on the request that creates the dubbing before it carries it
# out and answers: the worker sending it is killed in that window, so the record exists
# upstream while its job does not know it. Shorter than the hold, so the worker that
# takes the job over finds it there instead of creating a second one.
HANG_SECONDS = 3
# Redis's database for this test's queue and cache: no worker of another test (sharing
# the Redis server, on another test database) takes its messages.
REDIS_DB = 7
SOURCE = wav(3)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _own_redis_db(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


class Host:
    """One machine's share of the deployment: its own var/ and media folder."""

    def __init__(self, name, tmp_path, shared_env):
        self.name = name
        self.var = tmp_path / name
        self.media = self.var / "media"
        self.media.mkdir(parents=True)
        self.env = processes.child_env(
            **shared_env, VOXBOARD_VAR_DIR=self.var, MEDIA_ROOT=self.media
        )
        self.started = []

    def web(self) -> str:
        port = _free_port()
        argv = [sys.executable, "-m", "gunicorn", "dashboard.wsgi", "--bind", f"127.0.0.1:{port}"]
        argv += ["--workers", "1", "--threads", "4", "--access-logfile", "-"]
        self.started.append(processes.Process(argv, self.env, self.var / "web.log"))
        return f"http://127.0.0.1:{port}"

    def celery(self, kind: str) -> processes.Process:
        process = processes.celery(kind, self.var / f"{kind}.log", self.env, concurrency=1)
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in self.started:
            process.stop(timeout=8)


@pytest.fixture
def shared_env(bucket):
    """What every host is given alike: the database (the test's), Redis, the bucket, the
    same keys, and polling as fast as in the browser tests."""
    return {
        **MULTI_HOST,
        "REDIS_URL": _own_redis_db(settings.REDIS_URL),
        "SECRET_KEY": settings.SECRET_KEY,
        "VOXBOARD_ENCRYPTION_KEYS": ",".join(settings.VOXBOARD_ENCRYPTION_KEYS),
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": bucket.endpoint,
        "S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
        "S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        "S3_PREFIX": PREFIX,
        # Nothing listens there: with a bucket, providers fetch inputs from it.
        "PUBLIC_BASE_URL": "http://127.0.0.1:9",
    }


@pytest.fixture
def hosts(transactional_db, tmp_path, shared_env):
    made = {name: Host(name, tmp_path, shared_env) for name in ("a", "b", "c")}
    yield made
    for host in made.values():
        host.stop()


def _browser(base_url: str, session_cookie: str) -> httpx.Client:
    """A signed-in person's browser pointed at one web process (a load balancer's pick)."""
    return httpx.Client(
        base_url=base_url, cookies={settings.SESSION_COOKIE_NAME: session_cookie}, timeout=30
    )


def _upload(browser: httpx.Client, team) -> None:
    """The new-dubbing form, filled in and posted with a WAV, into German."""
    url = reverse("dubbing_new", kwargs={"team": team.slug})
    page = browser.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = browser.post(
        url,
        data={
            "csrfmiddlewaretoken": token,
            "name": "Trailer",
            "source_lang": "en",
            "targets": ["de"],
            "num_speakers": "1",
        },
        files={"source": ("trailer.wav", SOURCE, "audio/wav")},
    )
    assert answer.status_code == 302, answer.text[:2000]


def _received_submit(worker: processes.Process) -> bool:
    return "jobs.submit[" in worker.output()


def test_two_web_and_two_workers_share_a_dubbing_and_a_killed_worker_loses_nothing(
    hosts, bucket, team, member, sandbox_url, control
):
    account = ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    control.post(
        "/_sandbox/faults",
        json={
            "path": "/a2e/api/v1/userDubbing/startDubbing",
            "method": "POST",
            "hang": HANG_SECONDS,
            "times": 1,
        },
    ).raise_for_status()
    a, b, c = hosts["a"], hosts["b"], hosts["c"]
    web_a, web_b = a.web(), b.web()
    workers = [a.celery("worker"), b.celery("worker")]
    c.celery("beat")  # one beat for the whole deployment, on a host of its own
    for url in (web_a, web_b):
        processes.wait_until(
            readiness.answers(f"{url}/healthz"), timeout=60, what=f"{url} answering"
        )
    # Signed in once (a session in the shared database and cache), as a person whose
    # requests a load balancer sends now to one web process, now to the other.
    person = Client()
    person.force_login(member.user)
    session = person.cookies[settings.SESSION_COOKIE_NAME].value

    with _browser(web_a, session) as browser:
        _upload(browser, team)
    job = Dubbing.objects.get(team=team, name="Trailer").job

    # Whichever worker took the job is killed while the provider holds its request.
    def in_flight():
        (rule,) = control.get("/_sandbox/faults").json()["faults"]
        return [w for w in workers if _received_submit(w)] if rule["applied"] else None

    (taker,) = processes.wait_until(
        in_flight, timeout=60, interval=0.1, what="the dubbing being sent upstream"
    )
    taker.kill()
    (survivor,) = [w for w in workers if w is not taker]

    def finished():
        job.refresh_from_db()
        return job.status in (Status.COMPLETED, Status.FAILED) and (
            job.results_state != ResultsState.PENDING
        )

    processes.wait_until(finished, timeout=90, what="the dubbing finished and stored")
    assert job.status == Status.COMPLETED, job.last_error
    assert job.attempts == 2  # taken over once, after the kill
    # The survivor found the dubbing the killed worker had asked for, and sent no other.
    assert "after an interrupted submit" in survivor.output()

    # Nothing doubled: one job, one dubbing created upstream, one result stored.
    assert Job.objects.filter(team=team).count() == 1
    started = control.get(
        "/_sandbox/requests", params={"path": "startDubbing", "method": "POST"}
    ).json()["requests"]
    assert len(started) == 1
    names = [d.name for d in client_for(account).iter_dubbings(page_size=100)]
    assert sum(carries_marker(name, job) for name in names) == 1, names
    (stored,) = job.files.all()
    results = [key for key in bucket.objects() if key.startswith(f"{PREFIX}/jobs/")]
    assert results == [f"{PREFIX}/{stored.file.name}"]

    # Downloaded through the other web process: sent to the bucket, the provider's bytes.
    with _browser(web_b, session) as browser:
        answer = browser.get(
            reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk}),
            params={"download": 1},
        )
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(f"{bucket.endpoint}/{bucket.name}/")
    download = httpx.get(answer.headers["location"], timeout=30)
    assert download.status_code == 200
    ((_role, result_url),) = job.result_urls
    assert download.content == httpx.get(result_url, timeout=30).content
    assert download.content.startswith(b"RIFF") and len(download.content) == stored.size

    # And no host kept a file of its own.
    for host in hosts.values():
        assert [p for p in host.media.rglob("*") if p.is_file()] == [], host.name
