"""The Usage page: Respeecher's minutes converted (per month, project and folder), every
account's credits and balance history, and what recent work spent."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from recordings import stats
from teams.models import Provider, ProviderAccount
from teams.scoping import team_view
from usage import page


@team_view()
@require_safe
def usage(request, team):
    accounts = list(ProviderAccount.objects.for_team(team).select_related("team"))
    respeecher = next((a for a in accounts if a.provider == Provider.RESPEECHER), None)
    figures = projects = folders = None
    project_sort = folder_sort = ""
    read = stats.read(respeecher) if respeecher else None
    if read and read.figures:
        figures = read.figures
        projects, project_sort = stats.sort_rows(
            read.projects, stats.PROJECT_SORTS, request.GET.get("sort", ""), "-total"
        )
        folders, folder_sort = stats.sort_rows(
            read.folders, stats.FOLDER_SORTS, request.GET.get("folders", ""), "-conversions"
        )
    by_provider = {a.provider: a for a in accounts}
    return render(
        request,
        "usage/usage.html",
        {
            "respeecher": respeecher,
            "read": read,
            "figures": figures,
            "month_chart": page.month_chart(figures) if figures else None,
            "projects": projects,
            "project_sort": project_sort,
            "folders": folders,
            "folder_sort": folder_sort,
            "accounts": [
                {"label": label, "provider": value, "account": by_provider.get(value)}
                for value, label in Provider.choices
            ],
            "history": page.balance_history(team, accounts),
            "spent": page.recent_spending(team),
        },
    )


@team_view()
@require_POST
def refresh(request, team):
    """Read Respeecher's figures now, whatever was kept; the page then shows them."""
    respeecher = ProviderAccount.objects.for_team(team).of(Provider.RESPEECHER)
    if respeecher is not None:
        # A failure is kept with the figures, so the page it leads to says it.
        stats.read(respeecher, refresh=True)
    return redirect("usage", team=team.slug)
