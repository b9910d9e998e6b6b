"""Provider status callbacks applied to jobs: the same rules as polling, sooner.

A callback body is `{"type": ..., "data": {"kind", "id", "status", "record"}}`, where
`record` is the provider's own record in the shape its list endpoints return (the
sandbox sends exactly this). The record is trusted only for the job it names, within
the account whose hook received it, and never moves a job backwards.
"""

import logging

from jobs import engine, kinds
from jobs.models import UNFINISHED, Job, JobEvent

log = logging.getLogger(__name__)


def handle(account, payload: dict) -> str:
    """Apply one verified callback; returns what happened, for logs and tests."""
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
        return "ignored: no record"
    candidates = [
        kind
        for kind in kinds.registered().values()
        if kind.provider == account.provider
        and kind.callback_kind
        and kind.callback_kind == data.get("kind")
    ]
    for kind in candidates:
        remote = kind.from_callback(data["record"])
        if remote is None:
            continue
        job_id = (
            Job.objects.filter(
                account=account, kind=kind.name, remote_id=remote.remote_id, status__in=UNFINISHED
            )
            .values_list("pk", flat=True)
            .first()
        )
        if job_id is None:
            # Not ours, or already finished: polling has the last word on those.
            return "ignored: no unfinished job"
        changed = engine.apply({job_id: remote}, JobEvent.Source.WEBHOOK)
        return "applied" if changed else "unchanged"
    log.info("callback from %s of kind %r matched no job kind", account, data.get("kind"))
    return "ignored: unknown kind"


def register_all() -> None:
    """Route every provider's verified callbacks here (called from JobsConfig.ready)."""
    from teams.models import Provider
    from webhooks import inbound

    for provider in Provider.values:
        inbound.register(provider, handle)
