"""Starting and running mirrors of a Respeecher workspace: one live run per account."""

from django.utils import timezone

from activity.log import Verb, record
from jobs.models import Status
from providers import UpstreamError
from recordings import sync
from recordings.models import SyncRun
from teams import runs
from teams.models import Provider, ProviderAccount

LIVE = (Status.QUEUED, Status.PROCESSING)


def _enqueue(run_id: int) -> None:
    from recordings.tasks import run_sync

    run_sync.delay(run_id)


def request_sync(account: ProviderAccount, user=None) -> tuple[SyncRun, bool]:
    """The account's live run, or a new one enqueued after commit; (run, created)."""
    return runs.request(
        account, SyncRun, live=LIVE, failed=Status.FAILED, enqueue=_enqueue, user=user
    )


def execute(run_id: int) -> str:
    """Carry out one queued run; a redelivered message finds it taken and does nothing."""
    if not SyncRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.PROCESSING, started_at=timezone.now()
    ):
        return "not-queued"
    run = SyncRun.objects.select_related("account", "team", "requested_by").get(pk=run_id)

    def progress(result: sync.SyncResult) -> None:
        SyncRun.objects.filter(pk=run_id).update(**_counts(result))

    try:
        result = sync.sync_account(run.account, progress=progress)
    except UpstreamError as exc:
        _fail(run, exc.message)
        return "failed"
    except BaseException as exc:
        # A time limit or a bug: the run must not stay live; the error still surfaces.
        _fail(run, f"Stopped by an internal error ({type(exc).__name__}); try again.")
        raise
    SyncRun.objects.filter(pk=run_id).update(
        status=Status.COMPLETED,
        message=str(result)[:500],
        finished_at=timezone.now(),
        **_counts(result),
    )
    # A scheduled sync that found nothing new is not news; one a person asked for is.
    if result.changed or run.requested_by_id:
        record(
            run.team,
            Verb.RECORDING_SYNCED,
            actor=run.requested_by,
            label=str(run.account),
            message=str(result),
        )
    return "done"


def _counts(result: sync.SyncResult) -> dict:
    return {
        "projects": result.projects,
        "projects_read": result.projects_read,
        "fetched": result.fetched,
        "created": result.created,
        "updated": result.updated,
        "gone": result.gone,
        "deleted": result.deleted,
    }


def _fail(run: SyncRun, message: str) -> None:
    SyncRun.objects.filter(pk=run.pk).update(
        status=Status.FAILED, message=message[:500], finished_at=timezone.now()
    )
    record(
        run.team,
        Verb.RECORDING_SYNC_FAILED,
        actor=run.requested_by,
        label=str(run.account),
        outcome="failed",
        message=message,
    )


def request_all() -> int:
    """The scheduled refresh: a run for every Respeecher account that has none live."""
    started = 0
    for account in ProviderAccount.objects.filter(provider=Provider.RESPEECHER):
        _run, created = request_sync(account)
        started += created
    return started
