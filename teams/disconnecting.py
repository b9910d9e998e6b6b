"""Disconnecting a provider account: the work running on it is stopped at the provider
where the provider can, and the person is told what could not be stopped."""

from dataclasses import dataclass, field

from providers import UpstreamError
from teams.connection import client_for
from teams.models import ProviderAccount
from teams.signals import (
    Change,
    disconnecting,
    note,
    team_deleting,
    team_running,
    work_running,
)


def running_on(account: ProviderAccount) -> list[str]:
    """Labels of the unfinished work on the account, from every app that keeps some."""
    replies = work_running.send(ProviderAccount, account=account)
    return [label for _, labels in replies for label in labels or []]


def running_on_team(team) -> list[str]:
    """Labels of what deleting the team ends at a provider (live avatar rooms)."""
    replies = team_running.send(ProviderAccount, team=team)
    return [label for _, labels in replies for label in labels or []]


def end_running(team, user) -> list[str]:
    """End what deleting the team would leave charging at a provider, while its keys
    still exist; the lines say what could not be ended, and why."""
    replies = team_deleting.send(ProviderAccount, team=team, user=user)
    return [line for _, lines in replies for line in lines or [] if line]


@dataclass
class Disconnected:
    running: int
    left: list[str] = field(default_factory=list)  # what could not be stopped, and why
    key_deleted: bool = False  # the key was deleted at the provider too
    key_left: str = ""  # why the key asked to be deleted at the provider still is there

    def summary(self, label: str) -> str:
        """What disconnecting did, in words: "A2E disconnected; its key is gone. Stopped
        the 2 jobs still running at A2E." What could not be stopped is said line by line
        after it (self.left), and a key left at the provider after that (self.key_left)."""
        gone = f"here and at {label}" if self.key_deleted else ""
        line = f"{label} disconnected; its key is gone{' ' + gone if gone else ''}."
        if not self.running:
            return line
        stopped, left = self.running - len(self.left), len(self.left)
        if not left:
            jobs = "job" if stopped == 1 else f"{stopped} jobs"
            return f"{line} Stopped the {jobs} still running at {label}."
        if not stopped:
            what = "The job" if left == 1 else f"The {left} jobs"
            return f"{line} {what} still running at {label} could not be stopped."
        return (
            f"{line} Stopped {stopped} of the {self.running} jobs still running at {label}; "
            f"{left} could not be stopped."
        )


def disconnect(account: ProviderAccount, user, *, delete_key: bool = False) -> Disconnected:
    """Stop the account's work, then forget the account. With `delete_key`, a key
    Voxboard made (ProviderAccount.key_made_here) is deleted at the provider too, after
    the work is stopped (that needs it); the account goes either way."""
    replies = disconnecting.send(ProviderAccount, account=account, user=user)
    lines = [line for _, stopped in replies for line in stopped or []]
    outcome = Disconnected(len(lines), [line for line in lines if line])
    if delete_key and account.key_made_here:
        try:
            client_for(account).delete_api_key()
        except UpstreamError as exc:
            label = account.get_provider_display()
            outcome.key_left = (
                f"The key is still there at {label}: {exc.message} "
                f"Delete it in your {label} account."
            )
        else:
            outcome.key_deleted = True
    account.delete()
    note(account.team, Change.PROVIDER_DISCONNECTED, actor=user, label=str(account))
    return outcome
