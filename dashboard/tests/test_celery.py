"""Every task of ours can be sent: Celery refuses, at send time, a task whose soft time
limit (its own or the global CELERY_TASK_SOFT_TIME_LIMIT) exceeds its hard one. Beat
then logs an error on each tick and the task never runs (the webhook sweeps did so)."""

import pytest

from dashboard.celery import app

OURS = ("dubbing.", "jobs.", "teams.", "voices.", "webhooks.")


def _ours():
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if name.startswith(OURS))


def test_every_task_is_found():
    assert {"jobs.submit", "webhooks.sweep_deliveries", "dubbing.import_records"} <= set(_ours())


@pytest.mark.parametrize("name", _ours())
def test_a_task_can_be_sent_with_its_time_limits(name):
    task = app.tasks[name]
    soft = task.soft_time_limit or app.conf.task_soft_time_limit
    hard = task.time_limit or app.conf.task_time_limit
    assert soft is None or hard is None or soft <= hard, (name, soft, hard)


@pytest.mark.parametrize("entry", sorted(app.conf.beat_schedule))
def test_every_scheduled_task_exists(entry):
    assert app.conf.beat_schedule[entry]["task"] in app.tasks
