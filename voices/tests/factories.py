"""factory_boy factories for catalog voices and sync runs."""

import factory
from django.utils import timezone

from teams.tests.factories import ProviderAccountFactory, TeamFactory
from voices.models import Kind, SyncRun, Voice


class VoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voice

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="a2e"
    )
    provider = factory.SelfAttribute("account.provider")
    remote_id = factory.Sequence(lambda n: f"voice-{n}")
    kind = Kind.CLONE
    name = factory.Sequence(lambda n: f"Voice {n:05d}")
    status = "completed"
    can_speak = True
    fingerprint = "0" * 32
    first_seen_at = factory.LazyFunction(timezone.now)
    synced_at = factory.LazyFunction(timezone.now)


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="a2e"
    )
