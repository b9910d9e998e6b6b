"""The life of a remote job: one row per upstream task, its timeline and its stored results."""

import mimetypes
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.holds import Hold
from jobs import registry
from teams.models import TeamQuerySet


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SUBMITTING = "submitting", "Submitting"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


# What a completed job is called while its result is still being copied (Job.status_label).
FINISHING = "Finishing"
UNFINISHED = (Status.QUEUED, Status.SUBMITTING, Status.PROCESSING)
FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELED)
# A job only ever moves forward; equal ranks are different endings, never swapped.
RANK = {
    Status.QUEUED: 0,
    Status.SUBMITTING: 1,
    Status.PROCESSING: 2,
    Status.COMPLETED: 3,
    Status.FAILED: 3,
    Status.CANCELED: 3,
}


# The holds on a job (see core.holds), each in its own column, so freeing one never
# frees another.
# Being sent: one submit task has it (JOBS_SUBMIT_HOLD); past it, it is taken over.
SUBMIT_HOLD = Hold("submit", "submit_held_until")
# Processing: a kind's follow-up call made while polling (engine.take_step).
STEP_HOLD = Hold("step", "step_held_until")
# Completed, results pending: one copier has them (JOBS_RESULTS_HOLD).
RESULTS_HOLD = Hold("results", "results_held_until")
# Processing: a poll tick has the job in hand (JOBS_POLL_HOLD), so a watcher does not
# pull its next poll forward into a second, overlapping one.
POLL_HOLD = Hold("poll", "polling_until")


class Made(NamedTuple):
    """A link from a finished job to what it made: what it says, where it goes."""

    label: str
    url: str


class ResultsState(models.TextChoices):
    NONE = "none", "No results"
    PENDING = "pending", "Copying"
    STORED = "stored", "Stored"
    FAILED = "failed", "Copy failed"


def new_marker() -> str:
    """A short token sent upstream with the job (in its name or label), so a job whose
    submission was interrupted can be recognised there instead of being sent twice."""
    return "vb" + secrets.token_hex(5)


class JobQuerySet(TeamQuerySet):
    def unfinished(self):
        return self.filter(status__in=UNFINISHED)

    def finished(self):
        return self.filter(status__in=FINISHED)

    def recent(self, kept=timedelta(minutes=15)):
        """The jobs still running or ended within `kept`, newest first, with their files:
        what a page shows beside the records the jobs make, until those are in the list."""
        ended = Q(finished_at__gte=timezone.now() - kept)
        return (
            self.filter(Q(status__in=UNFINISHED) | ended).prefetch_related("files").order_by("-pk")
        )


