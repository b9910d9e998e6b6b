"""Starting and running voice syncs: at most one live run per account, recorded on a row."""

from teams.models import ProviderAccount
from teams.runs import Runs
from voices import sync
from voices.models import SyncRun


def _enqueue(run_id: int) -> None:
    from voices.tasks import run_sync

    run_sync.delay(run_id)


RUNS = Runs(
    SyncRun,
    sync=lambda account, progress, **narrowing: sync.sync_account(
        account, progress=progress, **narrowing
    ),
    enqueue=_enqueue,
    accounts=lambda: ProviderAccount.objects.select_related("team"),
    options=lambda run: run.narrowing,
)
request_sync = RUNS.request
execute = RUNS.execute
request_all = RUNS.request_all
