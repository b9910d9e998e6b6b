"""What teams asks of the apps built on it, so it never imports them."""

import enum

from django.dispatch import Signal

# Sent with `account`; each receiver returns the labels of the unfinished work it keeps
# on that account (shown on the disconnect page).
work_running = Signal()

# Sent with `account` and `user` before the account is deleted; each receiver stops its
# work there where the provider can and returns, for each piece of work it had running,
# None when it was stopped, or a line saying why it was not.
disconnecting = Signal()

# Sent with `team`; each receiver returns labels of what a team delete would end at a
# provider because it is charged while it runs (live avatar rooms), for the confirmation.
team_running = Signal()

# Sent with `team` and `user` before the team is deleted; each receiver ends that work
# while the team's keys still exist and returns, for each piece of it, None when it was
# ended, or a line saying why it was not.
team_deleting = Signal()


class Change(enum.StrEnum):
    """What a team's people did to the team, its members, its invitations or its provider
    accounts (the activity log's verbs for them share these codes)."""

    TEAM_RENAMED = "team.renamed"
    MEMBER_JOINED = "member.joined"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    PROVIDER_CONNECTED = "provider.connected"
    PROVIDER_UPDATED = "provider.updated"
    PROVIDER_TESTED = "provider.tested"
    PROVIDER_DISCONNECTED = "provider.disconnected"


# Sent with `team`, `change` (a Change), `actor` and, where there are any, `target`,
# `label`, `outcome` and `message`, once the change is made; the activity log writes it.
changed = Signal()


def note(team, change: Change, **details) -> None:
    """Tell the apps built on teams that `change` was made (see `changed`)."""
    changed.send(sender=Change, team=team, change=change, **details)
