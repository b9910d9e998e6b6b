"""Disconnecting a provider account: the work running on it is stopped at the provider
where the provider can, and the person is told what could not be stopped."""

from dataclasses import dataclass, field

from activity.log import record
from teams.models import ProviderAccount
from teams.signals import disconnecting, work_running


def running_on(account: ProviderAccount) -> list[str]:
    """Labels of the unfinished work on the account, from every app that keeps some."""
    replies = work_running.send(ProviderAccount, account=account)
    return [label for _, labels in replies for label in labels or []]


@dataclass
class Disconnected:
    running: int
    left: list[str] = field(default_factory=list)  # what could not be stopped, and why

    def summary(self, label: str) -> str:
        line = f"{label} disconnected; its key is gone."
        if self.running:
            stopped = self.running - len(self.left)
            plural = "s" if self.running != 1 else ""
            line += f" {stopped} of {self.running} running job{plural} stopped."
        return line


def disconnect(account: ProviderAccount, user) -> Disconnected:
    replies = disconnecting.send(ProviderAccount, account=account, user=user)
    lines = [line for _, stopped in replies for line in stopped or []]
    outcome = Disconnected(len(lines), [line for line in lines if line])
    account.delete()
    record(account.team, "provider.disconnected", actor=user, label=str(account))
    return outcome
