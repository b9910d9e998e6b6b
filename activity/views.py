"""The activity page: the team's log, filterable by area, person and outcome."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator

from activity.models import Activity, areas
from core.htmx import render_page
from teams.scoping import team_view


@team_view()
def activity_list(request, team):
    area = request.GET.get("area", "")
    actor = request.GET.get("actor", "")
    outcome = request.GET.get("outcome", "")
    entries = (
        Activity.objects.for_team(team)
        .filtered(area=area, actor=actor, outcome=outcome)
        .select_related("actor")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    people = get_user_model().objects.filter(memberships__team=team).order_by("username")
    context = {
        "page": page,
        "areas": areas(),
        "people": people,
        "filters": {"area": area, "actor": actor, "outcome": outcome},
    }
    return render_page(request, "activity/list.html", context, partial="entries")
