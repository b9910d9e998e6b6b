"""Walks every URL pattern: anonymous users are sent to log in, other teams get 404,
viewers get 403 on changes. New URLs are covered without new test code; a new URL
argument must be taught to OBJECT_ARGS (or PUBLIC) below, or this test fails."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from avatars.tests.factories import RoomFactory
from jobs.tests.factories import JobFactory, JobFileFactory
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from recordings.tests.factories import SyncRunFactory as RecordingSyncFactory
from teams.models import Role
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


def _dubbing(team):
    from dubbing.models import Batch, Dubbing

    batch = Batch.objects.create(team=team, name="Walled")
    job = JobFactory(team=team)
    return Dubbing.objects.create(team=team, batch=batch, job=job, name="x", target_lang="de")


# How to make an object of a given team for each URL argument that names one.
OBJECT_ARGS = {
    "member_id": lambda team: MembershipFactory(team=team).pk,
    "invitation_id": lambda team: InvitationFactory(team=team).pk,
    "account_id": lambda team: ProviderAccountFactory(team=team).pk,
    # A dubbing's job, so the dubbing pages (which take a job id) are walked for real.
    "job_id": lambda team: _dubbing(team).job_id,
    "batch_id": lambda team: _dubbing(team).batch_id,
    "file_id": lambda team: JobFileFactory(job__team=team).pk,
    "endpoint_id": lambda team: EndpointFactory(team=team).pk,
    "delivery_id": lambda team: DeliveryFactory(endpoint__team=team).pk,
    "voice_id": lambda team: VoiceFactory(team=team).pk,
    "run_id": lambda team: SyncRunFactory(team=team).pk,
    "sync_id": lambda team: RecordingSyncFactory(team=team).pk,
    "project_id": lambda team: ProjectFactory(team=team).pk,
    "folder_id": lambda team: FolderFactory(project__team=team).pk,
    "recording_id": lambda team: RecordingFactory(project__team=team).pk,
    "room_id": lambda team: RoomFactory(team=team).pk,
}
# Arguments that name no team object.
PLAIN_ARGS = {
    "provider": "a2e",
    "token": "not-a-real-token",
    "part": "audio",
    "avatar_id": "not-an-avatar",
}


def _walk(patterns, prefix_names=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = (entry.namespace,) if entry.namespace else ()
            if entry.namespace == "admin":
                continue  # Django's admin guards itself with is_staff; tested separately.
            yield from _walk(entry.url_patterns, prefix_names + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(prefix_names + (entry.name,)), entry


def _args_of(name):
    pattern = get_resolver().reverse_dict.getlist(name)
    return set(pattern[0][0][0][1]) if pattern else set()


ROUTES = sorted(dict(_walk(get_resolver().url_patterns)))
TEAM_ROUTES = [n for n in ROUTES if "team" in _args_of(n)]
OBJECT_ROUTES = [n for n in TEAM_ROUTES if _args_of(n) - {"team"} - set(PLAIN_ARGS)]


def _url(name, team, object_team=None):
    kwargs = {}
    for arg in _args_of(name):
        if arg == "team":
            kwargs[arg] = team.slug
        elif arg in OBJECT_ARGS:
            kwargs[arg] = OBJECT_ARGS[arg](object_team or team)
        elif arg in PLAIN_ARGS:
            kwargs[arg] = PLAIN_ARGS[arg]
        else:
            pytest.fail(f"URL {name!r} takes {arg!r}: teach OBJECT_ARGS or PLAIN_ARGS about it")
    return reverse(name, kwargs=kwargs)


def test_the_walk_finds_the_routes_it_should():
    # Guards the walker itself: if it silently found nothing, every test below would pass.
    assert {"home", "members", "providers", "provider_delete", "member_role"} <= set(ROUTES)
    assert "provider_delete" in OBJECT_ROUTES
    # The recordings' way out (exports, bulk actions) is walked with its objects.
    assert {
        "recordings_project_export",
        "recordings_take_export",
        "recordings_bulk_star",
        "recordings_bulk_delete",
        "recordings_bulk_export",
    } <= set(OBJECT_ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in ROUTES if n not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_log_in(client, team, name, method):
    url = _url(name, team)
    response = getattr(client, method)(url)
    assert response.status_code == 302, f"{method.upper()} {url}"
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("name", TEAM_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_teams_pages_are_not_found(owner_client, other_team, name, method):
    url = _url(name, other_team)
    response = getattr(owner_client, method)(url)
    assert response.status_code == 404, f"{method.upper()} {url}"


@pytest.mark.parametrize("name", OBJECT_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_teams_objects_are_not_found(owner_client, team, other_team, name, method):
    url = _url(name, team, object_team=other_team)
    response = getattr(owner_client, method)(url)
    # A POST-only view answers GET with 405 before looking anything up; never 200.
    allowed = {404, 405} if method == "get" else {404}
    assert response.status_code in allowed, f"{method.upper()} {url}"


@pytest.mark.parametrize("name", TEAM_ROUTES)
def test_viewers_cannot_change_anything(viewer_client, team, name):
    MembershipFactory(team=team, role=Role.OWNER)  # so ownership rules do not interfere
    url = _url(name, team)
    response = viewer_client.post(url, {"name": "Renamed", "role": "owner"})
    # 405 is as good: a read-only endpoint that takes no POST at all.
    assert response.status_code in (403, 405), f"POST {url}"
    team.refresh_from_db()
    assert team.name != "Renamed"


def test_a_user_in_two_teams_reaches_both(owner, other_team):
    MembershipFactory(team=other_team, user=owner.user, role=Role.VIEWER)
    client = Client()
    client.force_login(owner.user)
    for team in (owner.team, other_team):
        assert client.get(reverse("home", kwargs={"team": team.slug})).status_code == 200


def test_the_walk_covers_originals_into_folders_and_replacing_takes():
    # Walked as object routes: other teams' folders and takes 404, viewers get 403.
    assert {"recordings_upload", "recordings_speak", "recordings_replace"} <= set(OBJECT_ROUTES)
