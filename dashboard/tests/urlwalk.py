"""The URL walker the wall and bad-input tests share: every named route, the arguments
each takes, and how to make a team's object for each argument that names one."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from avatars.tests.factories import RoomFactory
from dubbing.models import ImportRun
from jobs.tests.factories import JobFactory, JobFileFactory
from recordings.tests.factories import (
    CalibrationFactory,
    FolderFactory,
    ProjectFactory,
    RecordingFactory,
)
from recordings.tests.factories import SyncRunFactory as RecordingSyncFactory
from teams.tests.factories import (
    InvitationFactory,
    MembershipFactory,
    ProviderAccountFactory,
)
from voices.tests.factories import SyncRunFactory, VoiceFactory
from webhooks.tests.factories import DeliveryFactory, EndpointFactory

# URL names reachable without logging in, each with its reason.
PUBLIC = {
    "healthz": "probed by load balancers",
    "login": "the way in",
    "logout": "harmless when logged out",
    "invitation_accept": "a token is the credential; anonymous people may sign up",
    "webhook_inbound": "upstream services post callbacks; each must carry a valid signature",
    "input_file": "providers fetch samples we host; the signed, expiring token is the key",
}


def dubbing(team):
    from dubbing.models import Batch, Dubbing

    batch = Batch.objects.create(team=team, name="Walled")
    job = JobFactory(team=team)
    return Dubbing.objects.create(team=team, batch=batch, job=job, name="x", target_lang="de")


def calibration(team):
    """One of the team's Respeecher account's calibrations (the page lists that
    account's), or of a Respeecher account of its own when the team has none."""
    from teams.models import Provider, ProviderAccount

    account = ProviderAccount.objects.filter(team=team, provider=Provider.RESPEECHER).first()
    return CalibrationFactory(team=team, **({"account": account} if account else {})).pk


# How to make an object of a given team for each URL argument that names one.
OBJECT_ARGS = {
    "member_id": lambda team: MembershipFactory(team=team).pk,
    "invitation_id": lambda team: InvitationFactory(team=team).pk,
    "account_id": lambda team: ProviderAccountFactory(team=team).pk,
    # A dubbing's job, so the dubbing pages (which take a job id) are walked for real.
    "job_id": lambda team: dubbing(team).job_id,
    "batch_id": lambda team: dubbing(team).batch_id,
    "file_id": lambda team: JobFileFactory(job__team=team).pk,
    "endpoint_id": lambda team: EndpointFactory(team=team).pk,
    "delivery_id": lambda team: DeliveryFactory(endpoint__team=team).pk,
    "voice_id": lambda team: VoiceFactory(team=team).pk,
    "run_id": lambda team: SyncRunFactory(team=team).pk,
    "sync_id": lambda team: RecordingSyncFactory(team=team).pk,
    "import_id": lambda team: (
        ImportRun.objects.create(
            team=team, account=ProviderAccountFactory(team=team, provider="a2e")
        ).pk
    ),
    "project_id": lambda team: ProjectFactory(team=team).pk,
    "folder_id": lambda team: FolderFactory(project__team=team).pk,
    "recording_id": lambda team: RecordingFactory(project__team=team).pk,
    "room_id": lambda team: RoomFactory(team=team).pk,
    "calibration_id": lambda team: calibration(team),
}
# Arguments that name no team object.
PLAIN_ARGS = {
    "provider": "a2e",
    "token": "not-a-real-token",
    "part": "audio",
    "avatar_id": "not-an-avatar",
    "accent_id": "00000000-0000-0000-0000-000000000001",
}


def walk(patterns, prefix_names=()):
    """(name, pattern) of every named route, the admin's own excepted."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = (entry.namespace,) if entry.namespace else ()
            if entry.namespace == "admin":
                continue  # Django's admin guards itself with is_staff; tested separately.
            yield from walk(entry.url_patterns, prefix_names + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(prefix_names + (entry.name,)), entry


def args_of(name):
    pattern = get_resolver().reverse_dict.getlist(name)
    return set(pattern[0][0][0][1]) if pattern else set()


ROUTES = sorted(dict(walk(get_resolver().url_patterns)))
TEAM_ROUTES = [n for n in ROUTES if "team" in args_of(n)]
OBJECT_ROUTES = [n for n in TEAM_ROUTES if args_of(n) - {"team"} - set(PLAIN_ARGS)]


def url_for(name, team, object_team=None, objects=None):
    """The route's URL for `team`; each object argument is taken from `objects` when
    given there (arg -> id), else made for `object_team` (or `team`)."""
    kwargs = {}
    for arg in args_of(name):
        if arg == "team":
            kwargs[arg] = team.slug
        elif objects and arg in objects:
            kwargs[arg] = objects[arg]
        elif arg in OBJECT_ARGS:
            kwargs[arg] = OBJECT_ARGS[arg](object_team or team)
        elif arg in PLAIN_ARGS:
            kwargs[arg] = PLAIN_ARGS[arg]
        else:
            pytest.fail(f"URL {name!r} takes {arg!r}: teach OBJECT_ARGS or PLAIN_ARGS about it")
    return reverse(name, kwargs=kwargs)


def walk_urls(team, jobs, seeded, takes, routes=ROUTES):
    """(route name, URL) of every non-public page for `team`: one per job of `jobs` and
    per take of `takes` where the route names one, else one made from `seeded`."""
    urls = []
    for name in routes:
        if name in PUBLIC:
            continue
        if "job_id" in args_of(name):
            urls += [(name, url_for(name, team, objects={"job_id": j.pk})) for j in jobs]
        elif "recording_id" in args_of(name):
            urls += [(name, url_for(name, team, objects={"recording_id": t.pk})) for t in takes]
        else:
            urls.append((name, url_for(name, team, objects=seeded)))
    return urls
