"""Provider status callbacks applied to jobs: the same rules as polling, sooner.

A callback body is `{"type": ..., "data": {"kind", "id", "status", "record"}}`, where
`record` is the provider's own record in the shape its list endpoints return (the
sandbox sends exactly this). The record is trusted only for the job it names, within
the account whose hook received it, and never moves a job backwards.
"""

import logging

from jobs import engine, registry
from jobs.models import UNFINISHED, Job, JobEvent

log = logging.getLogger(__name__)


def handle(account, payload: dict) -> int | None:
    """Apply one verified callback; returns the id of the job it names (so the callbacks
    list can link to it), or None when it names none of this account's jobs."""
    data = payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("record"), dict):
        return None
    candidates = [
        kind
        for kind in registry.registered().values()
        if kind.provider == account.provider
        and kind.callback_kind
        and kind.callback_kind == data.get("kind")
    ]
    for kind in candidates:
        remote = kind.from_callback(data["record"])
        if remote is None:
            continue
        found = (
            Job.objects.filter(account=account, kind=kind.name, remote_id=remote.remote_id)
            .values_list("pk", "status")
            .first()
        )
        if found is None:
            return None
        job_id, status = found
        # A finished job is left alone: polling had the last word on it.
        if status in UNFINISHED:
            engine.apply({job_id: remote}, JobEvent.Source.WEBHOOK)
        return job_id
    log.info("callback from %s of kind %r matched no job kind", account, data.get("kind"))
    return None
