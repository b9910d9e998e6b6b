"""What recordings asks of the voice catalog, which is built on it, so it never imports it."""

from django.dispatch import Signal

# Sent with `account` (a Respeecher one); the catalog returns the account's listed voices
# that takes can be converted into, by name.
convertible_voices = Signal()

# Sent with `team_id` and `remote_ids`; the catalog returns {remote id: its raw record} for
# the team's Respeecher voices among them, listed or not.
voice_records = Signal()


def answers(signal, **question) -> list:
    """What the receivers of `signal` returned, in one list."""
    return [answer for _receiver, answer in signal.send(sender=None, **question)]
