"""The voice catalog, one voice's page, refreshing from providers, and stars."""

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from core.htmx import render_page
from core.paging import keyset_page
from jobs import once, uploads
from jobs.files import relay_response
from jobs.models import Job
from providers import UpstreamError
from teams.connection import client_for
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, ids_from, team_view
from voices import deleting, lookups, runs, starting
from voices.forms import (
    A2E_SAMPLE_RULES,
    A2E_TTS_MAX_CHARS,
    BURKI_MAX_BYTES,
    BurkiCloneForm,
    CloneForm,
    SpeechForm,
    VoiceFavouriteForm,
    VoiceSettingsForm,
    burki_rules,
)
from voices.models import (
    AGE_GROUPS,
    BURKI_SAMPLE_STATUSES,
    BURKI_STATUSES,
    GENDERS,
    HOSTS,
    PITCH_GROUPS,
    SORTS,
    Clone,
    Generation,
    Kind,
    QualityBand,
    SyncRun,
    Voice,
    voice_word,
)

PAGE_SIZE = 50
# The columns the catalog's rows show (voices/templatetags/voice_rows.py), and the sorts'.
ROW_FIELDS = (
    "name",
    "sort_key",
    "provider",
    "kind",
    "language",
    "gender",
    "status",
    "can_speak",
    "favorite",
    "quality_band",
    "quality_score",
    "synthesis_count",
    "assistant_name",
    "sample_url",
    "has_sample",
    "first_seen_at",
)


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


LANGUAGES_TTL = 300


def _languages(team, listed, accounts) -> list[str]:
    """The languages to filter by. Reading them scans every voice of the team, so the
    list is cached until the team's next sync run (or five minutes at most)."""
    from django.core.cache import cache

    version = max((a.last_run_id or 0 for a in accounts), default=0)
    # created_at too: a team id can be used again (SQLite reuses them after a rollback).
    key = f"voice-languages:{team.pk}:{team.created_at.timestamp()}:{version}"
    languages = cache.get(key)
    if languages is None:
        languages = list(
            listed.exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()[:300]
        )
        cache.set(key, languages, LANGUAGES_TTL)
    return languages


def with_links(voices, team):
    """Give each voice the links its catalog row shows. One reverse() for the page, not
    three per row: voices/urls.py puts each voice's pages under the catalog's address."""
    base = reverse("voices", kwargs={"team": team.slug})
    speech = reverse("voices_speech", kwargs={"team": team.slug})
    for voice in voices:
        voice.speak_url = f"{speech}?voice={voice.pk}"
        voice.url = f"{base}{voice.pk}/"
        voice.favorite_url = f"{voice.url}favorite/"
        voice.sample_page_url = f"{voice.url}sample/"
        voice.sample_audio_url = f"{voice.url}sample/audio/"
    return voices


@team_view()
def catalog(request, team):
    listed = Voice.objects.for_team(team).listed()
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    page = keyset_page(
        # Only what a row shows (and the sorts read): the raw record is the bulk of
        # each row, and every column costs a conversion per row.
        listed.filtered(request.GET).only(*ROW_FIELDS).with_speech(),
        SORTS[sort],
        request.GET.get("after"),
        PAGE_SIZE,
    )
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "page": page,
        "voices": with_links(page.rows, team),
        "query": params.urlencode(),
        "filters": request.GET,
        "sort": sort,
        "is_first_page": not request.GET.get("after"),
    }

    def page_only():
        accounts = _accounts_with_last_run(team)
        connected = {a.provider for a in accounts}
        return {
            "accounts": accounts,
            "missing": [Provider(p) for p in Provider.values if p not in connected],
            "languages": _languages(team, listed, accounts),
            "providers": Provider.choices,
            "kinds": Kind.choices,
            "bands": QualityBand.choices,
            "burki_statuses": list(BURKI_STATUSES.items()),
            "hosts": list(HOSTS.items()),
            # What Burki's Refresh is narrowed to: the filters, where they are Burki's.
            "narrow_status": status
            if (status := request.GET.get("status")) in BURKI_STATUSES
            else "",
            "narrow_host": host if (host := request.GET.get("host")) in HOSTS else "",
            "genders": [(code, GENDERS[code]) for code in ("female", "male")],
            "age_groups": list(AGE_GROUPS.items()),
            "pitch_groups": list(PITCH_GROUPS.items()),
            "sorts": [
                ("name", "Name A-Z"),
                ("-name", "Name Z-A"),
                ("provider", "Provider"),
                ("newest", "Newest"),
            ],
            "can_refresh": request.membership.has_role(Role.MEMBER),
        }

    return render_page(
        request,
        "voices/catalog.html",
        context,
        partial="rows",
        target="voice-rows",
        page_only=page_only,
    )


