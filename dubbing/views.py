"""Dubbing pages: the list with batches and their progress, the new-dubbing form, one
dubbing's page, and deleting (at A2E first) one or many."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_POST
from django_htmx.http import HTMX_STOP_POLLING, trigger_client_event

from dubbing import deleting, imports, starting
from dubbing.forms import DubbingForm, source_rules
from dubbing.kinds import A2EDubbing
from dubbing.lookups import languages_for
from dubbing.models import Batch, Dubbing, DubbingQuerySet, ImportRun
from jobs import engine, once, uploads
from jobs.files import file_response
from jobs.models import Job, Status
from jobs.views import say_when_ended
from providers import UpstreamError
from teams.models import Membership, Provider, ProviderAccount, Role
from teams.scoping import get_for_team, ids_from, team_view

LIST_LIMIT = 50
BULK_LIMIT = 200


def _account(team):
    return ProviderAccount.objects.for_team(team).of(Provider.A2E)


@team_view()
def dubbing_list(request, team):
    account = _account(team)
    dubbings = (
        Dubbing.objects.for_team(team)
        .select_related("job", "job__created_by")
        .prefetch_related("job__files")
    )
    dubbings = dubbings.filtered(request.GET)
    filtered = DubbingQuerySet.is_filtered(request.GET)
    batches = Batch.objects.for_team(team)
    if filtered:
        # Only the batches with a match, so the page is full of them, however old.
        batches = batches.filter(pk__in=dubbings.values("batch_id"))
    batches = (
        batches.with_progress()
        .select_related("source")
        .prefetch_related(Prefetch("dubbings", queryset=dubbings.order_by("target_lang")))
        .order_by("-created_at")[:LIST_LIMIT]
    )
    loose = dubbings.filter(batch__isnull=True)[:LIST_LIMIT]
    return render(
        request,
        "dubbing/list.html",
        {
            "account": account,
            "batches": batches,
            "loose": loose,
            "filters": request.GET,
            "filtered": filtered,
            "statuses": Status.choices,
            "people": Membership.objects.filter(team=team)
            .select_related("user")
            .order_by("user__username"),
            "targets": Dubbing.objects.for_team(team)
            .order_by("target_lang")
            .values_list("target_lang", flat=True)
            .distinct(),
            "selectable": request.membership.can_change,
            "run": ImportRun.objects.filter(account=account).first() if account else None,
        },
    )


def _max_upload_bytes() -> int:
    return source_rules().max_bytes


@team_view()
def dubbing_batch_progress(request, team, batch_id):
    """The batch's "N of M done", asked again by the list each time one of its rows
    (or any other) turns final."""
    batch = get_for_team(Batch.objects.with_progress(), team, pk=batch_id)
    return render(request, "dubbing/list.html#progress", {"batch": batch})


@uploads.upload_view(_max_upload_bytes, read_role=Role.MEMBER)
@once.per_submit
def dubbing_new(request, team):
    account = _account(team)
    if account is None:
        return render(request, "dubbing/new.html", {"account": None})
    try:
        languages = languages_for(account, get_language_from_request(request))
    except UpstreamError as exc:
        messages.error(request, f"A2E did not list its languages: {exc.message}")
        languages = []
    form = DubbingForm(request.POST or None, request.FILES or None, languages=languages)
    if uploads.refused(request):
        form = DubbingForm(initial=request.POST.dict(), languages=languages)  # what arrived
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            starting.start_batch(
                account=account, by=request.user, data=data, labels=dict(languages)
            )
        count = len(data["targets"])
        messages.success(request, f"Dubbing into {count} language{'s' if count != 1 else ''}.")
        return redirect("dubbing", team=team.slug)
    return render(request, "dubbing/new.html", {"account": account, "form": form})


@team_view()
@require_POST
def dubbing_import(request, team):
    account = _account(team)
    if account is None:
        messages.error(request, "Connect A2E first.")
        return redirect("dubbing", team=team.slug)
    run, created = imports.request_import(account, user=request.user)
    if not created:
        messages.info(request, "Your A2E dubbing records are already being imported.")
    if request.htmx:
        return render(request, "dubbing/list.html#importing", {"account": account, "run": run})
    if created:
        messages.success(
            request, "Importing your A2E dubbing records; they appear here as they arrive."
        )
    return redirect("dubbing", team=team.slug)


@team_view()
def dubbing_import_status(request, team, import_id):
    run = get_for_team(ImportRun.objects.select_related("account"), team, pk=import_id)
    live = bool(request.GET.get("live"))
    context = {"account": run.account, "run": run, "just_finished": live and run.is_finished}
    response = render(request, "dubbing/list.html#importing", context)
    if run.is_finished and live:
        if run.failed:
            text, level = f"The A2E import stopped: {run.message}", "error"
        else:
            text, level = f"Imported {run.created} new dubbing records from A2E.", "success"
        trigger_client_event(response, "toasts", [{"message": text, "level": level}])
    return response


# One dubbing ------------------------------------------------------------------------------


def _dubbings():
    return Dubbing.objects.select_related(
        "job", "job__account", "job__created_by", "job__retry_of", "batch", "batch__source"
    ).prefetch_related("job__files")


def _dubbing(team, job_id):
    return get_for_team(_dubbings(), team, job_id=job_id)


@team_view()
def dubbing_detail(request, team, job_id):
    dubbing = _dubbings().for_team(team).filter(job_id=job_id).first()
    if dubbing is None:
        # A dubbing job started outside these pages (the API, a test): the job page.
        job = get_for_team(Job, team, pk=job_id)  # another team's is a 404
        return redirect("job_detail", team=team.slug, job_id=job.pk)
    job = dubbing.job
    engine.watch(job)
    batch = dubbing.batch
    params = A2EDubbing.params(job)
    live = bool(request.htmx and not request.htmx.boosted)
    response = render(
        request,
        # The page's live part asking again (see jobs.views.job_detail).
        "dubbing/detail.html#live" if live else "dubbing/detail.html",
        {
            "dubbing": dubbing,
            "job": job,
            "batch": batch,
            "source_lang": (batch.source_lang if batch else params.source_lang) or "auto",
            "speakers": batch.num_speakers if batch else params.num_speakers,
            "drop_background": batch.drop_background_audio if batch else None,
            "duration": (job.remote or {}).get("duration")
            or (batch.source.duration if batch and batch.source else None),
            "siblings": batch.dubbings.exclude(pk=dubbing.pk).select_related("job")
            if batch
            else [],
            "retries": Dubbing.objects.for_team(team)
            .filter(job__retry_of=job)
            .select_related("job"),
        },
    )
    if live:
        say_when_ended(response, job, request.GET.get("seen"))
        if job.is_settled:
            response.status_code = HTMX_STOP_POLLING
    return response


@team_view()
def dubbing_source(request, team, job_id):
    """The uploaded source, for the page's player (a link source is played from there)."""
    dubbing = _dubbing(team, job_id)
    source = dubbing.batch.source if dubbing.batch else None
    if source is None:
        raise Http404("This dubbing has no uploaded source here.")
    return file_response(source.file, size=source.size, name=source.file.name.rsplit("/", 1)[-1])


