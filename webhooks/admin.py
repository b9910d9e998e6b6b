"""Admin for endpoints, deliveries with their attempts, and inbound hooks and events.
Secrets are never shown: only their last four characters."""

from django.contrib import admin, messages
from django.db import transaction

from webhooks import delivery as sender
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, InboundEvent, InboundHook


class _NoAdd:
    def has_add_permission(self, request, obj=None):
        # Secrets are shown once to whoever makes them, which happens in the app.
        return False


@admin.register(Endpoint)
class EndpointAdmin(_NoAdd, admin.ModelAdmin):
    form = EndpointForm  # the same URL checks as the app, SSRF guard included
    list_display = ["url", "team", "enabled", "masked_secret", "created_at"]
    list_filter = ["enabled", "team"]
    search_fields = ["url", "description", "team__name"]
    list_select_related = ["team"]
    fields = [
        "team",
        "url",
        "description",
        "event_types",
        "enabled",
        "disabled_reason",
        "masked_secret",
    ]
    readonly_fields = ["team", "masked_secret"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["at", "manual", "status_code", "error", "duration_ms", "response_excerpt"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="Redeliver (same webhook-id)")
def redeliver(modeladmin, request, queryset):
    from webhooks.tasks import send_delivery

    queued = skipped = 0
    for item in queryset.select_related("endpoint"):
        holder = sender.redeliver(item) if item.endpoint.enabled else None
        if holder is None:
            skipped += 1
            continue
        pk = item.pk
        transaction.on_commit(
            lambda pk=pk, holder=holder: send_delivery.delay(pk, holder=holder, manual=True)
        )
        queued += 1
    modeladmin.message_user(request, f"{queued} redelivery(ies) queued.", messages.SUCCESS)
    if skipped:
        modeladmin.message_user(
            request,
            f"{skipped} skipped: endpoint disabled, or an attempt in progress.",
            messages.WARNING,
        )


@admin.register(Delivery)
class DeliveryAdmin(_NoAdd, admin.ModelAdmin):
    list_display = [
        "msg_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["msg_id", "endpoint__url", "endpoint__team__name"]
    list_select_related = ["endpoint"]
    readonly_fields = [
        "endpoint",
        "msg_id",
        "event_type",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "held_until",
        "last_status_code",
        "last_error",
        "created_at",
        "finished_at",
    ]
    exclude = ["holder"]
    inlines = [DeliveryAttemptInline]
    actions = [redeliver]


@admin.register(InboundHook)
class InboundHookAdmin(_NoAdd, admin.ModelAdmin):
    list_display = ["account", "masked_secret", "created_at"]
    list_select_related = ["account__team"]
    search_fields = ["account__team__name"]
    fields = ["account", "token", "masked_secret", "created_at"]
    readonly_fields = fields


@admin.register(InboundEvent)
class InboundEventAdmin(_NoAdd, admin.ModelAdmin):
    list_display = ["webhook_id", "event_type", "hook", "status", "attempts", "received_at"]
    list_filter = ["status"]
    search_fields = ["webhook_id", "event_type"]
    list_select_related = ["hook__account__team"]
    readonly_fields = [
        "hook",
        "webhook_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "error",
        "received_at",
        "processed_at",
    ]
    exclude = ["holder", "held_until"]
