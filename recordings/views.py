"""Recordings pages: the team's Respeecher projects, and their Refresh with progress."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from jobs.models import Status
from recordings import runs
from recordings.models import Project, SyncRun
from teams.models import Provider, ProviderAccount
from teams.scoping import get_for_team, team_view

PAGE_SIZE = 100


def _respeecher_account(team):
    """The team's Respeecher account with its latest sync run, or None."""
    latest = SyncRun.objects.filter(account=OuterRef("pk")).order_by("-created_at", "-pk")
    account = (
        ProviderAccount.objects.for_team(team)
        .filter(provider=Provider.RESPEECHER)
        .annotate(last_run_id=Subquery(latest.values("pk")[:1]))
        .first()
    )
    if account is not None:
        account.last_run = (
            SyncRun.objects.filter(pk=account.last_run_id).first() if account.last_run_id else None
        )
    return account


@team_view()
def project_list(request, team):
    projects = Project.objects.for_team(team).listed().with_counts().by_activity().defer("raw")
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "projects": page.object_list}
    if request.htmx and request.htmx.target == "projects":
        response = render(request, "recordings/projects.html#projects", context)
    else:
        context["account"] = _respeecher_account(team)
        response = render(request, "recordings/projects.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@team_view()
@require_POST
def refresh(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    run, created = runs.request_sync(account, user=request.user)
    if not created:
        messages.info(request, "Respeecher's projects are already refreshing.")
    if request.htmx:
        return render(request, "recordings/projects.html#sync", {"account": account, "run": run})
    return redirect("recordings", team=team.slug)


@team_view()
def sync_status(request, team, sync_id):
    run = get_for_team(SyncRun.objects.select_related("account"), team, pk=sync_id)
    response = render(
        request, "recordings/projects.html#sync", {"account": run.account, "run": run}
    )
    if run.is_finished and request.GET.get("live"):
        trigger_client_event(response, "recordingsSynced", {})
        level = "success" if run.status == Status.COMPLETED else "error"
        text = f"Respeecher projects: {run.message}"
        trigger_client_event(response, "toasts", [{"message": text, "level": level}])
    return response
