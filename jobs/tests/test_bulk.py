"""update_rows writes each row's own values, NULLs and JSON included, on either database."""

from datetime import timedelta

from django.utils import timezone

from jobs.bulk import update_rows
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