@team_view(read_role=Role.MEMBER)
def dubbing_delete(request, team, job_id):
    dubbing = _dubbing(team, job_id)
    if request.method != "POST":
        return render(request, "dubbing/delete.html", {"dubbings": [dubbing], "single": True})
    here_only = request.POST.get("here_only") == "1"
    refusal = deleting.delete(dubbing, here_only=here_only)
    if refusal:
        messages.error(
            request,
            f"A2E did not delete “{dubbing}”: {refusal} It is kept. If A2E no longer has it, "
            "use “Remove here only”.",
        )
        return redirect(dubbing.get_absolute_url())
    where = "here" if here_only else "at A2E and here"
    messages.success(request, f"Deleted “{dubbing}” {where}.")
    return redirect("dubbing", team=team.slug)


@team_view()
@require_POST
def dubbing_bulk(request, team):
    """Retry the failed ones or delete (asking first) the selected dubbings."""
    action = request.POST.get("action")
    ids = ids_from(request.POST.getlist("ids"), BULK_LIMIT)
    chosen = list(
        Dubbing.objects.for_team(team)
        .filter(job_id__in=ids)
        .select_related("job", "job__account", "job__team", "batch")
    )
    back = reverse("dubbing", kwargs={"team": team.slug})
    if not chosen or action not in ("retry", "delete"):
        messages.error(request, "Select one or more dubbings first.")
        return redirect(back)
    if action == "retry":
        failed = [d for d in chosen if d.job.status == Status.FAILED and d.job.account]
        sent = 0
        with transaction.atomic():
            for d in failed:
                sent += engine.retry(d.job, user=request.user)[1]
        skipped = len(chosen) - sent
        messages.success(request, f"Sent {sent} again.")
        if skipped:
            messages.info(
                request,
                f"{skipped} selected had not failed or were already retried, so were left as "
                "they are.",
            )
        return redirect(back)
    if not request.POST.get("confirmed"):
        return render(request, "dubbing/delete.html", {"dubbings": chosen})
    deleted, refused = [], []
    for d in chosen:
        reason = deleting.delete(d)
        if reason:
            refused.append(f"{d} ({reason})")
        else:
            deleted.append(str(d))
    if deleted:
        messages.success(request, f"Deleted at A2E and here: {', '.join(deleted)}.")
    if refused:
        messages.error(request, "A2E refused, so these are kept: " + "; ".join(refused))
    return redirect(back)
