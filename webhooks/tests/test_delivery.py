"""Outbound deliveries: publishing, signing, the retry schedule, and what each answer means."""

import socket
from datetime import timedelta

import httpx
import pytest
import respx
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from webhooks import delivery, signing, tasks
from webhooks.events import publish, send_test
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, EventType
from webhooks.tests.factories import ENDPOINT_SECRET, DeliveryFactory, EndpointFactory

pytestmark = pytest.mark.django_db


def _send(delivery_id, **kwargs):
    """Run the send task in this process, as a worker would."""
    return tasks.send_delivery(delivery_id, **kwargs)


def _due(clock, d):
    d.refresh_from_db()
    clock.now = d.next_attempt_at
    return d


@pytest.fixture
def endpoint(team, receiver, allow_loopback):
    return EndpointFactory(team=team, url=receiver.url, event_types=[EventType.JOB_COMPLETED])


# Publishing


def test_publish_makes_one_delivery_per_enabled_subscribed_endpoint(
    team, other_team, enqueued, django_capture_on_commit_callbacks
):
    wanted = [EndpointFactory(team=team), EndpointFactory(team=team)]
    EndpointFactory(team=team, enabled=False)
    EndpointFactory(team=team, event_types=[EventType.VOICE_CREATED])
    EndpointFactory(team=other_team)

    with django_capture_on_commit_callbacks(execute=True):
        deliveries = publish(team, "job.completed", {"job": 7})

    assert sorted(d.endpoint_id for d in deliveries) == sorted(e.pk for e in wanted)
    assert len({d.msg_id for d in deliveries}) == 2
    assert all(d.msg_id.startswith("msg_") for d in deliveries)
    assert [c[1] for c in enqueued] == [(d.pk,) for d in deliveries]
    body = deliveries[0].payload
    assert body["type"] == "job.completed" and body["data"] == {"job": 7}
    assert "T" in body["timestamp"] and body["timestamp"].endswith("+00:00")


def test_publish_enqueues_only_after_commit(team, enqueued, django_capture_on_commit_callbacks):
    EndpointFactory(team=team)
    with django_capture_on_commit_callbacks() as callbacks:
        publish(team, "job.completed", {})
        assert enqueued == []
    assert len(callbacks) == 1


def test_a_rolled_back_publish_leaves_no_delivery_and_sends_nothing(
    team, enqueued, django_capture_on_commit_callbacks
):
    EndpointFactory(team=team)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        publish(team, "job.completed", {})
        transaction.set_rollback(True)
    assert callbacks == [] and enqueued == []
    assert not Delivery.objects.exists()


def test_publish_refuses_an_unknown_event_type(team):
    with pytest.raises(ValueError, match="Unknown webhook event type"):
        publish(team, "job.exploded", {})


# The happy path, over real HTTP


