"""The home page, the pages of sections still to come, and the health check."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from activity.models import Activity
from dashboard.celery import app as celery_app
from jobs.models import Job, Status
from recordings.models import Recording
from teams.models import Membership, Provider, ProviderAccount
from teams.scoping import SESSION_KEY, team_view


@login_required
def root(request):
    """Send a person to the team they used last, else their first, else to make one."""
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    last = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.team.slug == last), None) or memberships.first()
    if chosen is None:
        return redirect("team_create")
    return redirect("home", team=chosen.team.slug)


HOME_ROWS = 8


@team_view()
def home(request, team):
    accounts = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
    providers = [
        {"provider": value, "label": label, "account": accounts.get(value)}
        for value, label in Provider.choices
    ]
    jobs = Job.objects.for_team(team)
    week_ago = timezone.now() - timedelta(days=7)
    return render(
        request,
        "dashboard/home.html",
        {
            "providers": providers,
            "connected": bool(accounts),
            "in_progress": jobs.unfinished()[:HOME_ROWS],
            "recent": jobs.filter(status=Status.COMPLETED)
            .prefetch_related("files")
            .order_by("-finished_at")[:HOME_ROWS],
            # Failures nobody has retried yet, most recent first.
            "failures": jobs.filter(status=Status.FAILED, finished_at__gte=week_ago)
            .filter(retries__isnull=True)
            .order_by("-finished_at")[:HOME_ROWS],
            "feed": Activity.objects.for_team(team).select_related("actor")[:15],
            "conversions": Recording.objects.for_team(team).recent_conversions()[:HOME_ROWS],
        },
    )


@never_cache
def healthz(request):
    """200 when the database and the broker answer, else 503 naming what does not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {type(exc).__name__}"
    failing = [name for name, state in checks.items() if state != "ok"]
    body = {"status": "ok" if not failing else "unavailable", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
