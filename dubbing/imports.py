"""Bring a team's existing A2E dubbing records into Voxboard, page by page, so work
started elsewhere shows up. Each page costs the same few queries, whatever its number.

It runs on the mirror's run engine (teams.runs): one live import per account, watched
on its row. Unlike a catalog it only adds: a record already here is the job engine's to
follow, and one A2E stops listing stays (the team's history)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.mirror import Tally
from dubbing.kinds import A2EDubbing
from dubbing.models import Dubbing, ImportRun
from jobs.engine import STATE_TO_STATUS
from jobs.models import FINISHED, Job, JobEvent, ResultsState, Status
from teams.connection import client_for
from teams.models import Provider, ProviderAccount
from teams.runs import Runs

PAGE_SIZE = 100


@dataclass
class ImportResult(Tally):
    pages: int = 0

    @property
    def seen(self) -> int:
        return self.fetched

    @property
    def imported(self) -> int:
        return self.created

    def __str__(self):
        return f"{self.fetched} records on {self.pages} pages: {self.created} new"


def _job(account, dubbing, now) -> Job:
    status = STATE_TO_STATUS.get(dubbing.state, Status.PROCESSING)
    finished = status in FINISHED
    results = (
        [["result", dubbing.result_url]]
        if status == Status.COMPLETED and dubbing.result_url
        else []
    )
    return Job(
        team_id=account.team_id,
        account=account,
        provider=A2EDubbing.provider,
        kind=A2EDubbing.name,
        label=(dubbing.name or dubbing.id)[:200],
        status=status,
        remote_id=dubbing.id,
        remote_status=(dubbing.status or "")[:50],
        remote_message=dubbing.failed_message or "",
        remote=dubbing.raw,
        params=A2EDubbing.Params(
            target_lang=dubbing.target_lang or "", source_lang=dubbing.source_lang or ""
        ).as_json(),
        result_urls=results,
        results_state=ResultsState.PENDING if results else ResultsState.NONE,
        finished_at=(dubbing.updated_at or now) if finished else None,
        next_poll_at=None if finished else now,
        created_at=dubbing.created_at or now,
        # Old news: nothing is announced to webhooks for work done before it came here.
        announced=status,
    )


def _adopt(account, fresh, now) -> None:
    with transaction.atomic():
        jobs = Job.objects.bulk_create([_job(account, d, now) for d in fresh])
        Dubbing.objects.bulk_create(
            Dubbing(
                team_id=account.team_id,
                job=job,
                name=job.label,
                target_lang=(d.target_lang or "")[:20],
                imported=True,
                remote_id=d.id,
            )
            for job, d in zip(jobs, fresh, strict=True)
        )
        JobEvent.objects.bulk_create(
            JobEvent(
                job=job,
                at=now,
                status=job.status,
                remote_status=job.remote_status,
                message="Imported from A2E",
                source=JobEvent.Source.SYSTEM,
            )
            for job in jobs
        )


def import_records(
    account, page_size: int = PAGE_SIZE, on_page=None, progress=None
) -> ImportResult:
    """Adopt every record A2E lists that no job here follows yet; `on_page(page)` and
    `progress(result)` are told after each page."""
    client = client_for(account)
    result = ImportResult()
    page = 1
    while True:
        rows = [d for d in client.list_dubbings(page=page, page_size=page_size) if d.id]
        if not rows:
            break
        result.pages += 1
        result.fetched += len(rows)
        known = set(
            Job.objects.filter(
                account=account, kind=A2EDubbing.name, remote_id__in=[d.id for d in rows]
            ).values_list("remote_id", flat=True)
        )
        fresh = [d for d in rows if d.id not in known]
        if fresh:
            _adopt(account, fresh, timezone.now())
            result.created += len(fresh)
        if on_page:
            on_page(page)
        if progress:
            progress(result)
        if len(rows) < page_size:
            break
        page += 1
    return result


def _enqueue(run_id: int) -> None:
    from dubbing.tasks import run_import

    run_import.delay(run_id)


RUNS = Runs(
    ImportRun,
    sync=lambda account, progress: import_records(account, progress=progress),
    enqueue=_enqueue,
    accounts=lambda: ProviderAccount.objects.filter(provider=Provider.A2E),
)
request_import = RUNS.request
execute = RUNS.execute
