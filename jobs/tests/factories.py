"""factory_boy factories for jobs and their stored files."""

import factory
from django.core.files.base import ContentFile

from jobs.models import Job, JobFile, Status
from teams.tests.factories import ProviderAccountFactory, TeamFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="a2e"
    )
    provider = "a2e"
    kind = "a2e.dubbing"
    label = factory.Sequence(lambda n: f"Dub {n}")
    params = factory.LazyFunction(lambda: {"target_lang": "de", "source_lang": "en"})
    status = Status.PROCESSING
    remote_id = factory.Sequence(lambda n: f"{n:024x}")


class JobFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobFile

    job = factory.SubFactory(JobFactory)
    role = "result"
    file = factory.LazyFunction(lambda: ContentFile(b"RIFF....WAVEfmt ", name="result.wav"))
    content_type = "audio/wav"
    size = 16
    sha256 = "0" * 64
