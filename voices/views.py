"""The voice catalog, one voice's page, refreshing from providers, and favourites."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from providers import UpstreamError
from teams.connection import client_for
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, team_view
from voices import runs
from voices.models import SORTS, Kind, QualityBand, SyncRun, Voice
from voices.paging import keyset_page

PAGE_SIZE = 50


def _accounts_with_last_run(team):
    latest = SyncRun.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    accounts = list(
        ProviderAccount.objects.for_team(team).annotate(
            last_run_id=Subquery(latest.values("pk")[:1])
        )
    )
    runs_by_id = SyncRun.objects.in_bulk([a.last_run_id for a in accounts if a.last_run_id])
    for account in accounts:
        account.last_run = runs_by_id.get(account.last_run_id)
    return accounts


@team_view()
def catalog(request, team):
    listed = Voice.objects.for_team(team).listed()
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    page = keyset_page(
        listed.filtered(request.GET).select_related("account"),
        SORTS[sort],
        request.GET.get("after"),
        PAGE_SIZE,
    )
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "page": page,
        "voices": page.rows,
        "query": params.urlencode(),
        "filters": request.GET,
        "sort": sort,
        "is_first_page": not request.GET.get("after"),
    }
    if request.htmx and request.htmx.target == "voice-rows":
        response = render(request, "voices/catalog.html#rows", context)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
    accounts = _accounts_with_last_run(team)
    connected = {a.provider for a in accounts}
    context.update(
        accounts=accounts,
        missing=[Provider(p) for p in Provider.values if p not in connected],
        languages=listed.exclude(language="")
        .order_by("language")
        .values_list("language", flat=True)
        .distinct()[:300],
        providers=Provider.choices,
        kinds=Kind.choices,
        bands=QualityBand.choices,
        sorts=[
            ("name", "Name A-Z"),
            ("-name", "Name Z-A"),
            ("provider", "Provider"),
            ("newest", "Newest"),
        ],
        can_refresh=request.membership.has_role(Role.MEMBER),
    )
    response = render(request, "voices/catalog.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@team_view()
def voice_detail(request, team, voice_id):
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    return render(request, "voices/detail.html", {"voice": voice})


@team_view()
@require_POST
def refresh(request, team, provider):
    account = get_for_team(ProviderAccount, team, provider=provider)
    run, created = runs.request_sync(account, user=request.user)
    if not created:
        messages.info(request, f"{account.get_provider_display()} voices are already refreshing.")
    if request.htmx:
        return render(request, "voices/catalog.html#sync", {"account": account, "run": run})
    return redirect("voices", team=team.slug)


@team_view()
def sync_status(request, team, run_id):
    run = get_for_team(SyncRun.objects.select_related("account"), team, pk=run_id)
    response = render(request, "voices/catalog.html#sync", {"account": run.account, "run": run})
    if run.is_finished and request.GET.get("live"):
        trigger_client_event(response, "voicesSynced", {"provider": run.account.provider})
        level = "success" if run.status == SyncRun.Status.DONE else "error"
        text = f"{run.account.get_provider_display()} voices: {run.message}"
        trigger_client_event(response, "toasts", [{"message": text, "level": level}])
    return response


@team_view()
@require_POST
def toggle_favorite(request, team, voice_id):
    """Set the star to the state the form asked for (so a double click is harmless).
    Respeecher keeps favourites itself: its answer is what we store."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    wanted = request.POST.get("favorite", "1" if not voice.favorite else "0") == "1"
    error = None
    if voice.provider == Provider.RESPEECHER and wanted != voice.favorite:
        try:
            answer = client_for(voice.account).favorite_voice(voice.remote_id, favorite=wanted)
        except UpstreamError as exc:
            error = f"Respeecher did not save the favourite: {exc.message}"
        else:
            wanted = bool(answer.favorite) if answer.favorite is not None else wanted
    if error is None and wanted != voice.favorite:
        Voice.objects.filter(pk=voice.pk).update(favorite=wanted)
        voice.favorite = wanted
    if request.htmx:
        response = render(request, "voices/catalog.html#star", {"voice": voice})
        if error:
            trigger_client_event(response, "toasts", [{"message": error, "level": "error"}])
        return response
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("voices", kwargs={"team": team.slug})):
        back = voice.get_absolute_url()  # only ever back into this team's catalog
    return redirect(back)
