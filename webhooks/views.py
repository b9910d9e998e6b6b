"""Webhook settings for team admins, and the public endpoint upstreams post callbacks to."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.htmx import render_page
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, team_view
from webhooks import delivery as sender
from webhooks import inbound
from webhooks.events import send_test
from webhooks.forms import EndpointForm
from webhooks.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
    InboundEvent,
    InboundHook,
)

admin_only = team_view(write_role=Role.ADMIN, read_role=Role.ADMIN)
DELIVERIES_PER_PAGE = 50
RECENT_INBOUND = 20


def _inbound_url(hook: InboundHook) -> str:
    # Upstreams reach us at the public address, not whatever host this request came to.
    path = reverse(
        "webhook_inbound", kwargs={"provider": hook.account.provider, "token": hook.token}
    )
    return settings.PUBLIC_BASE_URL + path


@admin_only
def webhooks(request, team):
    endpoints = Endpoint.objects.for_team(team).annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failing=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.ABANDONED]),
        ),
    )
    accounts = ProviderAccount.objects.for_team(team).select_related("inbound_hook")
    hooks = []
    for account in accounts:
        hook = getattr(account, "inbound_hook", None)
        hooks.append({"account": account, "hook": hook, "url": hook and _inbound_url(hook)})
    events = InboundEvent.objects.for_team(team).select_related("hook__account", "job__team")[
        :RECENT_INBOUND
    ]
    return render(
        request,
        "webhooks/list.html",
        {"endpoints": endpoints, "hooks": hooks, "events": events},
    )


def _secret_page(request, *, title, secret, endpoint=None, hook=None):
    response = render(
        request,
        "webhooks/secret.html",
        {
            "title": title,
            "secret": secret,
            "endpoint": endpoint,
            "hook": hook,
            "inbound_url": hook and _inbound_url(hook),
        },
    )
    # Shown once: keep it out of caches and the back/forward cache.
    response["Cache-Control"] = "no-store"
    return response


@admin_only
def endpoint_create(request, team):
    form = EndpointForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.team = team
        secret = endpoint.new_secret()
        endpoint.save()
        messages.success(request, "Endpoint added.")
        return _secret_page(request, title="Endpoint added", secret=secret, endpoint=endpoint)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": None})


@admin_only
def endpoint_edit(request, team, endpoint_id):
    endpoint = get_for_team(Endpoint, team, pk=endpoint_id)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Endpoint saved.")
        return redirect("webhooks", team=team.slug)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@admin_only
@require_POST
def endpoint_roll_secret(request, team, endpoint_id):
    endpoint = get_for_team(Endpoint, team, pk=endpoint_id)
    secret = endpoint.new_secret()
    endpoint.save(update_fields=["secret_encrypted", "secret_last4", "updated_at"])
    messages.success(request, "New secret made; the old one no longer signs anything.")
    return _secret_page(request, title="New signing secret", secret=secret, endpoint=endpoint)


@admin_only
@require_POST
def endpoint_test(request, team, endpoint_id):
    endpoint = get_for_team(Endpoint, team, pk=endpoint_id)
    if not endpoint.enabled:
        messages.error(request, "Enable the endpoint before sending it a test event.")
        return redirect("webhook_edit", team=team.slug, endpoint_id=endpoint.pk)
    with transaction.atomic():
        send_test(endpoint, sent_by=request.user.get_username())
    messages.success(request, "Test event queued; its delivery shows below.")
    return redirect("webhook_deliveries", team=team.slug, endpoint_id=endpoint.pk)


@admin_only
def endpoint_delete(request, team, endpoint_id):
    endpoint = get_for_team(Endpoint, team, pk=endpoint_id)
    if request.method == "POST":
        endpoint.delete()
        messages.success(request, f"Endpoint {endpoint.url} deleted, with its delivery log.")
        return redirect("webhooks", team=team.slug)
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


def _with_attempts(queryset):
    return queryset.select_related("endpoint").prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("-at", "-pk"))
    )


@admin_only
def deliveries(request, team, endpoint_id):
    endpoint = get_for_team(Endpoint, team, pk=endpoint_id)
    page = Paginator(_with_attempts(endpoint.deliveries.all()), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"endpoint": endpoint, "page": page}
    return render_page(request, "webhooks/deliveries.html", context, partial="list")


@admin_only
@require_POST
def delivery_redeliver(request, team, delivery_id):
    found = get_for_team(Delivery.objects.select_related("endpoint"), team, pk=delivery_id)
    if not found.endpoint.enabled:
        messages.error(request, "Enable the endpoint before redelivering to it.")
    elif (holder := sender.redeliver(found)) is None:
        messages.error(request, "An attempt is in progress; try again in a moment.")
    else:
        from webhooks.tasks import send_delivery

        pk = found.pk
        transaction.on_commit(lambda: send_delivery.delay(pk, holder=holder, manual=True))
        messages.success(request, f"Redelivery of {found.msg_id} queued.")
    if request.htmx:
        refreshed = _with_attempts(Delivery.objects.filter(pk=found.pk)).get()
        return render(request, "webhooks/deliveries.html#delivery", {"delivery": refreshed})
    return redirect("webhook_deliveries", team=team.slug, endpoint_id=found.endpoint_id)


@admin_only
@require_POST
def inbound_hook_create(request, team, account_id):
    account = get_for_team(ProviderAccount, team, pk=account_id)
    hook = InboundHook.objects.filter(account=account).first()
    replaced = hook is not None
    if hook is None:
        hook = InboundHook(account=account)
    else:
        # A new token too: the old URL stops working along with the old secret.
        hook.token = InboundHook._meta.get_field("token").default()
    secret = hook.new_secret()
    hook.save()
    label = account.get_provider_display()
    verb = "replaced" if replaced else "made"
    messages.success(request, f"{label} callback address {verb}.")
    return _secret_page(request, title=f"{label} status callbacks", secret=secret, hook=hook)


@admin_only
def inbound_hook_delete(request, team, account_id):
    account = get_for_team(ProviderAccount, team, pk=account_id)
    hook = get_for_team(InboundHook, team, account=account)
    if request.method == "POST":
        hook.delete()
        messages.success(
            request, f"{account.get_provider_display()} callback address deleted; it answers 404."
        )
        return redirect("webhooks", team=team.slug)
    return render(request, "webhooks/inbound_delete.html", {"hook": hook, "account": account})


@csrf_exempt  # Called by upstream services, which hold no session; the signature is the check.
@require_POST
def inbound_receive(request, provider, token):
    """Verify, store, enqueue, apply: nothing slow (no upstream call) happens before the answer."""
    if provider not in Provider.values:
        return JsonResponse({"error": "Unknown provider."}, status=404)
    hook = (
        InboundHook.objects.select_related("account")
        .filter(token=token, account__provider=provider)
        .first()
    )
    if hook is None:
        return JsonResponse({"error": "Unknown callback address."}, status=404)
    try:
        event, created = inbound.accept(hook, request.headers, request.body)
    except inbound.Rejected as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"received": event.webhook_id, "duplicate": not created})
