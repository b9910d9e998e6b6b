"""factory_boy factories for avatar rooms."""

import factory
from django.utils import timezone

from avatars.models import Room
from teams.tests.factories import ProviderAccountFactory, TeamFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    team = factory.SubFactory(TeamFactory)
    account = factory.SubFactory(
        ProviderAccountFactory, team=factory.SelfAttribute("..team"), provider="a2e"
    )
    avatar_id = factory.Sequence(lambda n: f"avatar-{n}")
    avatar_name = factory.Sequence(lambda n: f"Avatar {n}")
    minutes = 2
    state = Room.State.LIVE
    channel = factory.Sequence(lambda n: f"ch{n:03d}")
    app_id = "a2e0sandbox000000000000000000000"
    opened_at = factory.LazyFunction(timezone.now)
    last_heartbeat_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(minutes=2))
