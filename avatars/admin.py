"""Admin for avatar rooms with their history and transcript; an operator can ask for a
stuck live room to be left."""

from django.contrib import admin, messages

from avatars import leaving
from avatars.models import CoinHold, Room, RoomEvent, Utterance


class RoomEventInline(admin.TabularInline):
    model = RoomEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "text", "failed"]


class UtteranceInline(admin.TabularInline):
    model = Utterance
    extra = 0
    can_delete = False
    readonly_fields = ["at", "kind", "text", "sent_by", "trace_id", "error"]


@admin.action(description="Leave the selected live rooms")
def leave_rooms(modeladmin, request, queryset):
    asked = sum(
        leaving.request_leave(room, Room.Reason.LEFT, by=request.user)
        for room in queryset.filter(state=Room.State.LIVE)
    )
    modeladmin.message_user(request, f"{asked} room(s) being left.", messages.SUCCESS)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "state", "close_reason", "opened_by", "created_at"]
    list_filter = ["state", "close_reason"]
    search_fields = ["avatar_name", "avatar_id", "channel", "team__name"]
    list_select_related = ["team", "opened_by"]
    readonly_fields = [
        "team",
        "account",
        "opened_by",
        "channel",
        "app_id",
        "uid",
        "expires_at",
        "opened_at",
        "left_at",
        "last_heartbeat_at",
        "coins_charged",
        "coins_refunded",
        "coins_unknown",
        "leave_attempts",
        "leave_next_at",
        "last_error",
    ]
    exclude = ["token_encrypted", "leave_held_until", "leave_holder"]
    inlines = [RoomEventInline, UtteranceInline]
    actions = [leave_rooms]


@admin.register(CoinHold)
class CoinHoldAdmin(admin.ModelAdmin):
    """Who is measuring an A2E account's coins now: read-only, for a stuck hold's sake
    (it lapses by itself)."""

    list_display = ["key", "held_until"]
    readonly_fields = ["key", "held_until", "holder"]

    def has_add_permission(self, request):
        return False
