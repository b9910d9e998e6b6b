"""Admin for jobs: filter by kind, state and provider; retry, cancel or poll now."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from jobs import engine
from jobs.models import FINISHED, InputFile, Job, JobEvent, JobFile, Status, SubmitKey


class JobEventInline(admin.TabularInline):
    model = JobEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status", "remote_status", "message", "source"]

    def has_add_permission(self, request, obj=None):
        return False


class JobFileInline(admin.TabularInline):
    model = JobFile
    extra = 0
    readonly_fields = ["role", "file", "content_type", "size", "sha256", "source_url"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "team",
        "kind",
        "provider",
        "status",
        "remote_status",
        "attempts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "provider", "results_state"]
    search_fields = ["label", "remote_id", "marker", "team__name"]
    list_select_related = ["team"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields if f.name not in ("label",)]
    inlines = [JobEventInline, JobFileInline]
    actions = ["retry", "cancel", "poll_now"]

    @admin.action(description="Retry (a new job for each failed one)")
    def retry(self, request, queryset):
        made = 0
        with transaction.atomic():
            for job in queryset.filter(status=Status.FAILED, account__isnull=False):
                made += engine.retry(job, user=request.user)[1]
        self.message_user(request, f"{made} job(s) sent again.", messages.SUCCESS)

    @admin.action(description="Cancel")
    def cancel(self, request, queryset):
        outcomes = [
            engine.cancel(job, user=request.user) for job in queryset.exclude(status__in=FINISHED)
        ]
        done = sum(o.canceled for o in outcomes)
        self.message_user(request, f"{done} job(s) canceled.", messages.SUCCESS)
        for refused in (o for o in outcomes if not o.canceled):
            self.message_user(request, refused.message, messages.WARNING)

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset):
        count = queryset.filter(status=Status.PROCESSING).update(next_poll_at=timezone.now())
        self.message_user(
            request, f"{count} job(s) will be polled on the next tick.", messages.SUCCESS
        )


@admin.register(InputFile)
class InputFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "team", "content_type", "size", "duration", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["original_name", "sha256", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["team", "file", "content_type", "size", "sha256", "duration", "created_by"]


@admin.register(SubmitKey)
class SubmitKeyAdmin(admin.ModelAdmin):
    """The one-time keys of forms that spend money: which POST ran, and where it led."""

    list_display = ["path", "team", "answer", "created_at"]
    search_fields = ["path", "key", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["team", "key", "path", "answer", "created_at"]