@team_view()
def voice_detail(request, team, voice_id):
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    # The work that used this voice: the job that made it, and the speech it gave.
    # (No job makes a voice of a text-to-speech list, whose ids are another space.)
    jobs = Job.objects.for_team(team).filter(
        account=voice.account_id, remote_id=voice.remote_id, clone__isnull=False
    )
    if voice.tts_list:
        jobs = jobs.none()
    generations = voice.generations.select_related("job", "created_by")[:20]
    return render(
        request,
        "voices/detail.html",
        {
            "voice": voice,
            "made_by": jobs.first(),
            "generations": generations,
            # Respeecher keeps favourites and accent settings: members change them there.
            "can_set": voice.keeps_settings_upstream and request.membership.can_change,
        },
    )


NARROWING_REFUSED = (
    "Burki's voices can be refreshed by a status and a host from the lists only;"
    " choose them again, or clear them to refresh every voice."
)


def _narrowing(account, data) -> dict[str, str] | None:
    """The status and host a Burki refresh is narrowed to (the catalog's filters, sent
    with its Refresh button), as the run's columns; None when one is not Burki's."""
    if not account.narrows_voices:
        return {}
    status, host = data.get("status", ""), data.get("host", "")
    if (status and status not in BURKI_STATUSES) or (host and host not in HOSTS):
        return None
    return {"only_status": status, "only_host": host}


@team_view()
@require_POST
def refresh(request, team, provider):
    account = get_for_team(ProviderAccount, team, provider=provider)
    narrowing = _narrowing(account, request.POST)
    if narrowing is None:
        run = SyncRun.objects.filter(account=account).first()
        if request.htmx:
            response = render(request, "voices/catalog.html#sync", {"account": account, "run": run})
            trigger_client_event(
                response, "toasts", [{"message": NARROWING_REFUSED, "level": "error"}]
            )
            return response
        messages.error(request, NARROWING_REFUSED)
        return redirect("voices", team=team.slug)
    run, created = runs.request_sync(account, user=request.user, **narrowing)
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
        level = "error" if run.failed else "success"
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
    refused = voice.set_favorite(wanted)
    error = f"Respeecher did not save the star: {refused}" if refused else None
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


# Cloning, speaking, deleting -------------------------------------------------------------


def _a2e_account(team):
    return ProviderAccount.objects.for_team(team).of(Provider.A2E)


# Pages that are only a form for a change are refused to viewers on GET as on POST,
# with the 403 page saying so in words: a form they cannot send is a dead end.
@uploads.upload_view(lambda: A2E_SAMPLE_RULES.max_bytes, max_files=None, read_role=Role.MEMBER)
@once.per_submit
def clone_new(request, team):
    account = _a2e_account(team)
    form = CloneForm(request.POST or None, request.FILES or None)
    if uploads.refused(request):
        form = CloneForm(initial=request.POST.dict())  # with what did arrive
    elif request.method == "POST" and account is None:
        messages.error(request, "Connect A2E first: voices are cloned there.")
    elif request.method == "POST" and form.is_valid():
        job = starting.a2e_clone(account=account, by=request.user, data=form.cleaned_data)
        messages.success(request, "Training started; this page follows it live.")
        return redirect(job.get_absolute_url())
    return render(request, "voices/clone.html", {"form": form, "account": account})


