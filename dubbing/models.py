"""A2E dubbing: one Dubbing per target language (each a job), grouped in a batch."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from teams.models import TeamQuerySet


class BatchQuerySet(TeamQuerySet):
    def with_progress(self):
        return self.annotate(
            total=Count("dubbings"),
            done=Count("dubbings", filter=Q(dubbings__job__status="completed")),
            failed=Count("dubbings", filter=Q(dubbings__job__status="failed")),
            canceled=Count("dubbings", filter=Q(dubbings__job__status="canceled")),
        )


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

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-job__created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "remote_id"], name="one_dubbing_per_record")
        ]

    def __str__(self):
        return f"{self.name} → {self.target_lang}"

    def get_absolute_url(self):
        return reverse("dubbing_detail", kwargs={"team": self.team.slug, "job_id": self.job_id})
