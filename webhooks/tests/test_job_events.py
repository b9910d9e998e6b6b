"""Jobs are announced to the team's webhooks: created, then completed or failed, once."""

import json

import pytest

from jobs import engine
from jobs.models import Job, Status
from jobs.tests.factories import JobFactory
from webhooks.models import Delivery, EventType
from webhooks.tests.factories import EndpointFactory

pytestmark = pytest.mark.django_db


def _bodies():
    return [json.loads(d.body) for d in Delivery.objects.order_by("pk")]


def test_a_job_is_announced_created_then_completed_once(team):
    EndpointFactory(team=team, event_types=[EventType.JOB_CREATED, EventType.JOB_COMPLETED])
    job = JobFactory(team=team, label="Chapter 1 → Narrator")
    engine.announce(job.pk)
    Job.objects.filter(pk=job.pk).update(status=Status.COMPLETED)
    engine.announce(job.pk)
    engine.announce(job.pk)
    assert [(b["type"], b["data"]["id"]) for b in _bodies()] == [
        ("job.created", job.pk),
        ("job.completed", job.pk),
    ]
    assert _bodies()[1]["data"]["label"] == "Chapter 1 → Narrator"


def test_a_failed_job_carries_its_reason_and_other_teams_hear_nothing(team, other_team):
    EndpointFactory(team=team, event_types=[EventType.JOB_FAILED])
    EndpointFactory(team=other_team, event_types=[EventType.JOB_FAILED])
    job = JobFactory(team=team, status=Status.FAILED, last_error="Voice not found")
    Job.objects.filter(pk=job.pk).update(announced=Status.QUEUED)
    engine.announce(job.pk)
    (delivery,) = Delivery.objects.all()
    assert delivery.endpoint.team == team
    body = json.loads(delivery.body)
    assert body["type"] == "job.failed" and body["data"]["error"] == "Voice not found"


def test_only_subscribed_events_are_delivered(team):
    EndpointFactory(team=team, event_types=[EventType.JOB_FAILED])
    job = JobFactory(team=team)
    engine.announce(job.pk)
    Job.objects.filter(pk=job.pk).update(status=Status.COMPLETED)
    engine.announce(job.pk)
    assert not Delivery.objects.exists()
