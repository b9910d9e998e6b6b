"""Provider status callbacks move the jobs they name, the same way polling does."""

import json
import time

import pytest

from jobs.models import Job, JobEvent, ResultsState, Status
from jobs.tests.factories import JobFactory
from teams.tests.factories import ProviderAccountFactory
from webhooks import inbound, signing
from webhooks.models import InboundStatus
from webhooks.tests.factories import ENDPOINT_SECRET, InboundHookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(a2e_account):
    return JobFactory(team=a2e_account.team, account=a2e_account, remote_id="d-1")


def _callback(hook, status, result_url=None, msg_id=None):
    record = {"_id": "d-1", "name": "Trailer", "current_status": status}
    if result_url:
        record["result_url"] = result_url
    body = json.dumps(
        {
            "type": f"a2e.dubbing.{status}",
            "data": {"provider": "a2e", "kind": "dubbing", "id": "d-1", "record": record},
        }
    ).encode()
    msg_id = msg_id or f"msg_{status}"
    headers = signing.signed_headers(ENDPOINT_SECRET, msg_id, int(time.time()), body)
    event, _created = inbound.receive(hook, headers, body)
    return inbound.process(event.pk, event.holder)


def test_a_completion_callback_finishes_the_job_and_queues_its_result(job, a2e_account):
    hook = InboundHookFactory(account=a2e_account)
    assert _callback(hook, "completed", "https://cdn.example/out.mp4") == InboundStatus.PROCESSED
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert job.results_state == ResultsState.PENDING
    assert job.result_urls == [["result", "https://cdn.example/out.mp4"]]
    assert job.events.filter(source=JobEvent.Source.WEBHOOK, status=Status.COMPLETED).exists()


def test_a_late_processing_callback_does_not_move_a_job_backwards(job, a2e_account):
    hook = InboundHookFactory(account=a2e_account)
    _callback(hook, "failed")
    _callback(hook, "processing")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.events.count() == 1


def test_a_callback_cannot_touch_another_accounts_job(job, other_team):
    stranger = ProviderAccountFactory(team=other_team, provider="a2e")
    hook = InboundHookFactory(account=stranger)
    _callback(hook, "completed", "https://cdn.example/out.mp4")
    assert Job.objects.get(pk=job.pk).status == Status.PROCESSING
