"""Rooms being left while a real Celery worker is killed again and again: every room
still ends left, once, and no leave goes out for a room after A2E acknowledged one."""

import random
import time
from datetime import datetime

import pytest
from django.db import transaction

from avatars import leaving, opening
from avatars.models import Room
from avatars.tests.conftest import LILY, MARCUS
from dashboard import processes
from jobs.tests.broker import wipe_broker
from teams.tests.factories import ProviderAccountFactory, TeamFactory

pytestmark = pytest.mark.integration

FAST = {
    "AVATAR_SWEEP_SECONDS": 1,
    "AVATAR_LEAVE_RETRY_BASE": 1,
    "AVATAR_LEAVE_RETRY_MAX": 2,
    "AVATAR_LEAVE_HOLD_SECONDS": 4,
    # Nothing of the job engine is under test here; keep its sweeps out of the way.
    "JOBS_TICK_SECONDS": 30,
    "JOBS_RECONCILE_SECONDS": 30,
}
ROOMS = 12


@pytest.fixture
def procs(tmp_path):
    started = []

    def start(kind):
        proc = processes.celery(
            kind, tmp_path / f"{kind}-{len(started)}.log", processes.child_env(**FAST)
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def rooms(transactional_db, sandbox_url, control, settings):
    settings.AVATAR_MAX_ROOMS = ROOMS
    team = TeamFactory(name="Support desk")
    account = ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )
    opened = [
        opening.open_room(account=account, avatar={"id": avatar, "name": "A"}, minutes=5, by=None)
        for avatar in [LILY, MARCUS] * (ROOMS // 2)
    ]
    assert all(room.state == Room.State.LIVE for room in opened)
    # Each leave takes a while at A2E, so kills land in the middle of some of them.
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/streaming-avatar/leave", "latency": 0.4},
    ).raise_for_status()
    control.delete("/_sandbox/requests").raise_for_status()
    return opened


def _closed(ids):
    return lambda: not Room.objects.filter(pk__in=ids).exclude(state=Room.State.LEFT).exists()


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_killing_the_worker_5_times_leaves_every_room_once(rooms, control, procs):
    with transaction.atomic():
        for room in rooms:
            assert leaving.request_leave(room, Room.Reason.LEFT)
    procs("beat")
    rng = random.Random(5)  # noqa: S311 - reproducible kill times
    for _ in range(5):
        worker = procs("worker")
        time.sleep(rng.uniform(1.0, 2.5))
        worker.kill()
    procs("worker")
    ids = [room.pk for room in rooms]
    processes.wait_until(_closed(ids), timeout=120, what="every room left")

    log = control.get("/_sandbox/requests", params={"path": "/a2e/api/v1/streaming-avatar/leave"})
    leaves = log.json()["requests"]
    for room in Room.objects.filter(pk__in=ids):
        sent = [r for r in leaves if r.get("json", {}).get("channel") == room.channel]
        acknowledged = [r for r in sent if r["status"] == 200]
        assert len(acknowledged) == 1, room.channel
        # Once we wrote it left, nothing more went out for it.
        assert all(_at(r["time"]) <= room.left_at for r in sent), room.channel
        assert room.events.filter(text__contains="acknowledged").count() <= 1
        assert room.events.filter(text__startswith="Leaving").count() == 1


def test_leaves_survive_a_wiped_broker(rooms, control, procs):
    with transaction.atomic():
        for room in rooms:
            assert leaving.request_leave(room, Room.Reason.LEFT)
    wipe_broker()  # every leave message is gone before any worker saw it
    procs("beat")
    procs("worker")
    ids = [room.pk for room in rooms]
    processes.wait_until(_closed(ids), timeout=120, what="every room left")
    log = control.get("/_sandbox/requests", params={"path": "/a2e/api/v1/streaming-avatar/leave"})
    acknowledged = [r for r in log.json()["requests"] if r["status"] == 200]
    assert sorted(r["json"]["channel"] for r in acknowledged) == sorted(r.channel for r in rooms)