class Job(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="jobs")
    account = models.ForeignKey(
        "teams.ProviderAccount", on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    provider = models.CharField(max_length=20)
    kind = models.CharField(max_length=50, db_index=True)
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    marker = models.CharField(max_length=16, unique=True, default=new_marker, editable=False)
    params = models.JSONField(default=dict, blank=True)

    remote_id = models.CharField(max_length=100, blank=True, db_index=True)
    remote_status = models.CharField(max_length=50, blank=True)
    remote_message = models.TextField(blank=True)
    remote = models.JSONField(default=dict, blank=True)

    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    # SUBMIT_HOLD, STEP_HOLD and RESULTS_HOLD: when each lapses (empty: free).
    submit_held_until = models.DateTimeField(null=True, blank=True)
    step_held_until = models.DateTimeField(null=True, blank=True)
    results_held_until = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    # POLL_HOLD (see engine.claim_due and watch).
    polling_until = models.DateTimeField(null=True, blank=True)
    idle_polls = models.PositiveIntegerField(default=0)
    missing_polls = models.PositiveIntegerField(default=0)
    watched_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_change_at = models.DateTimeField(default=timezone.now)
    results_state = models.CharField(
        max_length=10, choices=ResultsState.choices, default=ResultsState.NONE
    )
    # (role, url) pairs the provider gave for the finished job; copied into JobFile rows.
    result_urls = models.JSONField(default=list, blank=True)
    # Copying those files: failed tries so far, when the next one is due, and since when
    # copying has been failing (past JOBS_RESULTS_GIVE_UP from then, it is given up).
    results_tries = models.PositiveIntegerField(default=0)
    results_next_at = models.DateTimeField(null=True, blank=True)
    results_failing_since = models.DateTimeField(null=True, blank=True)
    # The last status told to the rest of the system (webhooks, activity, domain hooks);
    # the reconciler re-announces when it lags behind `status`.
    announced = models.CharField(max_length=12, blank=True)
    # When the reconciler last re-sent a task message for this job (creation counts as
    # the first send). It re-sends only after JOBS_RECONCILE_AFTER, so a backlog in the
    # broker is not flooded with copies of messages that are still waiting there.
    enqueued_at = models.DateTimeField(default=timezone.now)

    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_poll_at"], name="job_due_idx"),
            models.Index(fields=["team", "status"], name="job_team_status_idx"),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse(self.page_url_name, kwargs={"team": self.team.slug, "job_id": self.pk})

    @property
    def job_kind(self):
        """The registered JobKind of this job, or None for a kind no longer registered."""
        try:
            return registry.get(self.kind)
        except KeyError:
            return None

    @property
    def page_url_name(self) -> str:
        """The page for this job: its domain's (a dubbing's) or the generic job page."""
        return self.job_kind.page_url_name if self.job_kind else "job_detail"

    @property
    def kind_label(self) -> str:
        """What people call this job's kind ("Dubbing", "Voice clone")."""
        return self.job_kind.verbose_name if self.job_kind else "Job"

    @property
    def failure_advice(self) -> str:
        """What to do next about a failed job, in its kind's words; "" when not failed."""
        kind = self.job_kind
        return kind.failure_advice if self.is_failed and kind is not None else ""

    @property
    def made(self):
        """A Made link to what this job made, once completed; else None."""
        kind = self.job_kind
        if not self.is_completed or kind is None:
            return None
        url = kind.made_url(self)
        return Made(kind.made_label_for(self), url) if url else None

    @property
    def timeline(self) -> list["JobEvent"]:
        """The job's events as people read them: a line where our status changed or
        something new was said. A poll that only saw the provider's own state move on
        (processing, then postprocessing) adds nothing here; those stay in Details."""
        lines = []
        for event in self.events.all():
            last = lines[-1] if lines else None
            if last and last.status == event.status and event.message in ("", last.message):
                continue
            lines.append(event)
        return lines

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    # What templates ask of a job, instead of comparing its status with strings.
    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def is_failed(self) -> bool:
        return self.status == Status.FAILED

    @property
    def status_label(self) -> str:
        """The status as a person reads it. A completed job whose result is still being
        copied is "Finishing": it is not done for them until the result is here."""
        if self.is_completed and self.is_copying_results:
            return FINISHING
        return self.get_status_display()

    @property
    def status_tone(self) -> str:
        """The pill's colour to go with status_label: a finishing job is still at work."""
        if self.is_completed and self.is_copying_results:
            return Status.PROCESSING
        return self.status

    @property
    def is_copying_results(self) -> bool:
        return self.results_state == ResultsState.PENDING

    @property
    def results_copy_failed(self) -> bool:
        return self.results_state == ResultsState.FAILED

    @property
    def provider_result_links(self) -> list[str]:
        """The provider's own links to the results, for when our copy is not there yet:
        web addresses only, so a hostile provider's `javascript:` link is never shown."""
        return [
            url
            for _role, url in self.result_urls or []
            if isinstance(url, str) and url.lower().startswith(("https://", "http://"))
        ]

    @property
    def provider_label(self) -> str:
        from teams.models import Provider

        return Provider(self.provider).label if self.provider in Provider.values else "the provider"

    @property
    def results_give_up_at(self):
        if self.results_failing_since is None:
            return None
        return self.results_failing_since + timedelta(seconds=settings.JOBS_RESULTS_GIVE_UP)

    @property
    def is_settled(self) -> bool:
        """Finished, its result files copied (or given up on), and its end announced (so
        what the kind makes of it, such as a mirrored recording, exists): nothing more
        will change, so a live row may stop asking and say it is done."""
        return (
            self.is_finished
            and self.results_state != ResultsState.PENDING
            and self.announced == self.status
        )

    @property
    def is_stale(self) -> bool:
        """Unfinished, and the provider has shown no change for longer than is normal."""
        if self.is_finished:
            return False
        limit = timedelta(seconds=settings.JOBS_STALE_AFTER)
        return timezone.now() - self.last_change_at > limit

    @property
    def failure_message(self) -> str:
        return self.remote_message or self.last_error


class JobEvent(models.Model):
    """One line of a job's timeline: a state change, or news from the provider."""

    class Source(models.TextChoices):
        USER = "user", "Person"
        SUBMIT = "submit", "Submission"
        POLL = "poll", "Polling"
        WEBHOOK = "webhook", "Webhook"
        SYSTEM = "system", "System"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices)
    remote_status = models.CharField(max_length=50, blank=True)
    message = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%H:%M:%S} {self.status}"

    @property
    def is_completed(self) -> bool:
        """The provider finished the work; our copy of the result may still be on its way,
        so the timeline says "Done at A2E" rather than the job's own "Completed"."""
        return self.status == Status.COMPLETED


def _result_path(instance, filename):
    return f"jobs/{instance.job.team_id}/{instance.job_id}/{filename}"


class JobFile(models.Model):
    """A result copied into our storage: upstream links expire, ours do not."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=20, default="result")
    file = models.FileField(upload_to=_result_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    source_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "role"], name="one_file_per_job_role")
        ]

    def __str__(self):
        return self.file.name

    @property
    def download_name(self) -> str:
        """The name a person's download gets: what the job's kind calls its result
        (`JobKind.file_title`), made safe (jobs.files.safe_name), with the stored extension."""
        from jobs.files import safe_name

        kind = self.job.job_kind
        title = kind.file_title(self.job) if kind else self.job.label
        stored = self.file.name.rsplit("/", 1)[-1]
        extension = stored.rsplit(".", 1)[1] if "." in stored else ""
        extension = f".{extension}" if extension.isalnum() and len(extension) <= 8 else ""
        if not extension and self.content_type:
            # A link with no name (`.../download?id=7`): the type the provider gave.
            extension = mimetypes.guess_extension(self.content_type) or ""
        return f"{safe_name(title, 'result', limit=120)}{extension}"

    @property
    def media_kind(self) -> str:
        if self.content_type.startswith("video/"):
            return "video"
        if self.content_type.startswith("audio/"):
            return "audio"
        return "file"


def _input_path(instance, filename):
    return f"inputs/{instance.team_id}/{secrets.token_hex(8)}/{filename}"


class InputFile(models.Model):
    """A file a person gave us for an upstream job (a voice sample, a dubbing source).
    Providers fetch it from us through a signed, expiring link (jobs.inputs)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=_input_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    duration = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.original_name


class SubmitKey(models.Model):
    """The one-time key of a form that spends the team's money (jobs.once): the first
    POST with it does the work and keeps where it led; a repeat is sent there too."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    # Where the first POST's answer led; empty while it is still being handled.
    answer = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "key"], name="submitkey_once_per_team")
        ]

    def __str__(self):
        return f"{self.path} ({self.key[:8]})"
