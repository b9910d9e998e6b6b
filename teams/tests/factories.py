"""factory_boy factories for users, teams, memberships, invitations and provider accounts."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from teams import crypto
from teams.models import Invitation, Membership, ProviderAccount, Role, Team, url_origin


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda t: Team.unique_slug(t.name))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    team = factory.SubFactory(TeamFactory)
    role = Role.MEMBER
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + Invitation.DEFAULT_LIFETIME)


class ProviderAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderAccount
        exclude = ["secret"]
        django_get_or_create = ["team", "provider"]

    team = factory.SubFactory(TeamFactory)
    provider = "a2e"
    base_url = factory.LazyAttribute(lambda a: f"https://{a.provider}.example.test")
    secret = "secret-key-1234"

    secret_encrypted = factory.LazyAttribute(lambda a: crypto.encrypt(a.secret))
    secret_last4 = factory.LazyAttribute(lambda a: a.secret[-4:])
    secret_origin = factory.LazyAttribute(lambda a: url_origin(a.base_url))
