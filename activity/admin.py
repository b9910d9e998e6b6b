"""Admin for the activity log: read-only, searchable, filterable."""

from django.contrib import admin

from activity.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "actor", "verb", "target_label", "outcome"]
    list_filter = ["outcome", "verb", "team"]
    search_fields = ["target_label", "message", "actor__username", "team__name"]
    list_select_related = ["team", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
