"""Admin for dubbing batches and their per-language dubbings."""

from django.contrib import admin

from dubbing.models import Batch, Dubbing, ImportRun
from teams.admin import SyncRunAdmin


class DubbingInline(admin.TabularInline):
    model = Dubbing
    extra = 0
    fields = ["target_lang", "job"]
    readonly_fields = ["target_lang", "job"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "source_lang", "num_speakers", "created_by", "created_at"]
    list_filter = ["source_lang", "team"]
    search_fields = ["name", "team__name"]
    list_select_related = ["team", "created_by"]
    readonly_fields = ["team", "source", "created_by"]
    inlines = [DubbingInline]


@admin.register(Dubbing)
class DubbingAdmin(admin.ModelAdmin):
    list_display = ["name", "target_lang", "team", "job_status", "imported"]
    list_filter = ["imported", "target_lang", "job__status"]
    search_fields = ["name", "remote_id", "team__name"]
    list_select_related = ["team", "job"]
    readonly_fields = ["team", "batch", "job", "remote_id"]

    @admin.display(description="status", ordering="job__status")
    def job_status(self, obj):
        return obj.job.get_status_display()


@admin.register(ImportRun)
class ImportRunAdmin(SyncRunAdmin):
    pass
