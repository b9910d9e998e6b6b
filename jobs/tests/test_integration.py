"""Jobs against the sandbox with a real Celery worker: killed workers, a wiped broker and
a faulty upstream delay jobs but never lose or double them."""

import random
import time

import pytest
from django.db import transaction

from dashboard import processes
from dubbing.kinds import A2EDubbing
from dubbing.models import Batch
from jobs.kinds import carries_marker
from jobs.models import FINISHED, Job, ResultsState, Status
from jobs.tests.audio import wav
from jobs.tests.broker import wipe_broker
from jobs.tests.ticks import tick_cost
from teams.tests.factories import ProviderAccountFactory, TeamFactory

pytestmark = pytest.mark.integration

FAST = {
    "JOBS_SUBMIT_HOLD": 6,
    "JOBS_RECONCILE_AFTER": 2,
    "JOBS_RECONCILE_SECONDS": 1,
    "JOBS_TICK_SECONDS": 1,
    "JOBS_POLL_MIN": 1,
    "JOBS_POLL_MAX": 2,
    # Eight attempts of a faulty submit then span about a minute, not the real ten.
    "JOBS_RETRY_BASE": 1,
    "JOBS_RETRY_MAX": 8,
    # A hung call (3 s below, read timeout 2 s) is looked for 6 s after we gave up on it.
    "JOBS_UNSURE_WAIT": 6,
    "JOBS_RESULTS_HOLD": 12,
}


@pytest.fixture
def control(control):
    """The shared sandbox (root conftest), reset, at speed 4 as these tests expect."""
    control.post("/_sandbox/config", json={"speed": 4}).raise_for_status()
    yield control
    control.post("/_sandbox/reset")


@pytest.fixture
def source_url(control):
    response = control.put(
        "/_sandbox/files/source.wav", content=wav(4), headers={"content-type": "audio/wav"}
    )
    response.raise_for_status()
    return response.json()["url"]


@pytest.fixture
def account(transactional_db, sandbox_url):
    team = TeamFactory(name="Integration")
    return ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )


@pytest.fixture
def procs(tmp_path):
    """Start worker and beat processes on the test database; all stopped at the end."""
    started = []

    def start(kind, concurrency=2, **env):
        proc = processes.celery(
            kind,
            tmp_path / f"{kind}-{len(started)}.log",
            processes.child_env(**{**FAST, **env}),
            concurrency=concurrency,
        )
        started.append(proc)
        return proc

    start.started = started
    yield start
    for proc in started:
        proc.stop()


def _create(account, n, source_url):
    with transaction.atomic():
        return [
            A2EDubbing.start(
                batch=Batch.objects.create(
                    team=account.team, name=f"clip {i}", source_url=source_url
                ),
                account=account,
                target="de",
                target_label="German",
                by=None,
            )
            for i in range(n)
        ]


def _all_finished(ids):
    def check():
        jobs = Job.objects.filter(pk__in=ids)
        return all(j.status in FINISHED and j.results_state != ResultsState.PENDING for j in jobs)

    return check


def _created_upstream(control):
    log = control.get("/_sandbox/requests", params={"path": "startDubbing", "method": "POST"})
    return [r for r in log.json()["requests"] if r["status"] == 200]


def _upstream_names(account):
    from teams.connection import client_for

    return [d.name for d in client_for(account).iter_dubbings(page_size=100)]


def test_killing_the_worker_20_times_loses_and_doubles_nothing(account, source_url, control, procs):
    jobs = _create(account, 20, source_url)
    procs("beat")
    rng = random.Random(20)  # noqa: S311 - reproducible kill times
    for _ in range(20):
        worker = procs("worker")
        time.sleep(rng.uniform(0.5, 3.0))
        worker.kill()
    procs("worker")
    processes.wait_until(_all_finished([j.pk for j in jobs]), timeout=240, what="all jobs finished")

    finished = Job.objects.filter(pk__in=[j.pk for j in jobs])
    assert {j.status for j in finished} == {Status.COMPLETED}
    assert all(j.files.count() == 1 for j in finished)
    names = _upstream_names(account)
    for job in finished:
        assert sum(carries_marker(name, job) for name in names) == 1, job.label
    assert len(_created_upstream(control)) == 20


def test_jobs_survive_a_wiped_broker(account, source_url, control, procs):
    jobs = _create(account, 50, source_url)
    wipe_broker()  # every submit message is gone before any worker saw it
    procs("beat")
    procs("worker", JOBS_SUBMIT_HOLD=12)
    processes.wait_until(_all_finished([j.pk for j in jobs]), timeout=240, what="all jobs finished")
    statuses = set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True))
    assert statuses == {Status.COMPLETED}
    assert len(_created_upstream(control)) == 50


def test_a_faulty_upstream_delays_jobs_to_a_final_state(account, source_url, control, procs):
    control.post(
        "/_sandbox/faults",
        json={
            "path": "/a2e/*",
            "status": {"500": 0.1, "502": 0.1, "503": 0.1, "429": 0.1},
            "retry_after": 1,
            "hang": 3,
            "hang_rate": 0.1,
        },
    ).raise_for_status()
    jobs = _create(account, 100, source_url)
    procs("beat")
    worker = procs("worker", PROVIDERS_READ_TIMEOUT=2, JOBS_SUBMIT_HOLD=30, concurrency=4)
    processes.wait_until(_all_finished([j.pk for j in jobs]), timeout=600, what="all jobs final")
    finished = Job.objects.filter(pk__in=[j.pk for j in jobs])
    assert all(j.status in FINISHED for j in finished)
    log = worker.output()
    assert "raised unexpected" not in log and "Traceback" not in log
    control.delete("/_sandbox/faults").raise_for_status()  # so the check itself can read
    names = _upstream_names(account)
    for job in finished.filter(status=Status.COMPLETED):
        assert sum(carries_marker(name, job) for name in names) == 1


def test_one_tick_over_1000_dubbing_jobs_costs_three_calls_and_flat_queries(account, control):
    big = tick_cost(control, account, 1000)
    small = tick_cost(control, account, 100)
    assert (big.jobs, small.jobs) == (1000, 100)
    assert big.calls <= 3
    assert big.queries == small.queries
