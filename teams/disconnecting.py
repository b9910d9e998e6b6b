"""Disconnecting a provider account: the work running on it is stopped at the provider
where the provider can, and the person is told what could not be stopped."""

from dataclasses import dataclass, field

from activity.log import record
from teams.models import ProviderAccount
from teams.signals import disconnecting, team_deleting, team_running, work_running


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

    def summary(self, label: str) -> str:
        line = f"{label} disconnected; its key is gone."
        if self.running:
            stopped = self.running - len(self.left)
            line += f" Stopped {stopped} of {self.running} still running there."
        return line


def disconnect(account: ProviderAccount, user) -> Disconnected:
    replies = disconnecting.send(ProviderAccount, account=account, user=user)
    lines = [line for _, stopped in replies for line in stopped or []]
    outcome = Disconnected(len(lines), [line for line in lines if line])
    account.delete()
    record(account.team, "provider.disconnected", actor=user, label=str(account))
    return outcome
