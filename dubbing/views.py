"""Dubbing pages: the list with batches and their progress, and the new-dubbing form."""

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dubbing.forms import DubbingForm, source_rules
from dubbing.models import Batch, Dubbing
from jobs import engine, inputs
from jobs.models import UNFINISHED, Status
from providers import UpstreamError
from teams.connection import client_for
from teams.models import Provider, ProviderAccount
from teams.scoping import team_view

LANGUAGES_CACHE = 24 * 3600
LIST_LIMIT = 50


def languages_for(account) -> list[tuple[str, str]]:
    """A2E's dubbing languages for this account, refreshed daily."""
    key = f"a2e-languages:{account.pk}"
    languages = cache.get(key)
    if languages is None:
        languages = [
            (lang.value, lang.label or lang.value)
            for lang in client_for(account).list_languages()
            if lang.value
        ]
        cache.set(key, languages, LANGUAGES_CACHE)
    return [tuple(pair) for pair in languages]


def _account(team):
    return ProviderAccount.objects.for_team(team).filter(provider=Provider.A2E).first()


@team_view()
def dubbing_list(request, team):
    account = _account(team)
    dubbings = (
        Dubbing.objects.for_team(team)
        .select_related("job", "job__created_by")
        .prefetch_related("job__files")
    )
    status, target, q = (request.GET.get(k, "") for k in ("status", "target", "q"))
    if status == "active":
        dubbings = dubbings.filter(job__status__in=UNFINISHED)
    elif status in Status.values:
        dubbings = dubbings.filter(job__status=status)
    if target:
        dubbings = dubbings.filter(target_lang=target)
    if q:
        dubbings = dubbings.filter(name__icontains=q)
    batches = (
        Batch.objects.for_team(team)
        .with_progress()
        .prefetch_related(Prefetch("dubbings", queryset=dubbings.order_by("target_lang")))
        .order_by("-created_at")[:LIST_LIMIT]
    )
    loose = dubbings.filter(batch__isnull=True)[:LIST_LIMIT]
    return render(
        request,
        "dubbing/list.html",
        {
            "account": account,
            "batches": [b for b in batches if b.dubbings.all() or not (status or target or q)],
            "loose": loose,
            "filters": request.GET,
            "statuses": Status.choices,
        },
    )


@team_view()
def dubbing_new(request, team):
    account = _account(team)
    if account is None:
        return render(request, "dubbing/new.html", {"account": None})
    try:
        languages = languages_for(account)
    except UpstreamError as exc:
        messages.error(request, f"A2E did not list its languages: {exc.message}")
        languages = []
    form = DubbingForm(request.POST or None, request.FILES or None, languages=languages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            source = None
            if data["source"]:
                source = inputs.store(team, data["source"], source_rules(), user=request.user)
            batch = Batch.objects.create(
                team=team,
                name=data["name"],
                source=source,
                source_url=data["source_url"] or "",
                source_lang=data["source_lang"],
                num_speakers=data["num_speakers"],
                drop_background_audio=data["drop_background_audio"],
                created_by=request.user,
            )
            labels = dict(languages)
            for target in data["targets"]:
                job = engine.create(
                    team=team,
                    account=account,
                    kind="a2e.dubbing",
                    label=f"{data['name']} → {labels.get(target, target)}",
                    params={
                        "name": f"{data['name']} ({target})",
                        "source_url": data["source_url"] or "",
                        "input_id": source.pk if source else None,
                        "source_lang": data["source_lang"],
                        "target_lang": target,
                        "num_speakers": data["num_speakers"],
                        "drop_background_audio": data["drop_background_audio"],
                    },
                    created_by=request.user,
                )
                Dubbing.objects.create(
                    team=team, batch=batch, job=job, name=data["name"], target_lang=target
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
    else:
        from dubbing.tasks import import_account

        transaction.on_commit(lambda: import_account.delay(account.pk))
        messages.success(
            request, "Importing your A2E dubbing records; they appear here as they arrive."
        )
    return redirect("dubbing", team=team.slug)
