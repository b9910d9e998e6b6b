"""Submitting, polling and finishing remote jobs. Every state change is a conditional
update, so a redelivered or duplicated task message changes nothing the second time."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from core import bulk
from core.retry import Backoff
from jobs import registry
from jobs.errands import ANNOUNCE, FETCH_RESULTS, SUBMIT
from jobs.models import (
    FINISHED,
    POLL_HOLD,
    RANK,
    RESULTS_HOLD,
    STEP_HOLD,
    SUBMIT_HOLD,
    UNFINISHED,
    Job,
    JobEvent,
    ResultsState,
    Status,
)
from jobs.remote import COMPLETED, FAILED, PROCESSING, QUEUED, Remote, Unsendable
from jobs.signals import job_announced
from providers import (
    AuthError,
    BadRequest,
    NotFound,
    ProtocolError,
    RateLimited,
    TooLarge,
    Unavailable,
    UnsafeAddress,
    UpstreamError,
)
from teams.connection import client_for

log = logging.getLogger(__name__)

STATE_TO_STATUS = {
    # Accepted upstream but not started is still "processing" for us: it has a remote id.
    QUEUED: Status.PROCESSING,
    PROCESSING: Status.PROCESSING,
    COMPLETED: Status.COMPLETED,
    FAILED: Status.FAILED,
}
# Rows per bulk statement: inside PostgreSQL's 65,535 and SQLite's 32,766 variables.
BULK_BATCH = 1000
# Errors that say the request itself is wrong: sending it again cannot help.
PERMANENT = (BadRequest, AuthError, NotFound, UnsafeAddress, TooLarge)


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def submit_retry() -> Backoff:
    """A failed submission's next try: base x 2^(attempts-1), capped, +-10 %, until
    JOBS_MAX_ATTEMPTS have failed (read when asked, so tests may change them)."""
    return Backoff(
        base=settings.JOBS_RETRY_BASE,
        cap=settings.JOBS_RETRY_MAX,
        max_tries=settings.JOBS_MAX_ATTEMPTS,
    )


# Creating ------------------------------------------------------------------------------


def _create(*, team, account, kind: str, label: str, params: dict, created_by=None, retry_of=None):
    """Write the job in the caller's transaction; its submission starts after commit.
    Only JobKind.create (a kind's `start`) and `retry` call this: outside jobs/, a job
    starts through its kind, which writes its domain row beside it."""
    registry.get(kind)  # an unknown kind is a programming error: fail before writing
    job = Job.objects.create(
        team=team,
        account=account,
        provider=account.provider,
        kind=kind,
        label=label[:200],
        params=params,
        created_by=created_by,
        retry_of=retry_of,
    )
    JobEvent.objects.create(job=job, status=Status.QUEUED, source=JobEvent.Source.USER)
    SUBMIT.send_on_commit(job.pk)
    ANNOUNCE.send_on_commit(job.pk)
    return job


def retry(job: Job, user=None) -> tuple[Job, bool]:
    """A new job doing what a failed one tried, linked to it; the kind may attach it
    where the old one was shown (a dubbing batch, say). A failed job is retried once:
    asked again (a double click, a second bulk retry), this returns the retry it already
    has. Returns (the retry, whether it was made now). Call inside a transaction."""
    Job.objects.select_for_update().filter(pk=job.pk).first()  # one retry at a time
    existing = Job.objects.filter(retry_of=job).order_by("pk").first()
    if existing is not None:
        return existing, False
    new = _create(
        team=job.team,
        account=job.account,
        kind=job.kind,
        label=job.label,
        params=job.params,
        created_by=user,
        retry_of=job,
    )
    registry.get(job.kind).on_retry(job, new)
    return new, True


@dataclass(frozen=True)
class Adoption:
    """A record that exists upstream already (work started elsewhere), as `adopt` takes
    it: the provider's view of it, and what a start here would have written."""

    remote: Remote
    label: str
    # The kind's Params (anything with as_json()), from what the provider reported.
    params: object = None
    created_at: datetime | None = None
    # When it ended, if it has; else the moment it is adopted.
    finished_at: datetime | None = None


def adopt(kind, account, remote: Remote, **fields) -> Job | None:
    """A Job for one record that exists upstream already; see adopt_many."""
    jobs = adopt_many(kind, account, [Adoption(remote, **fields)])
    return jobs[0] if jobs else None


def adopt_many(kind, account, adoptions: list[Adoption], now=None) -> list[Job]:
    """Jobs of `kind` on `account` for records the provider already has (an import):
    their status from the remote state, their results to copy if completed, already
    announced at that status (no webhook for old news), with a SYSTEM event "Imported
    from <provider>"; unfinished ones are polled from now on. A record this account
    already has a job of this kind for is skipped. Returns the new jobs, in the order
    given, for the caller to write their domain rows beside. Three queries, whatever
    the number; call inside a transaction."""
    registry.get(kind.name)  # an unknown kind is a programming error
    now = now or timezone.now()
    known = set(
        Job.objects.filter(
            account=account,
            kind=kind.name,
            remote_id__in=[a.remote.remote_id for a in adoptions],
        ).values_list("remote_id", flat=True)
    )
    rows, seen = [], set()
    for adoption in adoptions:
        remote = adoption.remote
        if not remote.remote_id or remote.remote_id in known or remote.remote_id in seen:
            continue
        seen.add(remote.remote_id)
        status = STATE_TO_STATUS.get(remote.state, Status.PROCESSING)
        finished = status in FINISHED
        results = [list(r) for r in remote.results] if status == Status.COMPLETED else []
        params = adoption.params
        rows.append(
            Job(
                team_id=account.team_id,
                account=account,
                provider=account.provider,
                kind=kind.name,
                label=(adoption.label or remote.remote_id)[:200],
                status=status,
                remote_id=remote.remote_id,
                remote_status=(remote.status or "")[:50],
                remote_message=remote.message or "",
                remote=remote.payload,
                params=params.as_json() if params is not None else {},
                result_urls=results,
                results_state=ResultsState.PENDING if results else ResultsState.NONE,
                finished_at=(adoption.finished_at or now) if finished else None,
                next_poll_at=None if finished else now,
                created_at=adoption.created_at or now,
                announced=status,
            )
        )
    if not rows:
        return []
    jobs = Job.objects.bulk_create(rows, batch_size=BULK_BATCH)
    message = f"Imported from {jobs[0].provider_label}"
    JobEvent.objects.bulk_create(
        [
            JobEvent(
                job=job,
                at=now,
                status=job.status,
                remote_status=job.remote_status,
                message=message,
                source=JobEvent.Source.SYSTEM,
            )
            for job in jobs
        ],
        batch_size=BULK_BATCH,
    )
    return jobs


# Submitting ----------------------------------------------------------------------------


def submit(job_id: int, now=None) -> str:
    """Send one job upstream. Returns what happened, for logs and tests. `now` (for
    tests) stands for every moment of the call, the failure's too."""
    clock = (lambda: now) if now else timezone.now
    now = clock()
    due = Q(status=Status.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    # A job left in "submitting" past its hold lost its worker: take it over. (A queued
    # job holds nothing: its hold was freed when it went back to the queue.)
    hold = SUBMIT_HOLD.take(
        Job.objects.filter(due | Q(status=Status.SUBMITTING), pk=job_id),
        now,
        _seconds("JOBS_SUBMIT_HOLD"),
        status=Status.SUBMITTING,
        attempts=F("attempts") + 1,
    )
    if hold is None:
        return "not-due"
    job = Job.objects.select_related("account", "team").get(pk=job_id)
    if job.account is None:
        _finish_failed(job, "The provider account was disconnected before the job was sent.")
        return "failed"
    kind = registry.get(job.kind)
    try:
        client = client_for(job.account)
        remote = None
        if job.attempts > 1:
            # An earlier attempt may have reached the provider before its worker died.
            remote = kind.find(job, client)
            if remote is not None:
                log.info(
                    "job %s: found upstream as %s after an interrupted submit",
                    job.pk,
                    remote.remote_id,
                )
        if remote is None:
            remote = kind.submit(job, client)
    except PERMANENT as exc:
        _finish_failed(job, exc.message, hold=hold)
        return "failed"
    except Unsendable as exc:
        _finish_failed(job, str(exc), hold=hold)
        return "failed"
    except (RateLimited, Unavailable, ProtocolError, UpstreamError) as exc:
        # Measured from the failure, not from the taking: a slow call must not eat the wait.
        return _submit_later(job, exc, hold, clock())
    _mark_submitted(job, remote, hold, now)
    return "submitted"


def _submit_later(job: Job, exc: Exception, hold, now) -> str:
    message = getattr(exc, "message", str(exc))
    wait = submit_retry().delay(job.attempts, retry_after=getattr(exc, "retry_after", None))
    if wait is None:
        _finish_failed(job, f"Gave up after {job.attempts} attempts: {message}", hold=hold)
        return "failed"
    mine = Job.objects.filter(SUBMIT_HOLD.mine(hold), pk=job.pk, status=Status.SUBMITTING)
    if getattr(exc, "maybe_processed", False) or isinstance(exc, ProtocolError):
        # It may exist upstream, or come to exist: a provider that took the request
        # before we gave up on its answer may still be working on it. Stay "submitting"
        # and look for it no sooner than JOBS_UNSURE_WAIT from now, so the record has
        # had time to appear before we decide it was never made and send it again.
        wait = max(wait, _seconds("JOBS_UNSURE_WAIT"))
        mine.update(**{SUBMIT_HOLD.until: now + wait}, last_error=message)
    else:
        mine.update(
            status=Status.QUEUED,
            not_before=now + wait,
            last_error=message,
            **SUBMIT_HOLD.released(),
        )
    log.warning(
        "job %s: submit attempt %s failed (%s); again in %s", job.pk, job.attempts, message, wait
    )
    return "retry"


def _mark_submitted(job: Job, remote: Remote, hold, now) -> None:
    with transaction.atomic():
        moved = Job.objects.filter(
            SUBMIT_HOLD.mine(hold), pk=job.pk, status=Status.SUBMITTING
        ).update(
            **SUBMIT_HOLD.released(),
            status=Status.PROCESSING,
            remote_id=remote.remote_id,
            next_poll_at=now + _seconds("JOBS_POLL_MIN"),
            last_error="",
            last_change_at=now,
        )
        if not moved:
            return
        JobEvent.objects.create(
            job=job,
            at=now,
            status=Status.PROCESSING,
            remote_status=remote.status,
            message=remote.message,
            source=JobEvent.Source.SUBMIT,
        )
        # The provider's first answer may already be final (synchronous kinds, quick
        # jobs). Applied in the same transaction: a worker dying here must not leave a
        # job that is past submitting but has lost what the provider answered.
        apply({job.pk: remote}, JobEvent.Source.SUBMIT, now=now)


def take_step(job: Job, seconds: int, now=None) -> bool:
    """Hold a processing job for a follow-up call its kind makes while polling (such
    as placing an order once the first step is done). Two polls of one job can overlap
    (a watched job is due again every few seconds); only the one that gets the hold
    may make the call. The hold lapses by itself, so a call whose answer was lost is
    looked for, and made again only after `seconds`."""
    now = now or timezone.now()
    processing = Job.objects.filter(pk=job.pk, status=Status.PROCESSING)
    return STEP_HOLD.take(processing, now, timedelta(seconds=seconds)) is not None


def _finish_failed(job: Job, message: str, hold=None) -> None:
    """Fail an unfinished job; given the submit `hold`, only while it is ours.
    Whatever hold the job had (submit or step) ends with it."""
    now = timezone.now()
    query = Job.objects.filter(pk=job.pk, status__in=UNFINISHED)
    if hold is not None:
        query = query.filter(SUBMIT_HOLD.mine(hold), status=Status.SUBMITTING)
    with transaction.atomic():
        if not query.update(
            status=Status.FAILED,
            last_error=message,
            finished_at=now,
            next_poll_at=None,
            last_change_at=now,
            **SUBMIT_HOLD.released(),
        ):
            return
        JobEvent.objects.create(
            job=job, at=now, status=Status.FAILED, message=message, source=JobEvent.Source.SYSTEM
        )
        ANNOUNCE.send_on_commit(job.pk)


# Applying what the provider says --------------------------------------------------------


def poll_interval(idle_polls: int, watched: bool) -> timedelta:
    """5 s while someone looks at the job or right after a change, backing off to 60 s."""
    low, high = settings.JOBS_POLL_MIN, settings.JOBS_POLL_MAX
    if watched:
        return timedelta(seconds=low)
    return timedelta(seconds=min(high, low * 2**idle_polls))


@dataclass(frozen=True)
class NextState:
    """What one answer from the provider makes of one job. Worked out from the job and
    the answer alone, so the rules can be read and tested without a database."""

    status: str
    changed: bool  # a new status, remote status or message: recorded with an event
    idle_polls: int
    next_poll_in: timedelta | None  # None once the job has finished
    remote_status: str = ""
    remote_message: str = ""
    # (role, url) pairs to copy into our storage; only for a job that completed now.
    results: list = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def next_state(job: Job, remote: Remote, now) -> NextState:
    """The state `remote` (the provider's view) moves `job` to, never backwards."""
    new = STATE_TO_STATUS.get(remote.state, Status.PROCESSING)
    if RANK[new] < RANK[job.status]:
        new = job.status
    watched = job.watched_until is not None and job.watched_until > now
    if (new, remote.status, remote.message) == (job.status, job.remote_status, job.remote_message):
        idle = job.idle_polls + 1
        return NextState(new, False, idle, poll_interval(idle, watched))
    finished = new in FINISHED
    return NextState(
        status=new,
        changed=True,
        idle_polls=0,
        next_poll_in=None if finished else poll_interval(0, watched),
        remote_status=remote.status[:50],
        remote_message=remote.message,
        results=[list(r) for r in remote.results] if new == Status.COMPLETED else [],
    )


# The columns apply() writes for a job that changed.
APPLIED_FIELDS = [
    "status",
    "remote_status",
    "remote_message",
    "remote",
    "last_change_at",
    "idle_polls",
    "missing_polls",
    "finished_at",
    "next_poll_at",
    "result_urls",
    "results_state",
    STEP_HOLD.until,
]


def _take_state(job: Job, state: NextState, remote: Remote, now) -> None:
    """Copy a changed state onto the row, for the bulk update."""
    job.status, job.remote_status, job.remote_message = (
        state.status,
        state.remote_status,
        state.remote_message,
    )
    job.remote, job.last_change_at, job.idle_polls, job.missing_polls = remote.payload, now, 0, 0
    if state.finished:
        job.finished_at, job.next_poll_at = now, None
        # A follow-up call's hold ends with the job; fetch_results takes its own.
        for column, value in STEP_HOLD.released().items():
            setattr(job, column, value)
        job.result_urls = state.results
        job.results_state = ResultsState.PENDING if state.results else ResultsState.NONE
    else:
        job.next_poll_at = now + state.next_poll_in


def apply(remotes: dict[int, Remote], source: str, now=None) -> list[int]:
    """Record the provider's view of many jobs at once, never moving one backwards.
    Returns the ids of jobs that changed. The number of queries does not depend on how
    many jobs are given: unchanged jobs are rescheduled in groups, changed ones in bulk."""
    if not remotes:
        return []
    now = now or timezone.now()
    changed, events, unchanged = [], [], defaultdict(list)
    with transaction.atomic():
        rows = Job.objects.select_for_update().filter(pk__in=list(remotes), status__in=UNFINISHED)
        for job in rows:
            remote = remotes[job.pk]
            state = next_state(job, remote, now)
            if not state.changed:
                unchanged[(state.idle_polls, state.next_poll_in)].append(job.pk)
                continue
            _take_state(job, state, remote, now)
            changed.append(job)
            events.append(
                JobEvent(
                    job=job,
                    at=now,
                    status=state.status,
                    remote_status=state.remote_status,
                    message=state.remote_message,
                    source=source,
                )
            )
        for (idle, interval), pks in unchanged.items():
            Job.objects.filter(pk__in=pks).update(
                idle_polls=idle, missing_polls=0, next_poll_at=now + interval
            )
        if changed:
            bulk.update_rows(Job, changed, APPLIED_FIELDS, batch_size=BULK_BATCH)
            JobEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
        for job in changed:
            if job.status == Status.COMPLETED and job.result_urls:
                FETCH_RESULTS.send_on_commit(job.pk)
            elif job.status in FINISHED:
                ANNOUNCE.send_on_commit(job.pk)
    return [job.pk for job in changed]


def note_missing(job_ids: list[int], now=None) -> None:
    """The provider did not list these jobs; after a few such polls they are failed."""
    if not job_ids:
        return
    now = now or timezone.now()
    limit = settings.JOBS_MISSING_LIMIT
    Job.objects.filter(pk__in=job_ids, status=Status.PROCESSING).update(
        missing_polls=F("missing_polls") + 1, next_poll_at=now + poll_interval(1, False)
    )
    for job in Job.objects.filter(
        pk__in=job_ids, status=Status.PROCESSING, missing_polls__gte=limit
    ):
        _finish_failed(
            job, "The provider no longer lists this job; it may have been deleted there."
        )


def note_poll_error(job_ids: list[int], message: str, now=None, retry_after=None) -> None:
    now = now or timezone.now()
    wait = timedelta(seconds=max(settings.JOBS_POLL_MAX, retry_after or 0))
    Job.objects.filter(pk__in=job_ids, status=Status.PROCESSING).update(
        last_error=message, next_poll_at=now + wait
    )


# Polling -------------------------------------------------------------------------------


def claim_due(now=None, limit=None) -> list[int]:
    """Take the jobs due for a poll (POLL_HOLD), so a second tick running at once takes
    others."""
    now = now or timezone.now()
    limit = limit or settings.JOBS_TICK_LIMIT
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PROCESSING, next_poll_at__lte=now)
            .order_by("next_poll_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            # If this tick dies, the poll hold lapses and the jobs are due again.
            until = now + _seconds("JOBS_POLL_HOLD")
            Job.objects.filter(pk__in=ids).update(next_poll_at=until, **{POLL_HOLD.until: until})
    return ids


def poll_due(now=None, limit=None) -> dict:
    """One beat tick: poll every due job, one upstream conversation per account and kind."""
    now = now or timezone.now()
    ids = claim_due(now, limit)
    groups = defaultdict(list)
    for job in Job.objects.filter(pk__in=ids).select_related("account"):
        groups[(job.account_id, job.kind)].append(job)
    stats = {"jobs": len(ids), "groups": len(groups), "changed": 0}
    for (_account_id, kind_name), jobs in groups.items():
        stats["changed"] += len(poll_group(jobs, kind_name, now))
    return stats


def poll_group(jobs: list[Job], kind_name: str, now=None) -> list[int]:
    try:
        return _poll_group(jobs, kind_name, now or timezone.now())
    finally:
        # Done with them: a watcher may pull their next poll forward again.
        Job.objects.filter(pk__in=[job.pk for job in jobs]).update(**POLL_HOLD.released())


def _poll_group(jobs: list[Job], kind_name: str, now) -> list[int]:
    ids = [job.pk for job in jobs]
    account = jobs[0].account
    if account is None:
        for job in jobs:
            _finish_failed(
                job, "The provider account was disconnected; this job can no longer be followed."
            )
        return ids
    try:
        remotes = registry.get(kind_name).fetch_many(jobs, client_for(account))
    except RateLimited as exc:
        note_poll_error(ids, exc.message, now, retry_after=exc.retry_after)
        return []
    except UpstreamError as exc:
        note_poll_error(ids, exc.message, now)
        return []
    by_remote_id = {job.remote_id: job.pk for job in jobs}
    answered = {by_remote_id[rid]: r for rid, r in remotes.items() if rid in by_remote_id}
    found = {pk: remote for pk, remote in answered.items() if remote is not None}
    note_missing([pk for pk, remote in answered.items() if remote is None], now)
    # Jobs the kind did not get to this time are due again soon, not after the poll hold.
    unchecked = [pk for pk in ids if pk not in answered]
    Job.objects.filter(pk__in=unchecked, status=Status.PROCESSING).update(
        next_poll_at=now + _seconds("JOBS_POLL_MIN")
    )
    return apply(found, JobEvent.Source.POLL, now)


def not_being_polled(now) -> Q:
    """Jobs no poll tick has in hand right now."""
    return POLL_HOLD.free(now)


def watch(job: Job, now=None) -> None:
    """Someone is looking at this job: poll it soon and often while they do (a poll
    already under way is not doubled; the next one comes soon after it). One UPDATE:
    the live row calls this every two seconds for every open tab."""
    now = now or timezone.now()
    soon = now + timedelta(seconds=2)
    due_later = When(
        not_being_polled(now),
        status=Status.PROCESSING,
        next_poll_at__gt=soon,
        then=Value(soon),
    )
    Job.objects.filter(pk=job.pk).update(
        watched_until=now + timedelta(seconds=30),
        next_poll_at=Case(due_later, default=F("next_poll_at")),
        idle_polls=Case(
            When(due_later.condition, then=Value(0)),
            default=F("idle_polls"),
            output_field=models.PositiveIntegerField(),
        ),
    )


# Announcements ---------------------------------------------------------------------


def announce(job_id: int) -> list[str]:
    """Tell the rest of the system what it has not yet heard about this job: that it was
    created, and (once its results are stored) how it ended. Claimed with a conditional
    update inside the receivers' transaction, so it is said once even if run twice."""
    said = []
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("team").filter(pk=job_id).first()
        if job is None:
            return said
        if job.announced == "" and Job.objects.filter(pk=job.pk, announced="").update(
            announced=Status.QUEUED
        ):
            job_announced.send(Job, job=job, event="created")
            job.announced = Status.QUEUED
            said.append("created")
        ready = job.results_state != ResultsState.PENDING
        claim = Job.objects.filter(pk=job.pk).exclude(announced=job.status)
        if (
            job.status in FINISHED
            and job.announced != job.status
            and ready
            and claim.update(announced=job.status)
        ):
            job_announced.send(Job, job=job, event=job.status)
            registry.get(job.kind).on_finished(job)
            said.append(job.status)
    return said


# Reconciling ---------------------------------------------------------------------------


def reconcile(now=None) -> dict:
    """Pick up jobs whose task message never ran: a lost message or a wiped broker costs
    a delay, never a job. A job is re-sent at most once per JOBS_RECONCILE_AFTER, so a
    backlog in the broker does not grow with copies; a copy that does arrive twice is
    harmless, since every task takes its work with a conditional update."""
    now = now or timezone.now()
    grace = now - _seconds("JOBS_RECONCILE_AFTER")
    quiet = Job.objects.filter(enqueued_at__lt=grace)
    resubmit = quiet.filter(
        Q(status=Status.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
        | Q(status=Status.SUBMITTING) & SUBMIT_HOLD.free(now)
    )
    # A copy under way, or waiting for its task's retry, holds the job: not re-sent.
    results = quiet.filter(
        RESULTS_HOLD.free(now), results_state=ResultsState.PENDING, finished_at__lt=grace
    )
    # Just finished jobs were announced by the task that finished them: wait as long.
    unannounced = quiet.filter(
        Q(announced="") | Q(status__in=FINISHED, finished_at__lt=grace) & ~Q(announced=F("status"))
    ).exclude(results_state=ResultsState.PENDING)
    counts = {}
    for name, errand, query in (
        ("submit", SUBMIT, resubmit),
        ("fetch_results", FETCH_RESULTS, results),
        ("announce", ANNOUNCE, unannounced),
    ):
        ids = list(query.order_by("enqueued_at").values_list("pk", flat=True)[:1000])
        Job.objects.filter(pk__in=ids).update(enqueued_at=now)
        for pk in ids:
            errand.send(pk)
        counts[name] = len(ids)
    return counts


@dataclass(frozen=True)
class Cancellation:
    """What a request to cancel came to: whether the job is now canceled, and a line
    for the person."""

    canceled: bool
    message: str
    # Nothing of it runs at the provider any more (never sent, or stopped there).
    at_provider: bool = True


def _not_canceled(job: Job, provider: str) -> Cancellation:
    """Why a job that is being sent, or has finished, is not canceled."""
    if job.status == Status.SUBMITTING:
        return Cancellation(
            False, f"{job.label} is being sent to {provider} right now; try again in a moment."
        )
    return Cancellation(False, f"{job.label} had already finished.")


def cancel(job: Job, user=None) -> Cancellation:
    """Stop a job. One being sent is refused: its upstream record may appear any moment
    and would then run unwatched. One the provider can stop is stopped there first; if
    the provider refuses, the job keeps running here too and the person is told why.
    Otherwise (not sent yet, or a provider with no cancel) we stop following it."""
    job = Job.objects.select_related("account").filter(pk=job.pk).first()
    if job is None:
        return Cancellation(False, "The job had already finished.")
    provider = job.provider_label
    if job.status not in (Status.QUEUED, Status.PROCESSING):
        return _not_canceled(job, provider)
    kind = registry.get(job.kind)
    stopped_there = False
    if job.status == Status.PROCESSING and job.account is not None and kind.can_cancel:
        try:
            kind.cancel(job, client_for(job.account))
        except NotFound:
            pass  # the provider no longer has it: nothing is left to stop there
        except UpstreamError as exc:
            log.warning("job %s: upstream cancel failed: %s", job.pk, exc.message)
            return Cancellation(
                False, f"{provider} did not stop {job.label}, so it keeps running: {exc.message}"
            )
        stopped_there = True
    now = timezone.now()
    with transaction.atomic():
        # Conditional: a submit takes a queued job the same way, so only one of us wins.
        if not Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Status.CANCELED, finished_at=now, next_poll_at=None, **STEP_HOLD.released()
        ):
            job.refresh_from_db(fields=["status"])  # it moved on meanwhile: say where to
            return _not_canceled(job, provider)
        JobEvent.objects.create(
            job=job,
            at=now,
            status=Status.CANCELED,
            source=JobEvent.Source.USER,
            message=f"Canceled by {user}" if user else "Canceled",
        )
        ANNOUNCE.send_on_commit(job.pk)
    if stopped_there or job.status == Status.QUEUED:
        return Cancellation(True, f"{job.label} canceled.")
    return Cancellation(
        True,
        f"{job.label} canceled here; {provider} cannot stop it, so it may still finish there.",
        at_provider=False,
    )
