"""Shared pytest fixtures: users, teams in every role, a second team to wall off, and
one in-thread sandbox of the upstreams for the session."""

import itertools
import uuid
from datetime import timedelta

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from dashboard import processes
from jobs import engine, results
from jobs.models import Status
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, TeamFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # Real hashing costs ~0.3 s a user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """Each test starts with an empty cache of its own. What the cache keeps is keyed by
    account id, and ids repeat across tests (and across xdist workers sharing one Redis);
    and with REDIS_URL set the cache shares Redis's database with the Celery broker, so
    a cache.clear() in a test would flush the queued tasks of a worker another test is
    watching. Every use of the cache reads through it, so nothing depends on sharing it
    between the test process and its worker processes."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture(autouse=True)
def _burki_refusals_forgotten():
    # The Burki client remembers, per process, which base URL refused the organisation's
    # voice list; every test's sandbox starts with the list on again.
    from providers.burki import forget_route_refusals

    forget_route_refusals()
    yield
    forget_route_refusals()


@pytest.fixture
def team(db):
    return TeamFactory(name="Acme Voices")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Rival Studio")


def _client_for(membership):
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def owner(team):
    return MembershipFactory(team=team, role=Role.OWNER)


@pytest.fixture
def admin_member(team):
    return MembershipFactory(team=team, role=Role.ADMIN)


@pytest.fixture
def member(team):
    return MembershipFactory(team=team, role=Role.MEMBER)


@pytest.fixture
def viewer(team):
    return MembershipFactory(team=team, role=Role.VIEWER)


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def admin_client_(admin_member):
    return _client_for(admin_member)


@pytest.fixture
def a2e_account(team):
    return ProviderAccountFactory(team=team, provider="a2e", secret="a2e-token-0000-wxyz")


# What every test using `control` starts from; a test that needs other knobs sets them
# with `POST /_sandbox/config` after the reset (a reset brings these back).
SANDBOX_DEFAULTS = {"speed": 1000, "tts_engine": "tone"}


@pytest.fixture(scope="session")
def sandbox_url():
    """The base URL of one sandbox for the session, on a free loopback port."""
    from sandbox.server import run_in_thread  # only tests that use it load uvicorn

    url, stop = run_in_thread(port=0, **SANDBOX_DEFAULTS)
    yield url
    stop()


@pytest.fixture
def control(sandbox_url):
    """A client of the sandbox's control API, after a reset to its seed records and
    SANDBOX_DEFAULTS."""
    client = httpx.Client(base_url=sandbox_url, timeout=60)
    client.post("/_sandbox/reset").raise_for_status()
    yield client
    client.close()


# Media in a bucket: one S3-compatible server (moto's) for the session, a bucket per test
# (core/tests/s3.py).
@pytest.fixture(scope="session")
def s3_server():
    """The base URL of moto's S3 server, in a thread on a free loopback port."""
    moto_server = pytest.importorskip(
        "moto.server", reason="moto is not installed (requirements-dev.lock has it)"
    )
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """Media in a new bucket of the S3 server for this test, as S3_BUCKET sets it."""
    from core.tests.s3 import new_bucket

    made = new_bucket(s3_server, settings)
    yield made
    made.client.close()


# The browser tests' fixtures (browser_page, live_workers) live with their helpers.
pytest_plugins = ["dashboard.tests.browser"]


@pytest.fixture
def run_to_the_end():
    """Run a job as the worker and beat would: submit, poll until finished (each tick a few
    minutes after the last, so every poll is due), store its results, announce it."""

    def run(job, deadline=30):
        engine.submit(job.pk)
        ticks = itertools.count(1)

        def finished():
            job.refresh_from_db()
            if job.status in (Status.COMPLETED, Status.FAILED):
                return True
            engine.poll_due(now=timezone.now() + timedelta(minutes=5 * next(ticks)))
            return False

        processes.wait_until(finished, deadline, interval=0.1, what=f"{job} finished")
        results.fetch_results(job.pk)
        engine.announce(job.pk)
        job.refresh_from_db()
        return job

    return run
