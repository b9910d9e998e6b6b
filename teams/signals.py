"""What teams asks of the apps built on it, so it never imports them."""

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
