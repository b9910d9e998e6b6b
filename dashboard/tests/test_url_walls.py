"""Walks every URL pattern: anonymous users are sent to log in, other teams get 404,
viewers get 403 on changes. New URLs are covered without new test code; a new URL
argument must be taught to OBJECT_ARGS (or PUBLIC) in urlwalk.py, or this test fails."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dashboard.tests.urlwalk import OBJECT_ROUTES, PUBLIC, ROUTES, TEAM_ROUTES
from dashboard.tests.urlwalk import url_for as _url
from teams.models import Role
from teams.tests.factories import MembershipFactory


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