HISTORY = 20
# The speech form's voice list, which its find box asks for again as a name is typed.
VOICE_LIST = "id_voice"


@team_view()
@once.per_submit
def speech(request, team):
    accounts = {a.provider: a for a in ProviderAccount.objects.for_team(team)}
    account = accounts.get(Provider.A2E) or accounts.get(Provider.RESPEECHER)
    listing_only = bool(request.htmx) and request.htmx.target == VOICE_LIST
    folders = []
    # Respeecher's folders only where the form is drawn whole: not for a viewer (no
    # form) nor for the voice list alone.
    if Provider.RESPEECHER in accounts and request.membership.can_change and not listing_only:
        try:
            folders = lookups.respeecher_folders(accounts[Provider.RESPEECHER])
        except UpstreamError as exc:
            messages.error(request, f"Respeecher did not list its folders: {exc.message}")
    initial = {}
    again = None
    if request.GET.get("again", "").isdigit():
        again = Generation.objects.for_team(team).filter(pk=request.GET["again"]).first()
    if again is not None:
        initial = {
            "voice": again.voice_id,
            "text": again.text,
            "speech_rate": again.speech_rate,
            "country": again.country,
            "region": again.region,
        }
    elif request.GET.get("voice"):
        # Another voice was picked (htmx): what was typed in the fields stays.
        initial = {k: v for k, v in request.GET.items() if k in SpeechForm.base_fields}
    form = SpeechForm(
        request.POST or None,
        team=team,
        folders=folders,
        initial=initial,
        voice_query=request.GET.get("voice_q", ""),
    )
    if request.method == "POST" and account is None:
        messages.error(request, "Connect A2E or Respeecher first: speech is generated there.")
    elif request.method == "POST" and form.is_valid():
        starting.speak(by=request.user, data=form.cleaned_data)
        # The form comes back with the same voice and settings, for the next line.
        url = reverse("voices_speech", kwargs={"team": team.slug})
        return redirect(f"{url}?{urlencode(form.settings())}")

    def page_only():
        history = (
            Generation.objects.for_team(team)
            .select_related("job", "created_by")
            .prefetch_related("job__files")[:HISTORY]
        )
        return {"history": history}

    return render_page(
        request,
        "voices/speech.html",
        {"form": form, "account": account, "max_chars": A2E_TTS_MAX_CHARS},
        partial="voice_list",
        target=VOICE_LIST,
        page_only=page_only,
    )


@team_view(read_role=Role.MEMBER)
def voice_delete(request, team, voice_id):
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    if not deleting.can_delete(voice):
        messages.error(request, "Only A2E clones can be deleted from Voxboard.")
        return redirect(voice.get_absolute_url())
    if request.method != "POST":
        return render(request, "voices/delete.html", {"voice": voice})
    refusal = deleting.delete(voice)
    if refusal:
        messages.error(request, f"A2E did not delete “{voice.name}”: {refusal} It is kept.")
        return redirect(voice.get_absolute_url())
    messages.success(request, f"Deleted “{voice.name}” at A2E and here.")
    return redirect("voices", team=team.slug)


ATTENTION_LIMIT = 100


