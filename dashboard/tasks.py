"""Celery tasks of the project package: making the demo team lived-in."""

from celery import shared_task
from django.contrib.auth import get_user_model

from dashboard import demo
from teams.models import Team

# `make run` enqueues this before the sandbox is up: ask again every 2 s for 2 minutes.
READY_RETRIES, READY_DELAY = 60, 2


@shared_task(
    name="dashboard.liven_demo",
    bind=True,
    acks_late=True,
    max_retries=READY_RETRIES,
    soft_time_limit=300,
    time_limit=330,
)
def liven_demo(self, team_id: int, user_id: int) -> str:
    team = Team.objects.filter(pk=team_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if team is None:
        return "gone"
    try:
        return "; ".join(demo.liven(team, user))
    except demo.NotReady as exc:
        raise self.retry(countdown=READY_DELAY, exc=exc) from exc
