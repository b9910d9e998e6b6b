"""The admin shows endpoints, deliveries and hooks without ever showing a secret."""

import pytest
from django.urls import reverse

from webhooks.models import Delivery
from webhooks.tests.factories import (
    ENDPOINT_SECRET,
    DeliveryFactory,
    EndpointFactory,
    InboundEventFactory,
    InboundHookFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(team, a2e_account):
    endpoint = EndpointFactory(team=team)
    d = DeliveryFactory(endpoint=endpoint)
    hook = InboundHookFactory(account=a2e_account)
    event = InboundEventFactory(hook=hook)
    return {"endpoint": endpoint, "delivery": d, "inboundhook": hook, "inboundevent": event}


@pytest.mark.parametrize("model", ["endpoint", "delivery", "inboundhook", "inboundevent"])
def test_admin_pages_never_show_a_secret(admin_client, objects, model):
    obj = objects[model]
    for url in (
        reverse(f"admin:webhooks_{model}_changelist"),
        reverse(f"admin:webhooks_{model}_change", args=[obj.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert ENDPOINT_SECRET not in body, url
        assert ENDPOINT_SECRET[6:-4] not in body, url


def test_the_endpoint_admin_shows_the_last_four(admin_client, objects):
    url = reverse("admin:webhooks_endpoint_change", args=[objects["endpoint"].pk])
    assert ENDPOINT_SECRET[-4:] in admin_client.get(url).content.decode()


def test_the_delivery_admin_lists_attempts_inline(admin_client, objects, clock):
    d = objects["delivery"]
    d.attempt_log.create(at=clock.now, status_code=502, response_excerpt="bad gateway here")
    body = admin_client.get(reverse("admin:webhooks_delivery_change", args=[d.pk])).content
    assert b"bad gateway here" in body


def test_the_redeliver_action_queues_each_delivery(
    admin_client, objects, clock, enqueued, django_capture_on_commit_callbacks
):
    d = objects["delivery"]
    Delivery.objects.filter(pk=d.pk).update(status="abandoned", next_attempt_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "redeliver", "_selected_action": [d.pk]},
        )
    d.refresh_from_db()
    assert d.status == "pending"
    assert enqueued == [("webhooks.send_delivery", (d.pk,), {"holder": d.holder, "manual": True})]


def test_the_admin_refuses_a_private_address_too(admin_client, objects):
    endpoint = objects["endpoint"]
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        {"url": "http://internal.example.com/", "event_types": ["job.completed"], "enabled": "on"},
    )
    assert response.status_code == 200 and b"a private address" in response.content
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/voxboard"
