"""factory_boy factories for the Respeecher mirror and its sync runs."""

import factory
from django.utils import timezone

from recordings.models import Calibration, Folder, Project, Recording, SyncRun
from teams.tests.factories import ProviderAccountFactory, TeamFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="respeecher"
    )
    remote_id = factory.Sequence(lambda n: f"project-{n}")
    name = factory.Sequence(lambda n: f"Project {n:05d}")
    fingerprint = "0" * 32


class FolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Folder

    project = factory.SubFactory(ProjectFactory)
    team = factory.SelfAttribute("project.team")
    account = factory.SelfAttribute("project.account")
    remote_id = factory.Sequence(lambda n: f"folder-{n}")
    name = factory.Sequence(lambda n: f"Folder {n:04d}")
    fingerprint = "0" * 32


class CalibrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calibration

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="respeecher"
    )
    remote_id = factory.Sequence(lambda n: f"calibration-{n}")
    name = factory.Sequence(lambda n: f"Booth {n}")
    state = "completed"
    created_at = factory.LazyFunction(timezone.now)
    fingerprint = "0" * 32


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    project = factory.SubFactory(ProjectFactory)
    team = factory.SelfAttribute("project.team")
    account = factory.SelfAttribute("project.account")
    remote_id = factory.Sequence(lambda n: f"recording-{n}")
    kind = Recording.Kind.ORIGINAL
    label = factory.Sequence(lambda n: f"Take {n}")
    # As Respeecher lists them: when each was made, and the voice a conversion is in.
    created_at = factory.LazyFunction(timezone.now)
    model_name = factory.LazyAttribute(
        lambda r: "Calm narrator" if r.kind == Recording.Kind.CONVERSION else ""
    )
    fingerprint = "0" * 32


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="respeecher"
    )


def conversion_jobs_in_flight(account, *, folder_id: str, original_id: str, remote_ids) -> list:
    """Processing respeecher.conversion jobs, due now, for conversions Respeecher holds in
    flight (seeded in the sandbox): what a poll tick then has to follow."""
    from django.utils import timezone

    from jobs.models import Job, Status
    from recordings.kinds import RespeecherConversion

    params = RespeecherConversion.Params(
        original_id=original_id, folder_id=folder_id, voice_id="in-flight-voice"
    ).as_json()
    return Job.objects.bulk_create(
        Job(
            team=account.team,
            account=account,
            provider=account.provider,
            kind=RespeecherConversion.name,
            label="in flight",
            params=params,
            status=Status.PROCESSING,
            remote_id=remote_id,
            next_poll_at=timezone.now(),
        )
        for remote_id in remote_ids
    )
