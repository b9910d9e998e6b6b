"""Admin for the Respeecher mirror and its sync runs: read mostly, since Respeecher owns it."""

from django.contrib import admin

from recordings.models import Arrival, Calibration, Folder, Order, Project, Recording, SyncRun
from teams.admin import SyncRunAdmin

MIRROR_FIELDS = [
    "team",
    "account",
    "remote_id",
    "raw",
    "fingerprint",
    "first_seen_at",
    "synced_at",
    "gone_at",
]


class MirrorAdmin(admin.ModelAdmin):
    readonly_fields = MIRROR_FIELDS
    list_filter = [("gone_at", admin.EmptyFieldListFilter)]
    # The changelists must stay quick at 100,000 takes: no full COUNT(*) per page, and
    # newest first walks the primary key.
    show_full_result_count = False
    ordering = ["-id"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            qs = qs.defer("raw")  # the bulk of each row, and not in the list
        return qs


@admin.register(Project)
class ProjectAdmin(MirrorAdmin):
    list_display = ["name", "team", "last_recording_at", "tree_synced_at", "gone_at"]
    search_fields = ["name", "remote_id", "team__name"]
    list_select_related = ["team"]
    readonly_fields = [*MIRROR_FIELDS, "tree_synced_at", "tree_as_of"]


@admin.register(Folder)
class FolderAdmin(MirrorAdmin):
    list_display = ["name", "project", "team", "gone_at"]
    search_fields = ["name", "remote_id", "project__name"]
    list_select_related = ["project", "team"]
    readonly_fields = [*MIRROR_FIELDS, "project", "parent"]


@admin.register(Recording)
class RecordingAdmin(MirrorAdmin):
    list_display = ["__str__", "kind", "state", "starred", "tts", "project", "team", "gone_at"]
    list_filter = [
        "kind",
        "state",
        "starred",
        "tts",
        ("gone_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["label", "file_name", "remote_id"]
    list_select_related = ["project", "team"]
    readonly_fields = [*MIRROR_FIELDS, "project", "folder", "original"]


@admin.register(Calibration)
class CalibrationAdmin(MirrorAdmin):
    list_display = ["__str__", "state", "enabled", "f0", "team", "gone_at"]
    search_fields = ["name", "remote_id", "team__name"]
    list_select_related = ["team"]


@admin.register(SyncRun)
class RecordingsSyncAdmin(SyncRunAdmin):
    list_display = [*SyncRunAdmin.list_display[:2], "projects", "projects_read"] + (
        SyncRunAdmin.list_display[2:]
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Conversions ordered here; the job holds the options and the timeline."""

    list_display = ["__str__", "job", "conversion", "team", "created_at"]
    list_select_related = ["team", "job", "original", "conversion"]
    search_fields = ["voice_name", "original__label", "job__remote_id"]
    readonly_fields = ["team", "job", "original", "conversion"]
    show_full_result_count = False
    ordering = ["-id"]


@admin.register(Arrival)
class ArrivalAdmin(admin.ModelAdmin):
    """Uploads and speech into a folder from here; the job holds the timeline."""

    list_display = ["__str__", "job", "team", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["team", "job", "folder"]
    search_fields = ["folder__name", "job__label", "job__remote_id"]
    readonly_fields = ["team", "job", "folder"]
    show_full_result_count = False
    ordering = ["-id"]
