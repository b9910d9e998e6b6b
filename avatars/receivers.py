"""How avatars answer what teams asks (teams/signals.py): a live room is left, at A2E
too, before the key it needs goes with a disconnected account or a deleted team."""

from django.dispatch import receiver

from avatars import leaving
from teams.signals import disconnecting, team_deleting, team_running, work_running


def _labels(rooms) -> list[str]:
    return [
        f"Avatar room with {room.avatar_name or 'an avatar'} (A2E charges coins until it is closed)"
        for room in rooms.order_by("created_at")
    ]


@receiver(work_running)
def live_rooms(sender, account, **kwargs):
    return _labels(leaving.open_rooms(account=account))


@receiver(team_running)
def team_live_rooms(sender, team, **kwargs):
    return _labels(leaving.open_rooms(team=team, account__isnull=False))


@receiver(disconnecting)
def leave_rooms(sender, account, user=None, **kwargs):
    rooms = list(leaving.open_rooms(account=account))
    return leaving.leave_now(rooms, "A2E was disconnected from this team", by=user)


@receiver(team_deleting)
def leave_team_rooms(sender, team, user=None, **kwargs):
    rooms = list(leaving.open_rooms(team=team, account__isnull=False))
    return leaving.leave_now(rooms, "the team was deleted", by=user)
