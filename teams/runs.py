"""Runs of a mirror: work an account does on a row people can watch (a voice sync, a
recordings sync, a dubbing import). At most one is live per account, asking twice gets
the run already going, and a redelivered task message finds its run taken."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from core.mirror import Tally
from providers import UpstreamError
from teams.models import ProviderAccount, TeamQuerySet

INTERRUPTED = "Interrupted: its worker stopped. Started again."


class SyncRun(models.Model):
    """One run: queued, running, then done or failed, with what it saw and did."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    LIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.DONE, Status.FAILED)
    # The setting holding one run's time limit, in seconds.
    time_limit_setting = ""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "teams.ProviderAccount", on_delete=models.CASCADE, related_name="%(app_label)s_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_stuck(self) -> bool:
        """Unfinished for longer than its task may live: its worker died."""
        limit = timedelta(seconds=getattr(settings, self.time_limit_setting) * 2)
        return not self.is_finished and timezone.now() - self.created_at > limit


# sync(account, progress, **options) -> Tally
Sync = Callable[..., Tally]


class Runs:
    """Requesting and carrying out the runs of one `SyncRun` model.

    `sync(account, progress)` does the work and returns its tally, calling `progress`
    with the tally so far; `enqueue(run_pk)` sends the task; `accounts()` are the
    accounts the scheduled refresh covers. `on_done(run, tally)` and
    `on_failed(run, message)` say what else happens (an activity entry); `options(run)`
    are keyword arguments `sync` is called with for that run (how it is narrowed)."""

    def __init__(
        self,
        model: type[SyncRun],
        *,
        sync: Sync,
        enqueue: Callable[[int], None],
        accounts: Callable[[], object],
        on_done: Callable[[SyncRun, Tally], None] | None = None,
        on_failed: Callable[[SyncRun, str], None] | None = None,
        options: Callable[[SyncRun], dict] | None = None,
    ):
        self.model = model
        self.sync = sync
        self.enqueue = enqueue
        self.accounts = accounts
        self.on_done = on_done
        self.on_failed = on_failed
        # What a run's own row asks of `sync`, as keyword arguments (a full reading, say).
        self.options = options or (lambda run: {})
        self._counts = {f.name for f in model._meta.concrete_fields}

    def request(self, account: ProviderAccount, user=None, **fields) -> tuple[SyncRun, bool]:
        """The account's live run, or a new one enqueued after commit; (run, created).
        One left going by a dead worker (`is_stuck`) is marked failed and replaced.
        `fields` are set on a new run (what it is asked to do; see `options`)."""
        model = self.model
        with transaction.atomic():
            # Lock the account row so two clicks at once make one run.
            ProviderAccount.objects.select_for_update().filter(pk=account.pk).first()
            running = model.objects.filter(account=account, status__in=model.LIVE).first()
            if running is not None and not running.is_stuck:
                return running, False
            if running is not None:
                model.objects.filter(pk=running.pk, status__in=model.LIVE).update(
                    status=model.Status.FAILED, message=INTERRUPTED, finished_at=timezone.now()
                )
            run = model.objects.create(
                team=account.team, account=account, requested_by=user, **fields
            )
            transaction.on_commit(lambda: self.enqueue(run.pk))
        return run, True

    def request_all(self) -> int:
        """The scheduled refresh: a run for every account that has none live."""
        started = 0
        for account in self.accounts():
            _run, created = self.request(account)
            started += created
        return started

    def counts(self, tally: Tally) -> dict[str, int]:
        return {k: v for k, v in tally.counts().items() if k in self._counts}

    def execute(self, run_id: int) -> str:
        """Carry out one queued run; a redelivered message finds it taken and does nothing."""
        model = self.model
        if not model.objects.filter(pk=run_id, status=model.Status.QUEUED).update(
            status=model.Status.RUNNING, started_at=timezone.now()
        ):
            return "not-queued"
        run = model.objects.select_related("account", "team", "requested_by").get(pk=run_id)

        def progress(tally: Tally) -> None:
            model.objects.filter(pk=run_id).update(**self.counts(tally))

        try:
            tally = self.sync(run.account, progress, **self.options(run))
        except UpstreamError as exc:
            self._fail(run, exc.message)
            return "failed"
        except BaseException as exc:
            # A time limit or a bug: the run must not stay live; the error still surfaces.
            self._fail(run, f"Stopped by an internal error ({type(exc).__name__}); try again.")
            raise
        model.objects.filter(pk=run_id).update(
            status=model.Status.DONE,
            message=str(tally)[:500],
            finished_at=timezone.now(),
            **self.counts(tally),
        )
        if self.on_done:
            self.on_done(run, tally)
        return "done"

    def _fail(self, run: SyncRun, message: str) -> None:
        self.model.objects.filter(pk=run.pk).update(
            status=self.model.Status.FAILED, message=message[:500], finished_at=timezone.now()
        )
        if self.on_failed:
            self.on_failed(run, message)
