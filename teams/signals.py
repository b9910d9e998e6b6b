"""What teams asks of the apps built on it, so it never imports them."""

from django.dispatch import Signal

# Sent with `account`; each receiver returns the labels of the unfinished work it keeps
# on that account (shown on the disconnect page).
work_running = Signal()

# Sent with `account` and `user` before the account is deleted; each receiver stops its
# work there where the provider can and returns, for each piece of work it had running,
# None when it was stopped, or a line saying why it was not.
disconnecting = Signal()
