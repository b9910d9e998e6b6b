"""A2E dubbing: one Dubbing per target language (each a job), grouped in a batch."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from core.words import language_name
from jobs.models import UNFINISHED, Status
from teams import runs
from teams.models import TeamQuerySet


class BatchQuerySet(TeamQuerySet):
    def with_progress(self):
        return self.annotate(
            total=Count("dubbings"),
            done=Count("dubbings", filter=Q(dubbings__job__status=Status.COMPLETED)),
            failed=Count("dubbings", filter=Q(dubbings__job__status=Status.FAILED)),
            canceled=Count("dubbings", filter=Q(dubbings__job__status=Status.CANCELED)),
        )


def _day(text: str):
    """A YYYY-MM-DD filter value as a date; anything else is no filter."""
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


class DubbingQuerySet(TeamQuerySet):
    # The list's filters, as GET parameters.
    FILTERS = ("status", "target", "q", "who", "since", "until")

    @classmethod
    def is_filtered(cls, params) -> bool:
        return any(params.get(key) for key in cls.FILTERS)

    def filtered(self, params) -> "DubbingQuerySet":
        """Apply the dubbing list's filters from a GET mapping; a malformed value (an
        unknown status, a date that is not one) is no filter."""
        qs = self
        status = params.get("status", "")
        if status == "active":
            qs = qs.filter(job__status__in=UNFINISHED)
        elif status in Status.values:
            qs = qs.filter(job__status=status)
        if params.get("target"):
            qs = qs.filter(target_lang=params["target"])
        if params.get("q"):
            qs = qs.filter(name__icontains=params["q"])
        if str(params.get("who", "")).isdigit():
            qs = qs.filter(job__created_by_id=int(params["who"]))
        since, until = _day(params.get("since", "")), _day(params.get("until", ""))
        if since:
            qs = qs.filter(job__created_at__date__gte=since)
        if until:
            qs = qs.filter(job__created_at__date__lte=until)
        return qs


class Batch(models.Model):
    """One source dubbed into one or more languages at once."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    source = models.ForeignKey(
        "jobs.InputFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_url = models.URLField(max_length=2000, blank=True)
    source_lang = models.CharField(max_length=20, default="auto")
    num_speakers = models.PositiveSmallIntegerField(default=1)
    drop_background_audio = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "batches"

    def __str__(self):
        return self.name


class Dubbing(models.Model):
    """One target language of a batch, or a record imported from A2E (no batch)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="dubbings"
    )
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="dubbing")
    name = models.CharField(max_length=200)
    target_lang = models.CharField(max_length=20)
    imported = models.BooleanField(default=False)
    # A2E's id once known; unique per team so an import never doubles a record.
    remote_id = models.CharField(max_length=100, null=True, blank=True)

    objects = DubbingQuerySet.as_manager()

    class Meta:
        ordering = ["-job__created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "remote_id"], name="one_dubbing_per_record")
        ]

    def __str__(self):
        return f"{self.name} → {language_name(self.target_lang)}"

    def get_absolute_url(self):
        return reverse("dubbing_detail", kwargs={"team": self.team.slug, "job_id": self.job_id})


class ImportRun(runs.SyncRun):
    """One import of an A2E account's dubbing records, so people can see it going and
    how it ended; two clicks make one import."""

    time_limit_setting = "DUBBING_IMPORT_TIME_LIMIT"

    def __str__(self):
        return f"Dubbing import of {self.account} ({self.get_status_display()})"