@team_view()
def burki_insights(request, team):
    """Burki's cloned voices at a glance: what needs attention and how the hosts compare."""
    voices = Voice.objects.for_team(team).listed()
    now = timezone.now()
    attention = list(voices.needs_attention(now).order_by("status", "name")[:ATTENTION_LIMIT])
    for voice in attention:
        voice.reason = _attention_reason(voice, now)
    hosts = list(voices.by_host())
    top_voices = max([h["voices"] for h in hosts], default=0) or 1
    top_use = max([h["syntheses"] or 0 for h in hosts], default=0) or 1
    for host in hosts:
        # Bar lengths for the chart, in a 0-200 viewBox (attributes, not inline styles).
        host["voices_bar"] = round(200 * host["voices"] / top_voices)
        host["quality_bar"] = round(200 * (host["average_quality"] or 0))
        average = host["average_quality"]
        host["average_percent"] = f"{round(average * 100)}%" if average is not None else ""
        host["host_label"] = voice_word(HOSTS, host["host"]) if host["host"] else ""
        host["use_bar"] = round(200 * (host["syntheses"] or 0) / top_use)
    return render(
        request,
        "voices/burki.html",
        {
            "attention": attention,
            "hosts": hosts,
            "connected": ProviderAccount.objects.for_team(team).of(Provider.BURKI) is not None,
        },
    )


def _attention_reason(voice, now) -> str:
    if voice.is_failed:
        return "cloning failed"
    if voice.quality_band == QualityBand.POOR:
        return f"poor quality ({voice.quality_score:.2f}): re-train it"
    if voice.last_used_at is None:
        return "never used"
    return f"unused for {(now - voice.last_used_at).days} days"


def _burki_assistant(request, account) -> int:
    """The followed assistant a Burki page is about: the one asked for, else the first."""
    assistants = account.followed_assistants
    chosen = str(request.POST.get("assistant") or request.GET.get("assistant") or "")
    return int(chosen) if chosen.isdigit() and int(chosen) in assistants else assistants[0]


