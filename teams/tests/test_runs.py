"""The run engine every mirror runs on (voice syncs, recordings syncs, dubbing imports),
proved once with a sync of our own making: one live run per account, a redelivered
message changes nothing, and a run always ends, done or failed, with what it did."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.mirror import Tally
from providers import Unavailable
from teams.models import ProviderAccount
from teams.runs import INTERRUPTED, Runs
from teams.tests.factories import ProviderAccountFactory
from voices.models import SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team):
    return ProviderAccountFactory(team=team, provider="a2e")


def _runs(sync, sent=None, **hooks):
    sent = [] if sent is None else sent
    return Runs(
        SyncRun,
        sync=sync,
        enqueue=sent.append,
        accounts=ProviderAccount.objects.all,
        **hooks,
    )


def _listed(count):
    def sync(account, progress):
        tally = Tally(fetched=count // 2)
        progress(tally)
        tally.fetched, tally.created = count, count
        return tally

    return sync


def test_asking_twice_gets_the_run_already_going(account, django_capture_on_commit_callbacks):
    sent = []
    runs = _runs(_listed(3), sent)
    with django_capture_on_commit_callbacks(execute=True):
        first, created = runs.request(account)
        again, created_again = runs.request(account)
    assert created and not created_again and again.pk == first.pk
    assert sent == [first.pk]


def test_a_run_ends_done_with_its_counts_and_a_redelivery_does_nothing(account):
    seen = []
    runs = _runs(_listed(8), on_done=lambda run, tally: seen.append(tally.created))
    run, _ = runs.request(account)
    assert runs.execute(run.pk) == "done"
    assert runs.execute(run.pk) == "not-queued"
    run.refresh_from_db()
    assert (run.status, run.fetched, run.created) == (SyncRun.Status.DONE, 8, 8)
    assert run.finished_at and run.message.startswith("8 listed: 8 new")
    assert seen == [8]  # once, for the one run carried out


def test_progress_is_on_the_row_while_it_runs(account):
    during = []

    def sync(account, progress):
        progress(Tally(fetched=500))
        during.append(SyncRun.objects.get().fetched)
        return Tally(fetched=1000)

    runs = _runs(sync)
    run, _ = runs.request(account)
    runs.execute(run.pk)
    assert during == [500]


def test_a_provider_failure_ends_the_run_failed_in_its_words(account):
    said = []
    down = Unavailable("A2E")

    def sync(account, progress):
        raise down

    runs = _runs(sync, on_failed=lambda run, message: said.append(message))
    run, _ = runs.request(account)
    assert runs.execute(run.pk) == "failed"
    run.refresh_from_db()
    assert run.failed and run.message == down.message and run.finished_at
    assert "A2E" in run.message and said == [down.message]


def test_a_bug_or_time_limit_still_ends_the_run_and_surfaces(account):
    def sync(account, progress):
        raise KeyError("bug")

    runs = _runs(sync)
    run, _ = runs.request(account)
    with pytest.raises(KeyError):
        runs.execute(run.pk)
    run.refresh_from_db()
    assert run.failed and "try again" in run.message


def test_a_run_left_by_a_dead_worker_is_replaced(account, settings):
    runs = _runs(_listed(1))
    stuck, _ = runs.request(account)
    long_ago = timezone.now() - timedelta(seconds=settings.VOICES_SYNC_TIME_LIMIT * 3)
    SyncRun.objects.filter(pk=stuck.pk).update(status=SyncRun.Status.RUNNING, created_at=long_ago)
    fresh, created = runs.request(account)
    stuck.refresh_from_db()
    assert created and fresh.pk != stuck.pk
    assert stuck.failed and stuck.message == INTERRUPTED


def test_the_scheduled_refresh_asks_once_per_account(team, other_team):
    accounts = [
        ProviderAccountFactory(team=team, provider="a2e"),
        ProviderAccountFactory(team=other_team, provider="a2e"),
    ]
    runs = Runs(SyncRun, sync=_listed(1), enqueue=lambda pk: None, accounts=lambda: accounts)
    assert runs.request_all() == 2
    assert runs.request_all() == 0  # both still live
    assert SyncRun.objects.count() == 2
