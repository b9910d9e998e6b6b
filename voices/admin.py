"""Admin for the voice catalog and its sync runs: read mostly, since providers own voices."""

from django.contrib import admin

from teams.admin import SyncRunAdmin
from voices.models import Clone, Generation, SyncRun, Voice


@admin.register(Voice)
class VoiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "provider",
        "kind",
        "language",
        "status",
        "quality_band",
        "team",
        "favorite",
        "gone_at",
    ]
    list_filter = [
        "provider",
        "kind",
        "quality_band",
        "favorite",
        ("gone_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "remote_id", "team__name"]
    list_select_related = ["team"]
    readonly_fields = [
        f
        for f in (
            "team",
            "account",
            "provider",
            "remote_id",
            "raw",
            "fingerprint",
            "first_seen_at",
            "synced_at",
            "gone_at",
        )
    ]
    # The changelist must stay quick at 100,000 voices: no full COUNT(*) per page.
    show_full_result_count = False
    # Newest first walks the primary key; sorting 100,000 names would cost every page.
    ordering = ["-id"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            qs = qs.defer("raw")  # the bulk of each row, and not in the list
        return qs


@admin.register(SyncRun)
class VoiceSyncAdmin(SyncRunAdmin):
    pass


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["voice_name", "short_text", "team", "created_by", "job_status", "created_at"]
    list_filter = ["job__status", "team"]
    search_fields = ["voice_name", "text", "team__name"]
    list_select_related = ["team", "created_by", "job"]
    readonly_fields = ["team", "voice", "job", "created_by"]

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:60]

    @admin.display(description="status", ordering="job__status")
    def job_status(self, obj):
        return obj.job.get_status_display()


@admin.register(Clone)
class CloneAdmin(admin.ModelAdmin):
    """Voices cloned here; the job holds the samples and the timeline."""

    list_display = ["name", "voice", "team", "created_by", "job", "created_at"]
    list_filter = ["job__provider", "job__status"]
    search_fields = ["name", "team__name", "job__remote_id"]
    list_select_related = ["team", "created_by", "job", "voice"]
    readonly_fields = ["team", "voice", "job", "created_by"]
