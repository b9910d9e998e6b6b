"""The team's activity log: who (or the system) did what to which object, and how it went."""

from django.conf import settings
from django.db import models

from teams.models import TeamQuerySet


class ActivityQuerySet(TeamQuerySet):
    def filtered(self, *, area="", actor="", outcome=""):
        entries = self
        if area:
            entries = entries.filter(verb__startswith=f"{area}.")
        if actor == "system":
            entries = entries.filter(actor__isnull=True)
        elif actor.isdigit():
            entries = entries.filter(actor_id=int(actor))
        if outcome in (Activity.Outcome.OK, Activity.Outcome.FAILED):
            entries = entries.filter(outcome=outcome)
        return entries


class Activity(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="activity")
    # Empty for things the system did on its own (a job finishing, a scheduled sync).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    # Kept as text so the entry still reads right after its object is deleted.
    target_label = models.CharField(max_length=200, blank=True)
    target_url = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OK)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "-created_at"], name="activity_team_recent_idx")]
        verbose_name_plural = "activity"

    def __str__(self):
        return f"{self.verb} {self.target_label}"

    @property
    def failed(self) -> bool:
        return self.outcome == self.Outcome.FAILED

    @property
    def area(self) -> str:
        return self.verb.split(".", 1)[0]