@uploads.upload_view(lambda: BURKI_MAX_BYTES, read_role=Role.MEMBER)
@once.per_submit
def burki_clone(request, team):
    account = ProviderAccount.objects.for_team(team).of(Provider.BURKI)
    assistants = account.followed_assistants if account else []
    context = {"account": account, "assistants": assistants}
    if not assistants:
        return render(request, "voices/burki_clone.html", context)
    assistant_id = _burki_assistant(request, account)
    try:
        providers = lookups.burki_providers(account, assistant_id)
    except UpstreamError as exc:
        messages.error(request, f"Burki did not list its cloning providers: {exc.message}")
        providers = []
    try:
        samples = lookups.burki_samples(account, assistant_id)
    except UpstreamError as exc:
        messages.error(
            request,
            f"Burki did not list the assistant's samples: {exc.message}"
            " You can still upload a new recording.",
        )
        samples = []
    names = lookups.burki_assistant_names(account)
    initial = {"assistant": assistant_id, "voice_sample": request.GET.get("sample")}
    form = BurkiCloneForm(
        request.POST or None,
        request.FILES or None,
        assistants=names,
        providers=providers,
        samples=samples,
        initial=initial,
    )
    if uploads.refused(request):
        form = BurkiCloneForm(
            assistants=names,
            providers=providers,
            samples=samples,
            initial={**request.POST.dict(), "assistant": assistant_id},
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hosts = [form.providers[p] for p in data["provider"]]
        # Only a new recording is checked here, and it goes to one host (the form's rule).
        rules = burki_rules(hosts[0])
        jobs = starting.burki_clone(account=account, by=request.user, data=data, rules=rules)
        if len(jobs) == 1:
            messages.success(request, "Cloning started; this page follows it live.")
            return redirect(jobs[0].get_absolute_url())
        said = [h.name or h.provider for h in hosts]
        at = f"{', '.join(said[:-1])} and {said[-1]}"
        messages.success(
            request,
            f"Cloning “{data['name']}” at {at}. The comparison below fills in as each finishes.",
        )
        url = reverse("voices_burki_samples", kwargs={"team": team.slug})
        query = urlencode({"assistant": data["assistant"]})
        return redirect(f"{url}?{query}#sample-{data['voice_sample']}")
    context.update(
        form=form,
        providers=[(p, burki_rules(p)) for p in providers],
        assistant_id=assistant_id,
    )
    return render(request, "voices/burki_clone.html", context)


@team_view()
def burki_samples(request, team):
    """An assistant's voice samples at Burki, each with the clones made from it here
    side by side (status, quality, use), and a way to clone it at more hosts."""
    account = ProviderAccount.objects.for_team(team).of(Provider.BURKI)
    assistants = account.followed_assistants if account else []
    context = {"account": account, "assistants": assistants}
    if not assistants:
        return render(request, "voices/burki_samples.html", context)
    assistant_id = _burki_assistant(request, account)
    try:
        samples = lookups.burki_samples(account, assistant_id, fresh=True)
        problem = ""
    except UpstreamError as exc:
        samples, problem = [], exc.message
    names = lookups.burki_assistant_names(account)
    ids = [s.id for s in samples if s.id is not None]
    clones: dict[int, list] = {}
    rows = (
        Clone.objects.for_team(team)
        .filter(job__account=account, burki_sample_id__in=ids)
        .select_related("voice__team", "job__team")
        .order_by("created_at", "pk")
    )
    for clone in rows:
        clones.setdefault(clone.burki_sample_id, []).append(clone)
    context.update(
        assistant_id=assistant_id,
        assistant_name=names.get(assistant_id, ""),
        assistant_choices=list(names.items()),
        problem=problem,
        samples=[
            (s, voice_word(BURKI_SAMPLE_STATUSES, s.status or ""), clones.get(s.id, []))
            for s in samples
        ],
    )
    return render(request, "voices/burki_samples.html", context)


BULK_LIMIT = 200


@team_view()
@require_POST
def bulk(request, team):
    """Star, unstar or delete the selected voices. Deleting asks first, then deletes
    each A2E clone upstream before here; what a provider refuses is kept and named."""
    action = request.POST.get("action")
    ids = ids_from(request.POST.getlist("ids"), BULK_LIMIT)
    voices = list(
        Voice.objects.for_team(team).listed().filter(pk__in=ids).select_related("account")
    )
    back = reverse("voices", kwargs={"team": team.slug})
    if not voices or action not in ("star", "unstar", "delete"):
        messages.error(request, "Select one or more voices first.")
        return redirect(back)
    if action == "delete":
        return _bulk_delete(request, team, voices, back)
    wanted, failed, changed = action == "star", [], []
    for voice in voices:
        if voice.favorite == wanted:
            continue
        refused = voice.set_favorite(wanted)
        if refused:
            failed.append(f"{voice.name} ({refused})")
        else:
            changed.append(voice.pk)
    verb = "Starred" if wanted else "Unstarred"
    messages.success(request, f"{verb} {len(changed)} voice{'s' if len(changed) != 1 else ''}.")
    if failed:
        messages.error(request, "Respeecher refused: " + "; ".join(failed))
    return redirect(back)


def _bulk_delete(request, team, voices, back):
    deletable = [v for v in voices if deleting.can_delete(v)]
    skipped = len(voices) - len(deletable)
    if not request.POST.get("confirmed"):
        return render(request, "voices/bulk_delete.html", {"voices": deletable, "skipped": skipped})
    deleted, failed = deleting.delete_many(deletable)
    if deleted:
        messages.success(request, f"Deleted at A2E and here: {', '.join(deleted)}.")
    if failed:
        messages.error(request, "A2E refused, so these are kept: " + "; ".join(failed))
    return redirect(back)


@team_view()
@require_POST
def voice_settings(request, team, voice_id):
    """Save an accent's semitone correction at Respeecher, which keeps it per voice."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    form = VoiceSettingsForm(request.POST, voice=voice)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    elif refusal := form.save():
        messages.error(request, f"Respeecher did not save it: {refusal}")
    else:
        messages.success(
            request, f"Saved at Respeecher: {form.cleaned_data['semitones']:+g} semitones."
        )
    return redirect(voice.get_absolute_url())


@team_view()
def voice_sample(request, team, voice_id):
    """A player for a voice's sample, fetched when someone asks to hear it."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    if failed := lookups.sample_failure(voice):
        return render(request, "voices/catalog.html#player", {"voice": voice, "error": failed})
    try:
        url = lookups.sample_url(voice)
    except UpstreamError as exc:
        lookups.remember_failure(voice, exc.message)
        return render(request, "voices/catalog.html#player", {"voice": voice, "error": exc.message})
    if url:  # played through us: the page's CSP lets a player load only our origin
        url = reverse("voice_sample_audio", kwargs={"team": team.slug, "voice_id": voice.pk})
    return render(request, "voices/catalog.html#player", {"voice": voice, "url": url})


@team_view()
def voice_sample_audio(request, team, voice_id):
    """A voice's sample relayed from its provider as it arrives (jobs.files)."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    provider = voice.get_provider_display()
    if failed := lookups.sample_failure(voice):
        return HttpResponse(failed, status=502, content_type="text/plain; charset=utf-8")
    try:
        url = lookups.sample_url(voice)
    except UpstreamError as exc:
        lookups.remember_failure(voice, exc.message)
        return HttpResponse(f"{provider} did not list it: {exc.message}", status=502)
    if not url:
        raise Http404("This voice has no sample.")
    response = relay_response(
        client_for(voice.account).stream(url), name=f"sample-{voice.pk}", provider=provider
    )
    if response.status_code == 502:
        # The player asks its page again on error (catalog.html#player), which then says why.
        lookups.remember_failure(voice, response.content.decode())
    return response


@team_view()
@require_POST
def voice_favourite(request, team, voice_id, what):
    """Mark a narration style or an accent (`what`, from the URL) as the voice's
    favourite at Respeecher."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    form = VoiceFavouriteForm(request.POST, voice=voice, what=what)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    elif refusal := form.save():
        messages.error(request, f"Respeecher did not save it: {refusal}")
    else:
        voice.refresh_from_db(fields=["raw"])
        messages.success(request, f"Saved at Respeecher: {_favourite_said(voice, form)}.")
    return redirect(voice.get_absolute_url())


def _favourite_said(voice, form) -> str:
    chosen = form.cleaned_data[form.what]
    if form.what == "narration_style_id":
        style = next((s for s in voice.narration_styles if s["id"] == chosen), {})
        return f"“{style.get('name') or 'that style'}” is a favourite narration style of this voice"
    accent = next((a for a in voice.accents if a["id"] == chosen), {})
    return f"“{accent.get('name') or 'that accent'}” is a favourite accent of this voice"


@team_view()
def voice_accent_audio(request, team, voice_id, accent_id):
    """The sample of one accent of a Respeecher voice, asked for when it is played and
    relayed as it arrives (jobs.files), so the page's player loads only our origin.
    Read-only: another team's voice is not found whatever the method, then only GET
    and HEAD are answered."""
    voice = get_for_team(Voice.objects.select_related("account"), team, pk=voice_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if accent_id not in {str(a["id"]) for a in lookups.accents_of(voice)}:
        raise Http404("This voice has no such accent.")
    if failed := lookups.sample_failure(voice, accent_id):
        return HttpResponse(failed, status=502, content_type="text/plain; charset=utf-8")
    try:
        url = lookups.accent_sample_url(voice, accent_id)
    except UpstreamError as exc:
        lookups.remember_failure(voice, exc.message, accent_id)
        return HttpResponse(f"Respeecher did not list it: {exc.message}", status=502)
    if not url:
        raise Http404("Respeecher has no sample of this accent.")
    response = relay_response(
        client_for(voice.account).stream(url),
        name=f"sample-{voice.pk}-{accent_id[:8]}",
        provider=voice.get_provider_display(),
    )
    if response.status_code == 502:
        lookups.remember_failure(voice, response.content.decode(), accent_id)
    return response
