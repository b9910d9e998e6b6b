"""The bulk writers: each row its own values, NULLs and JSON included, on either database."""

from datetime import timedelta

from django.utils import timezone

from core.bulk import update_rows
from jobs.models import Job, Status
from jobs.tests.factories import JobFactory


def test_each_row_gets_its_own_values(team, a2e_account):
    jobs = [JobFactory(team=team, account=a2e_account) for _ in range(3)]
    untouched = JobFactory(team=team, account=a2e_account, remote_status="running")
    now = timezone.now()
    jobs[0].finished_at = None  # a NULL in the first row must not confuse the column type
    jobs[0].status, jobs[0].remote = Status.PROCESSING, {"pct": 10}
    jobs[1].finished_at, jobs[1].status = now, Status.COMPLETED
    jobs[1].remote = {"result": ["a", 1, None]}
    jobs[2].finished_at, jobs[2].status = now - timedelta(hours=1), Status.FAILED
    jobs[2].remote_message = "out of credits"
    for i, job in enumerate(jobs):
        job.remote_status = f"state-{i}"
    assert (
        update_rows(
            Job,
            jobs,
            ["status", "remote", "remote_status", "finished_at", "remote_message"],
            batch_size=2,
        )
        == 3
    )
    rows = {j.pk: j for j in Job.objects.all()}
    assert [rows[j.pk].remote_status for j in jobs] == ["state-0", "state-1", "state-2"]
    assert rows[jobs[0].pk].finished_at is None and rows[jobs[0].pk].remote == {"pct": 10}
    assert rows[jobs[1].pk].finished_at == now and rows[jobs[1].pk].remote["result"][2] is None
    assert rows[jobs[2].pk].status == Status.FAILED
    assert rows[jobs[2].pk].remote_message == "out of credits"
    assert rows[untouched.pk].remote_status == "running"


def test_upsert_inserts_then_writes_only_the_named_columns(team):
    from core.bulk import upsert_rows
    from recordings.models import Calibration
    from teams.tests.factories import ProviderAccountFactory

    account = ProviderAccountFactory(team=team, provider="respeecher")
    now = timezone.now()
    first = {
        "team": team,  # an instance stands for its key
        "account_id": account.pk,
        "remote_id": "cal-1",
        "name": "Studio A",
        "f0": 110.5,
        "raw": {"notes": ["a", None]},
        "calibrated_at": now,
        "fingerprint": "1",
        "first_seen_at": now,
        "synced_at": now,
    }
    unique, update = ["team", "account", "remote_id"], ["name", "f0", "raw", "fingerprint"]
    assert upsert_rows(Calibration, [first], unique=unique, update=update) == 1
    row = Calibration.objects.get()
    assert (row.name, row.f0, row.raw, row.calibrated_at) == ("Studio A", 110.5, first["raw"], now)
    assert row.enabled is False and row.gone_at is None  # missing columns take defaults
    later = {**first, "name": "Studio B", "f0": None, "calibrated_at": None, "enabled": True}
    upsert_rows(Calibration, [later], unique=unique, update=update)
    row = Calibration.objects.get()
    assert (row.name, row.f0) == ("Studio B", None)
    # Columns not named for update keep what the row had.
    assert row.calibrated_at == now and row.enabled is False
