"""The migration that gave each hold on a job its own column keeps every hold that was
in force: the one shared column's time goes to the hold the job's state says it was."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("jobs", "0007_results_tries")]
AFTER = [("jobs", "0008_each_hold_its_own_column")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_held_job_keeps_its_hold_in_the_column_of_its_state(team, account):
    until = timezone.now() + timedelta(minutes=5)
    try:
        Job = _migrate(BEFORE).get_model("jobs", "Job")

        def job(status, results_state="none"):
            return Job.objects.create(
                team_id=team.pk,
                account_id=account.pk,
                provider="a2e",
                kind="test",
                label=status,
                status=status,
                results_state=results_state,
                held_until=until,
            ).pk

        sending = job("submitting")
        stepping = job("processing")
        copying = job("completed", "pending")
        queued = job("queued")
        done = job("completed", "stored")
        Job = _migrate(AFTER).get_model("jobs", "Job")
        holds = {
            row.pk: (row.submit_held_until, row.step_held_until, row.results_held_until)
            for row in Job.objects.all()
        }
    finally:
        # Whatever happened, leave the schema the other tests expect: every app's latest
        # (going back undid the migrations that depend on jobs' later ones too).
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert holds[sending] == (until, None, None)
    assert holds[stepping] == (None, until, None)
    assert holds[copying] == (None, None, until)
    # Neither a queued nor a finished job held anything: a leftover time is dropped.
    assert holds[queued] == holds[done] == (None, None, None)
