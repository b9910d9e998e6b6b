"""Bring a team's existing A2E dubbing records into Voxboard, page by page, so work
started elsewhere shows up. Each page costs the same few queries, whatever its number.

It runs on the mirror's run engine (teams.runs): one live import per account, watched
on its row. Unlike a catalog it only adds: a record already here is the job engine's to
follow, and one A2E stops listing stays (the team's history)."""

from dataclasses import dataclass

from django.db import transaction

from core.mirror import Tally
from dubbing.kinds import A2EDubbing, remote_from
from dubbing.models import Dubbing, ImportRun
from jobs import engine
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


def _adopt(account, records) -> int:
    """Jobs for the records no job here follows yet, each with its Dubbing row."""
    adoptions = [
        engine.Adoption(
            remote_from(d),
            label=d.name or d.id,
            params=A2EDubbing.Params(
                target_lang=d.target_lang or "", source_lang=d.source_lang or ""
            ),
            created_at=d.created_at,
            finished_at=d.updated_at,
        )
        for d in records
    ]
    by_id = {d.id: d for d in records}
    with transaction.atomic():
        jobs = engine.adopt_many(A2EDubbing, account, adoptions)
        Dubbing.objects.bulk_create(
            Dubbing(
                team_id=account.team_id,
                job=job,
                name=job.label,
                target_lang=(by_id[job.remote_id].target_lang or "")[:20],
                imported=True,
                remote_id=job.remote_id,
            )
            for job in jobs
        )
    return len(jobs)


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
        result.created += _adopt(account, rows)
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
