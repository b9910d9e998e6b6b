"""What one poll tick costs over many in-flight A2E dubbings, measured against the sandbox.

Shared by the integration test (few upstream calls, the same queries at any size) and
bench/jobs.py (which also reports the wall time).
"""

import time
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import engine
from jobs.models import Job, Status


@dataclass(frozen=True)
class TickCost:
    jobs: int  # rows the tick claimed
    calls: int  # upstream requests it made
    queries: int  # SQL queries it ran
    ms: float  # wall time


def tick_cost(control, account, n: int) -> TickCost:
    """Reset the sandbox (config included), seed `n` processing A2E dubbings there with a
    due Job row on `account` for each, run one tick, then delete the rows again."""
    control.post("/_sandbox/reset").raise_for_status()
    seeded = control.post(
        "/_sandbox/seed", json={"kind": "a2e.dubbing", "count": n, "status": "processing"}
    ).raise_for_status()
    ids = seeded.json().get("ids", [])
    if len(ids) < n:  # the control API lists ids only up to 1000: read the rest upstream
        from teams.connection import client_for

        ids = [d.id for d in client_for(account).list_processing_dubbings()]
    past = timezone.now()
    Job.objects.bulk_create(
        (
            Job(
                team=account.team,
                account=account,
                provider="a2e",
                kind="a2e.dubbing",
                label=f"seeded {i}",
                status=Status.PROCESSING,
                remote_id=rid,
                next_poll_at=past,
            )
            for i, rid in enumerate(ids)
        ),
        batch_size=1000,
    )
    control.delete("/_sandbox/requests").raise_for_status()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        stats = engine.poll_due()
        elapsed = (time.perf_counter() - started) * 1000
    calls = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()["count"]
    Job.objects.all().delete()
    return TickCost(jobs=stats["jobs"], calls=calls, queries=len(queries), ms=elapsed)
