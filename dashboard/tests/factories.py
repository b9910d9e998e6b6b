"""A team with a row of every kind, as the page walks (raw words, accessibility, viewer
forms) see it; its pages are the README's Tour screenshots."""

import itertools
from datetime import timedelta

from django.utils import timezone

from activity.models import Activity
from avatars.models import Utterance
from avatars.tests.factories import RoomFactory
from dashboard.tests.rawwords import PROVIDER_STATES, all_verbs, our_kinds
from dubbing.models import Batch, Dubbing
from jobs.models import JobEvent, Status
from jobs.tests.factories import JobFactory, JobFileFactory
from recordings.models import Recording
from recordings.tests.factories import (
    CalibrationFactory,
    FolderFactory,
    ProjectFactory,
    RecordingFactory,
)
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory, TeamFactory
from voices.tests.factories import VoiceFactory
from webhooks.models import EventType
from webhooks.tests.factories import DeliveryFactory, EndpointFactory, InboundEventFactory

# What a team would call its work: the walk's rows read like a real team's, so its
# screenshots (docs/screenshots/, the README's Tour) show what a producer would see.
TITLES = [
    "Spring launch teaser",
    "Northwind audiobook, chapter 3",
    "Product tour for Germany",
    "Podcast intro, episode 12",
    "Support line greeting",
    "Onboarding video, part 2",
    "Summer recipe short",
    "Museum audio guide, room 4",
    "Investor update voice-over",
    "Kids' story: The Lighthouse",
    "Conference opening speech",
    "Safety briefing, warehouse",
]


def team_with_everything():
    """A team of the walks' with a job of every kind in every state, an activity of
    every verb, a delivery of every event, voices, takes and a room. Returns (team,
    owner membership, jobs, the walker's objects by argument name, takes)."""
    team = TeamFactory(name="Northwind Studio")
    owner = MembershipFactory(team=team, role=Role.OWNER, user__username="maya.lindqvist")
    editor = MembershipFactory(team=team, role=Role.MEMBER, user__username="sam.okafor")
    now = timezone.now()
    accounts = {}
    for provider, credits in (
        ("a2e", {"coins": 10000.0, "diamonds": 12.0}),
        ("respeecher", {"credits": 25000.0}),
        ("burki", {}),
    ):
        accounts[provider] = ProviderAccountFactory(
            team=team,
            provider=provider,
            credits=credits,
            last_check_ok=True,
            last_checked_at=now - timedelta(minutes=2),
        )
    states = iter(PROVIDER_STATES * 20)
    titles = itertools.cycle(TITLES)
    jobs = []
    batches = []
    for name, kind in our_kinds().items():
        for status in Status.values:
            remote_status = next(states)
            title = next(titles)
            job = JobFactory(
                team=team,
                account=accounts[kind.provider],
                provider=kind.provider,
                kind=name,
                label=title,
                status=status,
                remote_status=remote_status,
                remote={"status": remote_status, "id": "r-1"},
                created_by=owner.user,
                finished_at=now if status in ("completed", "failed", "canceled") else None,
                announced=status,
            )
            for source in JobEvent.Source.values:
                JobEvent.objects.create(
                    job=job, status=status, remote_status=remote_status, source=source
                )
            if status == Status.COMPLETED:
                result = JobFileFactory(job=job)
            if name == "a2e.dubbing":
                batch = Batch.objects.create(team=team, name=title, source_lang="auto")
                batches.append(batch)
                Dubbing.objects.create(
                    team=team, batch=batch, job=job, name=title, target_lang="es"
                )
            jobs.append(job)
    for verb in all_verbs():
        Activity.objects.create(team=team, actor=owner.user, verb=verb, target_label=next(titles))
    Activity.objects.create(
        team=team,
        verb=Activity.Verb.JOB_FAILED,
        target_label="Spring launch teaser",
        outcome=Activity.Outcome.FAILED,
        message="A2E could not read the source video.",
    )
    endpoint = EndpointFactory(
        team=team, event_types=EventType.values, description="Our release tracker"
    )
    for event in EventType.values:
        delivery = DeliveryFactory(endpoint=endpoint, event_type=event)
    InboundEventFactory(hook__account=accounts["a2e"], event_type="job.updated")
    voice = VoiceFactory(
        team=team,
        account=accounts["a2e"],
        name="Maya, warm narrator",
        language="en",
        raw={"status": "completed"},
    )
    for provider, name, language in (
        ("respeecher", "Daniel, calm explainer", "en"),
        ("a2e", "Lucía, bright and quick", "es"),
        ("burki", "Support line, friendly", "de"),
    ):
        VoiceFactory(team=team, account=accounts[provider], name=name, language=language)
    project = ProjectFactory(team=team, account=accounts["respeecher"], name="Northwind audiobook")
    folder = FolderFactory(project=project, name="Chapter 1")
    # A take in every state, each with a raw Respeecher state, and a conversion of each.
    takes = []
    for n, (state, raw) in enumerate(
        zip(Status.values, iter(PROVIDER_STATES * 3), strict=False), start=1
    ):
        made = now - timedelta(hours=len(Status.values) - n, minutes=12)
        take = RecordingFactory(
            project=project,
            folder=folder,
            state=state,
            status=raw,
            label=f"Chapter 1, take {n}",
            created_at=made,
        )
        takes.append(take)
        RecordingFactory(
            project=project,
            folder=folder,
            kind=Recording.Kind.CONVERSION,
            original=take,
            state=state,
            status=raw,
            label=f"Chapter 1, take {n}, new voice",
            model_name="Daniel, calm explainer",
            created_at=made + timedelta(minutes=5),
        )
    # A calibration in each state, the ready one the default.
    for name, state, enabled, error in (
        ("Studio B, Maria", "completed", True, ""),
        ("Home office", "processing", False, ""),
        ("Noisy hallway", "failed", False, "The recording is too noisy to calibrate from."),
    ):
        calibration = CalibrationFactory(
            team=team,
            account=accounts["respeecher"],
            name=name,
            state=state,
            enabled=enabled,
            error=error,
            created_at=now - timedelta(days=2),
        )
    room = RoomFactory(team=team, account=accounts["a2e"], avatar_name="Ava at the front desk")
    Utterance.objects.create(
        room=room,
        kind="speak",
        text="Welcome to Northwind. How can I help?",
        trace_id="0f3c9a2b-77aa",
    )
    # The pages of these objects are walked, not the walker's own empty ones.
    seeded = {
        "project_id": project.pk,
        "folder_id": folder.pk,
        "room_id": room.pk,
        "voice_id": voice.pk,
        "batch_id": batches[0].pk,
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "member_id": editor.pk,
        "file_id": result.pk,
        "calibration_id": calibration.pk,
    }
    return team, owner, jobs, seeded, takes
