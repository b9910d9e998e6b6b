"""Inbound callbacks: verification, idempotency on webhook-id, and processing by handlers."""

import json
import time
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from teams.tests.factories import ProviderAccountFactory
from webhooks import inbound, signing, tasks
from webhooks.models import InboundEvent, InboundHook, InboundStatus
from webhooks.tests.factories import ENDPOINT_SECRET, InboundEventFactory, InboundHookFactory

pytestmark = pytest.mark.django_db

BODY = json.dumps({"type": "job.updated", "data": {"job_id": "j-1", "status": "done"}}).encode()


@pytest.fixture
def hook(a2e_account):
    return InboundHookFactory(account=a2e_account)


@pytest.fixture
def handled(monkeypatch):
    """A handler registered for A2E, recording what it is given."""
    calls = []
    monkeypatch.setattr(inbound, "_handlers", {})
    inbound.register("a2e", lambda account, payload: calls.append((account, payload)))
    return calls


def _headers(msg_id="evt_1", timestamp=None, body=BODY, secret=ENDPOINT_SECRET):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return signing.signed_headers(secret, msg_id, timestamp, body)


# Processing


def test_a_registered_handler_gets_the_account_and_payload(hook, handled, clock):
    event = InboundEventFactory(hook=hook, payload={"type": "job.updated", "n": 1})
    assert tasks.process_inbound(event.pk) is None
    event.refresh_from_db()
    assert event.status == InboundStatus.PROCESSED and event.processed_at == clock.now
    assert handled == [(hook.account, {"type": "job.updated", "n": 1})]


def test_without_a_handler_the_event_is_kept_and_marked_unhandled(hook, monkeypatch):
    monkeypatch.setattr(inbound, "_handlers", {})
    event = InboundEventFactory(hook=hook)
    inbound.process(event.pk)
    event.refresh_from_db()
    assert event.status == InboundStatus.UNHANDLED and event.payload


def test_a_processed_event_is_not_processed_again(hook, handled):
    event = InboundEventFactory(hook=hook)
    inbound.process(event.pk)
    assert inbound.process(event.pk) is None
    assert len(handled) == 1


def test_a_failing_handler_is_retried_a_bounded_number_of_times(hook, clock, monkeypatch):
    monkeypatch.setattr(inbound, "_handlers", {})

    def broken(account, payload):
        raise RuntimeError("upstream record missing")

    inbound.register("a2e", broken)
    event = InboundEventFactory(hook=hook)
    statuses = []
    for _ in range(inbound.MAX_ATTEMPTS):
        statuses.append(inbound.process(event.pk))
        assert inbound.process(event.pk) is None  # backing off, not due yet
        clock.advance(timedelta(hours=1))
    event.refresh_from_db()
    assert statuses == ["received", "received", "failed"]
    assert event.status == InboundStatus.FAILED and "upstream record missing" in event.error


def test_the_sweep_processes_an_event_whose_message_was_lost(hook, handled, clock, enqueued):
    event, created = inbound.receive(hook, _headers(), BODY)
    assert created and tasks.sweep_inbound() == 0  # held for its own message
    clock.advance(inbound.HOLD_FOR)
    assert tasks.sweep_inbound() == 1
    (_name, args, kwargs) = enqueued[-1]
    tasks.process_inbound(*args, **kwargs)
    event.refresh_from_db()
    assert event.status == InboundStatus.PROCESSED and len(handled) == 1


def test_registering_an_unknown_provider_is_an_error():
    with pytest.raises(ValueError):
        inbound.register("elevenlabs", lambda account, payload: None)


def test_receive_refuses_without_writing(hook):
    with pytest.raises(inbound.Rejected) as refused:
        inbound.receive(hook, _headers(secret=signing.generate_secret()), BODY)
    assert refused.value.status == 401
    assert not InboundEvent.objects.exists()


def test_hooks_are_made_with_unique_url_safe_tokens(a2e_account, team):
    second = InboundHookFactory(account=ProviderAccountFactory(team=team, provider="burki"))
    first = InboundHookFactory(account=a2e_account)
    assert first.token != second.token and len(first.token) >= 32
    assert InboundHook.objects.for_team(team).count() == 2


# The public endpoint


def _inbound_url(hook, provider=None):
    return reverse(
        "webhook_inbound",
        kwargs={"provider": provider or hook.account.provider, "token": hook.token},
    )


