"""The team's activity log: who (or the system) did what to which object, and how it went."""

from django.conf import settings
from django.db import models

from teams.models import TeamQuerySet
from teams.signals import Change


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


class Area(models.TextChoices):
    """What part of the work an entry is about: the part of its verb's code before the
    dot, in the words of the activity page's filter."""

    JOB = "job", "Jobs"
    PROVIDER = "provider", "Providers"
    MEMBER = "member", "Members"
    INVITATION = "invitation", "Invitations"
    TEAM = "team", "Team"
    RECORDING = "recording", "Recordings"
    AVATAR = "avatar", "Avatars"


class Verb(models.TextChoices):
    """What happened, in the words the activity page prints; the code is what is stored,
    and starts with its Area."""

    JOB_CREATED = "job.created", "Job started"
    JOB_COMPLETED = "job.completed", "Job finished"
    JOB_FAILED = "job.failed", "Job failed"
    JOB_CANCELED = "job.canceled", "Job canceled"
    PROVIDER_CONNECTED = Change.PROVIDER_CONNECTED.value, "Provider connected"
    PROVIDER_UPDATED = Change.PROVIDER_UPDATED.value, "Provider settings changed"
    PROVIDER_TESTED = Change.PROVIDER_TESTED.value, "Connection tested"
    PROVIDER_DISCONNECTED = Change.PROVIDER_DISCONNECTED.value, "Provider disconnected"
    TEAM_RENAMED = Change.TEAM_RENAMED.value, "Team renamed"
    MEMBER_JOINED = Change.MEMBER_JOINED.value, "Member joined"
    MEMBER_ROLE_CHANGED = Change.MEMBER_ROLE_CHANGED.value, "Role changed"
    MEMBER_REMOVED = Change.MEMBER_REMOVED.value, "Member removed"
    INVITATION_CREATED = Change.INVITATION_CREATED.value, "Invitation made"
    INVITATION_REVOKED = Change.INVITATION_REVOKED.value, "Invitation withdrawn"
    RECORDING_SYNCED = "recording.synced", "Recordings refreshed"
    RECORDING_SYNC_FAILED = "recording.sync_failed", "Recordings not refreshed"
    PROJECT_OPENED = "recording.project_opened", "Project opened"
    PROJECT_CREATED = "recording.project_created", "Project created"
    PROJECT_RENAMED = "recording.project_renamed", "Project renamed"
    PROJECT_DELETED = "recording.project_deleted", "Project deleted"
    PROJECT_EXPORTED = "recording.project_exported", "Project exported"
    FOLDER_CREATED = "recording.folder_created", "Folder created"
    FOLDER_RENAMED = "recording.folder_renamed", "Folder renamed"
    FOLDER_DELETED = "recording.folder_deleted", "Folder deleted"
    TAKE_UPLOADED = "recording.uploaded", "Take uploaded"
    TAKE_SPOKEN = "recording.spoken", "Take made from text"
    TAKE_REPLACED = "recording.replaced", "Take replaced"
    TAKE_DELETED = "recording.deleted", "Take deleted"
    TAKE_STARRED = "recording.starred", "Take starred"
    TAKE_UNSTARRED = "recording.unstarred", "Star removed"
    TAKE_LABELLED = "recording.labelled", "Take renamed"
    TAKE_NOTED = "recording.noted", "Note saved"
    TAKE_NOTE_DELETED = "recording.note_deleted", "Note deleted"
    TAKES_EXPORTED = "recording.takes_exported", "Takes exported"
    CONVERSION_ORDERED = "recording.ordered", "Conversion ordered"
    CONVERSION_DONE = "recording.converted", "Conversion finished"
    CONVERSION_FAILED = "recording.conversion_failed", "Conversion failed"
    CONVERSIONS_EXPORTED = "recording.conversions_exported", "Conversions exported"
    CALIBRATION_CREATED = "recording.calibrated", "Calibration made"
    CALIBRATION_ENABLED = "recording.calibration_enabled", "Calibration made the default"
    CALIBRATION_AUTO = "recording.calibration_auto", "Calibration set to automatic"
    CALIBRATION_DELETED = "recording.calibration_deleted", "Calibration deleted"
    ROOM_OPENED = "avatar.room_opened", "Avatar room opened"
    ROOM_CLOSED = "avatar.room_closed", "Avatar room closed"


def areas() -> list[tuple[str, str]]:
    """The areas the page can filter by: those some verb is in, in Area's order. A verb
    whose area has no words is a mistake, so it fails here rather than hides."""
    used = {Area(verb.split(".", 1)[0]) for verb in Verb.values}
    return [(area.value, area.label) for area in Area if area in used]


# A job's verbs said after the kind of job ("Dubbing" + "started").
JOB_VERB_ENDINGS = {
    Verb.JOB_CREATED: "started",
    Verb.JOB_COMPLETED: "finished",
    Verb.JOB_FAILED: "failed",
    Verb.JOB_CANCELED: "canceled",
}


class Activity(models.Model):
    Verb = Verb

    class Outcome(models.TextChoices):
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="activity")
    # Empty for things the system did on its own (a job finishing, a scheduled sync).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=60, choices=Verb.choices)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    # What kind of thing the entry is about, in people's words ("Dubbing"), so a job's
    # entry reads "Dubbing started" rather than "Job started"; empty for the rest.
    subject = models.CharField(max_length=60, blank=True)
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
    def said(self) -> str:
        """The verb as the page prints it: "Dubbing started" for a job's entry that
        knows its kind, else the verb's label."""
        done = JOB_VERB_ENDINGS.get(self.verb)
        if self.subject and done:
            return f"{self.subject} {done}"
        return self.get_verb_display()

    @property
    def failed(self) -> bool:
        return self.outcome == self.Outcome.FAILED

    @property
    def failed_unsaid(self) -> bool:
        """Failed, and its words do not say so already: "Starred" that Respeecher refused
        needs a "Failed" beside it; "Job failed" does not."""
        return self.failed and not self.verb.endswith("failed")

    @property
    def area(self) -> str:
        return self.verb.split(".", 1)[0]
