"""Teams, roles and invitations as people use them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teams.models import Invitation, Membership, Role, Team
from teams.tasks import purge_expired_invitations
from teams.tests.factories import InvitationFactory, MembershipFactory, UserFactory


def test_creating_a_team_makes_the_creator_its_owner(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.post(reverse("team_create"), {"name": "Night Shift"})
    team = Team.objects.get(name="Night Shift")
    assert response["Location"] == reverse("providers", kwargs={"team": team.slug})
    assert Membership.objects.get(team=team).role == Role.OWNER


def test_root_sends_a_person_without_a_team_to_make_one(db):
    client = Client()
    client.force_login(UserFactory())
    assert client.get(reverse("root"))["Location"] == reverse("team_create")


def test_root_returns_to_the_team_used_last(owner, other_team):
    MembershipFactory(team=other_team, user=owner.user)
    client = Client()
    client.force_login(owner.user)
    client.get(reverse("home", kwargs={"team": other_team.slug}))
    assert client.get(reverse("root"))["Location"] == reverse(
        "home", kwargs={"team": other_team.slug}
    )


def test_the_header_switcher_lists_every_team_of_the_user(owner, other_team):
    MembershipFactory(team=other_team, user=owner.user)
    client = Client()
    client.force_login(owner.user)
    body = client.get(reverse("home", kwargs={"team": owner.team.slug})).content.decode()
    assert reverse("home", kwargs={"team": other_team.slug}) in body
    assert other_team.name in body


def test_an_owner_changes_roles_but_never_leaves_a_team_without_owner(owner_client, owner, member):
    url = reverse("member_role", kwargs={"team": owner.team.slug, "member_id": member.pk})
    owner_client.post(url, {"role": Role.ADMIN})
    member.refresh_from_db()
    assert member.role == Role.ADMIN

    url = reverse("member_role", kwargs={"team": owner.team.slug, "member_id": owner.pk})
    response = owner_client.post(url, {"role": Role.MEMBER}, follow=True)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert "needs an owner" in response.content.decode()


def test_an_admin_cannot_change_roles(admin_client_, member):
    url = reverse("member_role", kwargs={"team": member.team.slug, "member_id": member.pk})
    assert admin_client_.post(url, {"role": Role.ADMIN}).status_code == 403


def test_an_admin_removes_a_member_but_not_an_owner(admin_client_, owner, member):
    team = owner.team
    admin_client_.post(reverse("member_remove", kwargs={"team": team.slug, "member_id": member.pk}))
    assert not Membership.objects.filter(pk=member.pk).exists()
    admin_client_.post(reverse("member_remove", kwargs={"team": team.slug, "member_id": owner.pk}))
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_deleting_a_team_needs_its_name_typed(owner_client, team):
    url = reverse("team_delete", kwargs={"team": team.slug})
    owner_client.post(url, {"confirm_name": "wrong"})
    assert Team.objects.filter(pk=team.pk).exists()
    owner_client.post(url, {"confirm_name": team.name})
    assert not Team.objects.filter(pk=team.pk).exists()


def test_admins_cannot_delete_the_team(admin_client_, team):
    url = reverse("team_delete", kwargs={"team": team.slug})
    assert admin_client_.post(url, {"confirm_name": team.name}).status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def _invite(client, team, role=Role.MEMBER):
    response = client.post(reverse("invitation_create", kwargs={"team": team.slug}), {"role": role})
    return response.context["link"]


def test_an_invitation_link_works_once(owner_client, team):
    link = _invite(owner_client, team)
    path = link.split("testserver", 1)[1]
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)
    assert client.post(path)["Location"] == reverse("home", kwargs={"team": team.slug})
    assert Membership.objects.get(team=team, user=newcomer).role == Role.MEMBER

    someone_else = Client()
    someone_else.force_login(UserFactory())
    assert someone_else.post(path).status_code == 410
    assert Membership.objects.filter(team=team).count() == 2


def test_an_invitation_signs_up_a_new_person(owner_client, team):
    path = _invite(owner_client, team, role=Role.VIEWER).split("testserver", 1)[1]
    client = Client()
    assert b"Create account and join" in client.get(path).content
    client.post(
        path, {"username": "newbie", "password1": "Zq8!longpass", "password2": "Zq8!longpass"}
    )
    user = get_user_model().objects.get(username="newbie")
    assert Membership.objects.get(team=team, user=user).role == Role.VIEWER
    assert client.get(reverse("home", kwargs={"team": team.slug})).status_code == 200


def test_a_bad_sign_up_explains_itself_and_spends_nothing(owner_client, team):
    path = _invite(owner_client, team).split("testserver", 1)[1]
    response = Client().post(path, {"username": "x", "password1": "a", "password2": "b"})
    assert "didn’t match" in response.content.decode()
    assert Invitation.objects.pending().count() == 1


def test_expired_and_revoked_invitations_are_refused(owner_client, team):
    link = _invite(owner_client, team)
    path = link.split("testserver", 1)[1]
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    client.force_login(UserFactory())
    assert client.post(path).status_code == 410

    path = _invite(owner_client, team).split("testserver", 1)[1]
    pending = Invitation.objects.pending().get()
    owner_client.post(
        reverse("invitation_revoke", kwargs={"team": team.slug, "invitation_id": pending.pk})
    )
    assert client.post(path).status_code == 410
    assert not Membership.objects.filter(
        team=team, user__in=[client.session["_auth_user_id"]]
    ).exists()


def test_only_a_hash_of_the_invitation_token_is_stored(owner_client, team):
    link = _invite(owner_client, team)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    assert Invitation.objects.by_token(token).get() == invitation


def test_an_admin_cannot_invite_an_owner(admin_client_, team):
    response = admin_client_.post(
        reverse("invitation_create", kwargs={"team": team.slug}), {"role": Role.OWNER}
    )
    assert response.status_code == 302
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_purge_drops_long_dead_invitations_and_keeps_live_ones(team):
    now = timezone.now()
    live = InvitationFactory(team=team)
    InvitationFactory(team=team, expires_at=now - timedelta(days=31))
    InvitationFactory(team=team, revoked_at=now - timedelta(days=40))
    recently_expired = InvitationFactory(team=team, expires_at=now - timedelta(days=2))
    assert purge_expired_invitations() == 2
    assert set(Invitation.objects.all()) == {live, recently_expired}


@pytest.mark.parametrize(
    ("role", "change", "manage", "owner"),
    [
        ("viewer", False, False, False),
        ("member", True, False, False),
        ("admin", True, True, False),
        ("owner", True, True, True),
    ],
)
def test_pages_ask_a_membership_what_it_may_do_by_role(db, role, change, manage, owner):
    membership = MembershipFactory(role=role)
    assert (membership.can_change, membership.can_manage, membership.is_owner) == (
        change,
        manage,
        owner,
    )


def test_a_viewer_sees_no_speak_button_where_a_member_does(viewer_client, member_client, team):
    from django.urls import reverse

    from teams.tests.factories import ProviderAccountFactory

    ProviderAccountFactory(team=team, provider="a2e")
    url = reverse("voices_speech", kwargs={"team": team.slug})
    assert b">Speak</button>" in member_client.get(url).content
    assert b">Speak</button>" not in viewer_client.get(url).content