def test_a_delivery_reaches_a_local_receiver_signed_the_standard_way(
    clock, endpoint, receiver, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (d,) = publish(endpoint.team, "job.completed", {"job": 1, "state": "done"})
    (_name, args, kwargs) = enqueued[0]
    _send(*args, **kwargs)

    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["webhook-id"] == d.msg_id
    assert headers["webhook-timestamp"] == str(int(clock.now.timestamp()))
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "Voxboard-Webhooks/1"
    # The reference library accepts it, and so does our own verifier.
    assert Webhook(ENDPOINT_SECRET).verify(request["body"], headers)["data"]["job"] == 1
    assert signing.verify(ENDPOINT_SECRET, headers, request["body"]) == d.msg_id

    d.refresh_from_db()
    assert d.status == DeliveryStatus.SUCCEEDED and d.attempts == 1
    assert d.next_attempt_at is None and d.holder == "" and d.held_until is None
    (attempt,) = d.attempt_log.all()
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert attempt.error == "" and attempt.manual is False


def test_a_test_event_goes_to_the_endpoint_whatever_it_subscribes_to(clock, endpoint, receiver):
    d = send_test(endpoint)
    _send(d.pk, holder=d.holder)
    assert receiver.json()["type"] == "webhook.test"
    assert receiver.json()["data"]["team"] == endpoint.team.slug


def test_the_response_excerpt_is_cut_at_one_kilobyte(clock, endpoint, receiver):
    receiver.answer(200, body=b"x" * 5000)
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    assert len(DeliveryAttempt.objects.get().response_excerpt) == 1024


# Retries


def test_failures_follow_the_retry_schedule_then_give_up_after_eight_attempts(
    clock, endpoint, receiver
):
    d = DeliveryFactory(endpoint=endpoint)
    for expected in [*delivery.RETRY_SCHEDULE, None]:
        receiver.answer(500, body=b"down")
        sent_at = clock.now
        _send(d.pk)
        d.refresh_from_db()
        if expected is None:
            break
        assert d.status == DeliveryStatus.PENDING
        wait = d.next_attempt_at - sent_at
        assert expected * 0.9 <= wait <= expected * 1.1, (d.attempts, wait)
        # Not due before its time: a send now does nothing.
        _send(d.pk)
        clock.now = d.next_attempt_at

    assert d.status == DeliveryStatus.ABANDONED and d.next_attempt_at is None
    assert d.attempts == delivery.MAX_ATTEMPTS == 8
    assert len(receiver.requests) == 8
    assert {r["headers"]["webhook-id"] for r in receiver.requests} == {d.msg_id}
    assert d.attempt_log.count() == 8 and d.last_error == "HTTP 500"


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_throttling_and_server_errors_are_retried(clock, endpoint, receiver, status):
    receiver.answer(status)
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING and d.next_attempt_at > clock.now
    assert d.last_status_code == status


def test_retry_after_is_honoured_when_longer_than_the_schedule(clock, endpoint, receiver):
    receiver.answer(429, {"Retry-After": "3600"})
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    d.refresh_from_db()
    assert d.next_attempt_at - clock.now == timedelta(seconds=3600)


def test_a_shorter_retry_after_does_not_shorten_the_schedule(clock, endpoint, receiver):
    receiver.answer(503, {"Retry-After": "1"})
    d = DeliveryFactory(endpoint=endpoint, attempts=2)
    _send(d.pk)
    d.refresh_from_db()
    wait = d.next_attempt_at - clock.now
    assert timedelta(minutes=27) <= wait <= timedelta(minutes=33)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_client_errors_are_not_retried(clock, endpoint, receiver, status):
    receiver.answer(status)
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None
    assert d.last_error == f"HTTP {status}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_neither_followed_nor_retried(clock, endpoint, receiver, status):
    receiver.answer(status, {"Location": receiver.url + "/elsewhere"})
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED
    assert len(receiver.requests) == 1


def test_410_gone_disables_the_endpoint_and_stops(clock, endpoint, receiver):
    receiver.answer(410)
    d = DeliveryFactory(endpoint=endpoint)
    waiting = DeliveryFactory(endpoint=endpoint, next_attempt_at=clock.now + timedelta(hours=1))
    _send(d.pk)
    d.refresh_from_db()
    waiting.refresh_from_db()
    endpoint.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None
    assert endpoint.enabled is False and "410" in endpoint.disabled_reason
    assert waiting.status == DeliveryStatus.ABANDONED
    # Nothing further goes to a disabled endpoint.
    assert publish(endpoint.team, "job.completed", {}) == []


def test_a_timeout_is_retried(clock, team):
    endpoint = EndpointFactory(team=team)
    d = DeliveryFactory(endpoint=endpoint)
    with respx.mock:
        respx.post(endpoint.url).mock(side_effect=httpx.ReadTimeout("slow"))
        _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING and "Timed out" in d.last_error
    assert DeliveryAttempt.objects.get().status_code is None


def test_a_refused_connection_is_retried(clock, team, allow_loopback):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = DeliveryFactory(endpoint=EndpointFactory(team=team, url=f"http://127.0.0.1:{port}/"))
    _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING and "ConnectError" in d.last_error


def test_a_delivery_for_a_disabled_endpoint_is_abandoned_unsent(clock, endpoint, receiver):
    d = DeliveryFactory(endpoint=endpoint)
    endpoint.enabled = False
    endpoint.save()
    _send(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.ABANDONED and receiver.requests == []


# Holds, lost messages and redelivery


def test_a_duplicated_message_sends_once(clock, endpoint, receiver):
    d = send_test(endpoint)
    _send(d.pk, holder=d.holder)
    _send(d.pk, holder=d.holder)
    assert len(receiver.requests) == 1


def test_a_held_delivery_cannot_be_taken_twice(clock, endpoint):
    d = DeliveryFactory(endpoint=endpoint)
    assert delivery.take(d.pk) is not None
    assert delivery.take(d.pk) is None
    assert delivery.take(d.pk, holder="someone-elses") is None


def test_a_delivery_whose_hold_lapses_exactly_now_is_free(clock, endpoint):
    d = DeliveryFactory(endpoint=endpoint)
    delivery.take(d.pk)
    clock.advance(delivery.HOLD_FOR - timedelta(microseconds=1))
    assert delivery.take(d.pk) is None
    clock.advance(timedelta(microseconds=1))
    assert delivery.take(d.pk) is not None


def test_the_sweep_sends_a_delivery_whose_message_was_lost(clock, endpoint, receiver, enqueued):
    d = send_test(endpoint)  # its message is never delivered: enqueued is a recorder
    assert tasks.sweep_deliveries() == 0  # still held for that message
    clock.advance(delivery.HOLD_FOR)
    assert tasks.sweep_deliveries() == 1
    assert tasks.sweep_deliveries() == 0  # held again, so not enqueued twice
    (_name, args, kwargs) = enqueued[-1]
    _send(*args, **kwargs)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SUCCEEDED and len(receiver.requests) == 1


def test_the_sweep_picks_up_a_retry_when_it_is_due(clock, endpoint, receiver, enqueued):
    receiver.answer(500)
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    assert tasks.sweep_deliveries() == 0
    _due(clock, d)
    assert tasks.sweep_deliveries() == 1


def test_a_redelivery_is_a_new_attempt_with_the_same_webhook_id(clock, endpoint, receiver):
    d = DeliveryFactory(endpoint=endpoint)
    _send(d.pk)
    holder = delivery.redeliver(d)
    clock.advance(60)
    _send(d.pk, holder=holder, manual=True)
    d.refresh_from_db()
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [d.msg_id, d.msg_id]
    assert d.status == DeliveryStatus.SUCCEEDED and d.attempts == 2
    assert [a.manual for a in d.attempt_log.order_by("at")] == [False, True]


def test_an_attempt_in_flight_is_not_redelivered_over(clock, endpoint):
    d = DeliveryFactory(endpoint=endpoint)
    assert delivery.take(d.pk)
    assert delivery.redeliver(d) is None


def test_old_finished_deliveries_are_purged_and_pending_ones_kept(clock, endpoint):
    old = DeliveryFactory(endpoint=endpoint, status="succeeded", finished_at=clock.now)
    waiting = DeliveryFactory(endpoint=endpoint)
    clock.advance(tasks.KEEP_FOR + timedelta(minutes=1))
    recent = DeliveryFactory(endpoint=endpoint, status="failed", finished_at=clock.now)
    DeliveryAttempt.objects.create(delivery=old, at=old.finished_at, status_code=200)
    assert tasks.purge_old() == 1
    assert set(Delivery.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not Delivery.objects.filter(pk=old.pk).exists()
