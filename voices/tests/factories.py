"""factory_boy factories for catalog voices and sync runs."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jobs.tests.audio import wav
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


def sample(seconds=16.0, name="sample.wav", data=None):
    """A voice sample as a form uploads it: `seconds` of real WAV, or `data` as given."""
    return SimpleUploadedFile(name, wav(seconds) if data is None else data, "audio/wav")