def _post(hook, body=BODY, headers=None, provider=None):
    # Upstreams hold no session or CSRF token; the view must not need one.
    client = Client(enforce_csrf_checks=True)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    return client.post(_inbound_url(hook, provider), body, content_type="application/json", **extra)


def test_a_signed_callback_is_stored_and_processed_in_the_request(
    hook, handled, clock, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(hook, headers=_headers(timestamp=int(clock.now.timestamp())))
    assert response.status_code == 200
    assert response.json() == {"received": "evt_1", "duplicate": False}
    event = InboundEvent.objects.get()
    assert event.event_type == "job.updated" and event.payload["data"]["job_id"] == "j-1"
    assert event.status == InboundStatus.PROCESSED
    assert handled == [(hook.account, json.loads(BODY))]
    # Its message was sent before, in case the request died; arriving now, it does nothing.
    (name, args, kwargs) = enqueued[0]
    assert name == "webhooks.process_inbound"
    tasks.process_inbound(*args, **kwargs)
    assert len(handled) == 1


def test_a_callback_the_request_could_not_process_is_processed_by_its_task(
    hook, handled, clock, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    real_process = inbound.process

    def database_busy(event_id, holder=""):
        raise OperationalError("database is locked")

    monkeypatch.setattr(inbound, "process", database_busy)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(hook, headers=_headers(timestamp=int(clock.now.timestamp())))
    assert response.status_code == 200  # stored: the sender need not send it again
    assert InboundEvent.objects.get().status == InboundStatus.RECEIVED and handled == []
    monkeypatch.setattr(inbound, "process", real_process)
    (_name, args, kwargs) = enqueued[0]
    tasks.process_inbound(*args, **kwargs)
    assert InboundEvent.objects.get().status == InboundStatus.PROCESSED and len(handled) == 1


def test_a_replayed_webhook_id_is_handled_once(
    hook, handled, clock, enqueued, django_capture_on_commit_callbacks
):
    headers = _headers(timestamp=int(clock.now.timestamp()))
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(hook, headers=headers)
        clock.advance(30)
        again = _post(hook, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["duplicate"] is True
    assert InboundEvent.objects.count() == 1 and len(enqueued) == 1
    for _name, args, kwargs in enqueued:
        tasks.process_inbound(*args, **kwargs)
        tasks.process_inbound(*args, **kwargs)  # and a duplicated message changes nothing
    assert len(handled) == 1


@pytest.mark.parametrize(("offset", "word"), [(-301, "old"), (301, "ahead")])
def test_a_timestamp_301_seconds_off_is_refused_and_writes_nothing(hook, clock, offset, word):
    response = _post(hook, headers=_headers(timestamp=int(clock.now.timestamp()) + offset))
    assert response.status_code == 401 and word in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_a_wrong_secret_is_refused_and_writes_nothing(hook, clock):
    headers = _headers(timestamp=int(clock.now.timestamp()), secret=signing.generate_secret())
    assert _post(hook, headers=headers).status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_changed_body_is_refused_and_writes_nothing(hook, clock):
    headers = _headers(timestamp=int(clock.now.timestamp()))
    tampered = BODY.replace(b"done", b"fail")
    assert _post(hook, body=tampered, headers=headers).status_code == 401
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_refused_and_write_nothing(hook, clock, missing):
    headers = _headers(timestamp=int(clock.now.timestamp()))
    del headers[missing]
    response = _post(hook, headers=headers)
    assert response.status_code == 400 and missing in response.json()["error"]
    assert not InboundEvent.objects.exists()


def test_a_body_that_is_not_a_json_object_is_refused(hook, clock):
    body = b"[1, 2, 3]"
    headers = _headers(timestamp=int(clock.now.timestamp()), body=body)
    assert _post(hook, body=body, headers=headers).status_code == 400
    assert not InboundEvent.objects.exists()


def test_an_unknown_token_or_wrong_provider_is_not_found(hook, clock):
    headers = _headers(timestamp=int(clock.now.timestamp()))
    assert _post(hook, headers=headers, provider="burki").status_code == 404
    assert _post(hook, headers=headers, provider="nope").status_code == 404
    hook.token = "not-the-token"
    assert _post(hook, headers=headers).status_code == 404
    assert not InboundEvent.objects.exists()


def test_the_inbound_url_takes_only_post(client, hook):
    assert client.get(_inbound_url(hook)).status_code == 405
