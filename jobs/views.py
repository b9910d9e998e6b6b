"""Job pages: the list, one job's timeline, the live row partial, the header badge, files."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING, trigger_client_event

from jobs import engine, results
from jobs.files import file_response
from jobs.models import UNFINISHED, Job, JobFile, Status
from teams.models import Role, Team
from teams.scoping import get_for_team, team_view

LIST_LIMIT = 100
SAFE = {"GET", "HEAD"}


@team_view()
def job_list(request, team):
    jobs = Job.objects.for_team(team).select_related("created_by").prefetch_related("files")
    status = request.GET.get("status", "")
    if status == "active":
        jobs = jobs.filter(status__in=UNFINISHED)
    elif status in Status.values:
        jobs = jobs.filter(status=status)
    return render(
        request,
        "jobs/list.html",
        {"jobs": jobs[:LIST_LIMIT], "status": status, "statuses": Status.choices},
    )


@team_view()
def job_detail(request, team, job_id):
    job = get_for_team(
        Job.objects.select_related("created_by", "retry_of").prefetch_related("events", "files"),
        team,
        pk=job_id,
    )
    engine.watch(job)
    if request.htmx and not request.htmx.boosted:
        # The page's live part asking again: badge, actions, result and timeline in one
        # answer, so they change together; once settled, 286 stops the asking.
        response = render(request, "jobs/detail.html#live", {"job": job})
        say_when_ended(response, job, request.GET.get("seen"))
        if job.is_settled:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, "jobs/detail.html", {"job": job})


def say_when_ended(response, job, seen) -> None:
    """Said once, when a live part (a row, a job's or a dubbing's page) turns final with
    its result in our storage, whether it was drawn while running or while the result
    was still being copied: the header badge recounts (it listens for jobFinished) and a
    toast says how it ended."""
    if job.is_settled and (seen in UNFINISHED or seen == "copying"):
        level = "success" if job.status == Status.COMPLETED else "error"
        verb = {"completed": "is ready", "failed": "failed", "canceled": "was canceled"}
        trigger_client_event(response, "jobFinished", {"id": job.pk, "status": job.status})
        trigger_client_event(
            response, "toasts", [{"message": f"{job.label} {verb[job.status]}.", "level": level}]
        )


def job_row(request, team, job_id):
    """The polling endpoint of a live row. Kept to three queries (user, job joined with
    the membership that allows seeing it, the watch mark): it runs every two seconds for
    every open tab, so it does not use team_view's separate membership lookup."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    job = (
        Job.objects.select_related("team")
        .filter(pk=job_id, team__slug=team, team__memberships__user=request.user)
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    if request.method not in SAFE:
        return HttpResponseNotAllowed(sorted(SAFE))
    if job.status in UNFINISHED:
        engine.watch(job)
    response = render(
        request,
        "jobs/list.html#row",
        {"job": job, "team": job.team, "selectable": request.GET.get("select") == "1"},
    )
    say_when_ended(response, job, request.GET.get("seen"))
    return response


def job_badge(request, team):
    """How many of the team's jobs are in flight, for the header (three queries too)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # One query answers both "may this user see the team?" and "how many are running?".
    count = (
        Team.objects.filter(slug=team, memberships__user=request.user)
        .annotate(n=Count("jobs", filter=Q(jobs__status__in=UNFINISHED)))
        .values_list("n", flat=True)
        .first()
    )
    if count is None:
        raise Http404("No such team.")
    if request.method not in SAFE:
        return HttpResponseNotAllowed(sorted(SAFE))
    return render(request, "jobs/list.html#badge", {"in_flight": count, "team_slug": team})


@team_view(write_role=Role.MEMBER)
@require_POST
def job_cancel(request, team, job_id):
    job = get_for_team(Job, team, pk=job_id)
    outcome = engine.cancel(job, user=request.user)
    (messages.success if outcome.canceled else messages.error)(request, outcome.message)
    return redirect(job)


@team_view(write_role=Role.MEMBER)
@require_POST
def job_retry(request, team, job_id):
    job = get_for_team(Job.objects.select_related("account"), team, pk=job_id)
    if job.status != Status.FAILED:
        messages.error(request, "Only a failed job can be retried.")
        return redirect(job)
    if job.account is None:
        messages.error(request, "Connect the provider again before retrying.")
        return redirect(job)
    with transaction.atomic():
        new, made = engine.retry(job, user=request.user)
    if made:
        messages.success(request, f"{job.label} sent again.")
    else:
        messages.info(request, f"{job.label} was already sent again; this is that retry.")
    return redirect(new)


@team_view(write_role=Role.MEMBER)
@require_POST
def job_results_retry(request, team, job_id):
    """Copy a job's results again now, rather than at the next try."""
    job = get_for_team(Job, team, pk=job_id)
    if results.try_again(job):
        messages.success(request, "Copying the result again now; this page follows it.")
    else:
        messages.info(request, "The result is being copied right now, or is already here.")
    return redirect(job)


@team_view()
def job_file(request, team, file_id):
    stored = get_object_or_404(
        JobFile.objects.filter(job__team=team).select_related("job"), pk=file_id
    )
    return file_response(
        stored.file,
        size=stored.size,
        name=stored.download_name,
        download=bool(request.GET.get("download")),
    )


def input_file(request, token):
    """A file we host for a provider to fetch. The signed, expiring token is the
    credential: providers hold no session. Anything invalid or expired is a 404."""
    from jobs import inputs

    stored = inputs.from_token(token)
    if stored is None or request.method not in SAFE:
        raise Http404("No such file.")
    return file_response(stored.file, size=stored.size, name=stored.file.name.rsplit("/", 1)[-1])
