"""Starting and running voice syncs: at most one live run per account, recorded on a row."""

from django.utils import timezone

from providers import UpstreamError
from teams import runs
from teams.models import ProviderAccount
from voices import sync
from voices.models import SyncRun

LIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def _enqueue(run_id: int) -> None:
    from voices.tasks import run_sync

    run_sync.delay(run_id)


def request_sync(account: ProviderAccount, user=None) -> tuple[SyncRun, bool]:
    """The account's live run, or a new one enqueued after commit; (run, created)."""
    return runs.request(
        account, SyncRun, live=LIVE, failed=SyncRun.Status.FAILED, enqueue=_enqueue, user=user
    )


def execute(run_id: int) -> str:
    """Carry out one queued run; a redelivered message finds it taken and does nothing."""
    now = timezone.now()
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=now
    ):
        return "not-queued"
    run = SyncRun.objects.select_related("account").get(pk=run_id)

    def progress(count: int) -> None:
        SyncRun.objects.filter(pk=run_id).update(fetched=count)

    try:
        result = sync.sync_account(run.account, progress=progress)
    except UpstreamError as exc:
        _fail(run_id, exc.message)
        return "failed"
    except BaseException as exc:
        # A time limit or a bug: the run must not stay "running"; the error still surfaces.
        _fail(run_id, f"Stopped by an internal error ({type(exc).__name__}); try again.")
        raise
    SyncRun.objects.filter(pk=run_id).update(
        status=SyncRun.Status.DONE,
        fetched=result.fetched,
        created=result.created,
        updated=result.updated,
        gone=result.gone,
        message=str(result)[:500],
        finished_at=timezone.now(),
    )
    return "done"


def _fail(run_id: int, message: str) -> None:
    SyncRun.objects.filter(pk=run_id).update(
        status=SyncRun.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )


def request_all() -> int:
    """The scheduled refresh: a run for every connected account that has none live."""
    started = 0
    for account in ProviderAccount.objects.select_related("team"):
        _run, created = request_sync(account)
        started += created
    return started
