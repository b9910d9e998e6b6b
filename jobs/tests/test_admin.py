"""Operators act on jobs from the admin: retry, cancel and poll now."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from jobs.models import Job, Status
from jobs.tests.factories import JobFactory


@pytest.fixture
def operator_client(db):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-ops-12345")
    client = Client()
    client.force_login(user)
    return client


def _act(client, action, jobs):
    return client.post(
        reverse("admin:jobs_job_changelist"),
        {"action": action, "_selected_action": [j.pk for j in jobs]},
    )


def test_the_changelist_filters_by_state_kind_and_provider(operator_client, team):
    JobFactory(team=team, label="running one", status=Status.PROCESSING)
    JobFactory(team=team, label="broken one", status=Status.FAILED)
    url = reverse("admin:jobs_job_changelist")
    body = operator_client.get(
        url, {"status": "failed", "kind": "a2e.dubbing", "provider": "a2e"}
    ).content.decode()
    assert "broken one" in body and "running one" not in body


def test_admin_actions_retry_cancel_and_poll_now(operator_client, team):
    failed = JobFactory(team=team, status=Status.FAILED)
    running = JobFactory(team=team, status=Status.PROCESSING, kind="test.fake")
    _act(operator_client, "retry", [failed])
    assert Job.objects.filter(retry_of=failed, status=Status.QUEUED).count() == 1
    _act(operator_client, "poll_now", [running])
    assert Job.objects.get(pk=running.pk).next_poll_at is not None
    _act(operator_client, "cancel", [running])
    assert Job.objects.get(pk=running.pk).status == Status.CANCELED
