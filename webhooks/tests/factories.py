"""factory_boy factories for webhook endpoints, deliveries, inbound hooks and events."""

import factory
from django.utils import timezone

from teams import crypto
from teams.tests.factories import ProviderAccountFactory, TeamFactory
from webhooks.models import Delivery, Endpoint, EventType, InboundEvent, InboundHook

ENDPOINT_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"  # base64 of A..X


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint
        exclude = ["secret"]

    team = factory.SubFactory(TeamFactory)
    url = "https://hooks.example.com/voxboard"
    description = "Our receiver"
    event_types = factory.LazyFunction(lambda: [EventType.JOB_COMPLETED, EventType.JOB_FAILED])
    secret = ENDPOINT_SECRET
    secret_encrypted = factory.LazyAttribute(lambda e: crypto.encrypt(e.secret))
    secret_last4 = factory.LazyAttribute(lambda e: e.secret[-4:])


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    endpoint = factory.SubFactory(EndpointFactory)
    event_type = EventType.JOB_COMPLETED
    body = '{"type":"job.completed","timestamp":"2026-01-01T00:00:00+00:00","data":{"id":1}}'
    next_attempt_at = factory.LazyFunction(lambda: timezone.now())  # patchable clock


class InboundHookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundHook
        exclude = ["secret"]

    account = factory.SubFactory(ProviderAccountFactory)
    secret = ENDPOINT_SECRET
    secret_encrypted = factory.LazyAttribute(lambda h: crypto.encrypt(h.secret))
    secret_last4 = factory.LazyAttribute(lambda h: h.secret[-4:])


class InboundEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundEvent

    hook = factory.SubFactory(InboundHookFactory)
    webhook_id = factory.Sequence(lambda n: f"evt_{n}")
    event_type = "job.updated"
    payload = factory.LazyFunction(lambda: {"type": "job.updated"})
