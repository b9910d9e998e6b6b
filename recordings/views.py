"""Recordings pages: the team's Respeecher projects with Refresh and progress, their
folders and originals, making, renaming, deleting and opening them, a take's page
to listen to it beside its conversions, star them and label them, originals into a
folder (uploads and text to speech, each a job shown live on the folder's page), orders
converting takes into voices, and the way out: exports as zips and bulk actions on the
originals list."""

import functools

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from core.htmx import render_page
from core.paging import keyset_page
from jobs import once, uploads
from jobs.models import Job, Status
from recordings import (
    deleting,
    editing,
    exporting,
    marking,
    media,
    noting,
    opening,
    ordering,
    replacing,
    runs,
    uploading,
)
from recordings.forms import (
    LabelForm,
    LinkForm,
    NameForm,
    OrderForm,
    ReplaceForm,
    SpeakForm,
    UploadForm,
)
from recordings.models import (
    Folder,
    Order,
    Project,
    Recording,
    SyncRun,
    as_tree,
    shown_conversions,
)
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, ids_from, team_view

PAGE_SIZE = 100
ORIGINALS_PAGE = 50
# One order converts at most this many takes (each into every chosen voice).
ORDER_MAX_TAKES = 200
# Newest mirrored first; the id is unique and never null, so a cursor always holds.
ORIGINALS_ORDER = ("-pk",)
STATE_FILTERS = [
    (Status.PROCESSING, "Processing"),
    (Status.COMPLETED, "Ready"),
    (Status.FAILED, "Failed"),
]
# Pages that only show a form to change something are for those who may change it.
change_view = team_view(read_role=Role.MEMBER)


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
    return render_page(
        request,
        "recordings/projects.html",
        {"page": page, "projects": page.object_list},
        partial="projects",
        target="projects",
        page_only=lambda: {"account": _respeecher_account(team)},
    )


@team_view()
@require_POST
def refresh(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    full = request.POST.get("full") == "1"
    run, created = runs.request_sync(account, user=request.user, full=full)
    if not created:
        if full and not run.full:
            messages.info(
                request,
                "Respeecher's projects are already refreshing; read every project again "
                "once it ends.",
            )
        else:
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
        level = "error" if run.failed else "success"
        text = f"Respeecher projects: {run.message}"
        trigger_client_event(response, "toasts", [{"message": text, "level": level}])
    return response


# The tree -------------------------------------------------------------------------------


def _project(team, project_id):
    return get_for_team(
        Project.objects.listed().select_related("account", "team"), team, pk=project_id
    )


def _folder(team, folder_id):
    return get_for_team(
        Folder.objects.listed().select_related("account", "team", "project"), team, pk=folder_id
    )


def _toast(response, text, level="success"):
    trigger_client_event(response, "toasts", [{"message": text, "level": level}])
    return response


@team_view()
def project_detail(request, team, project_id):
    project = get_for_team(
        Project.objects.listed().with_counts().select_related("account", "team"),
        team,
        pk=project_id,
    )
    folders = Folder.objects.listed().filter(project=project).with_counts().order_by("name", "pk")
    # Shown as a tree: each folder followed by those inside it, indented by depth.
    tree = as_tree(folders.select_related("parent").defer("raw", "parent__raw"))
    page = Paginator(tree, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "recordings/project.html",
        {"project": project, "page": page, "folders": page.object_list},
        partial="folders",
        target="folders",
        page_only=lambda: {"form": NameForm()},
    )


@team_view()
def folder_detail(request, team, folder_id):
    # Not _folder(): this page never reads the account (a wide row, joined for
    # nothing), and the team is the one in hand.
    folder = get_for_team(Folder.objects.listed().select_related("project"), team, pk=folder_id)
    folder.team = team
    takes = (
        Recording.objects.listed()
        .originals()
        .filter(folder=folder)
        .filtered(request.GET)
        .only(*Recording.LIST_FIELDS)
        .with_conversions()
        .with_live_orders()
    )
    page = keyset_page(takes, ORIGINALS_ORDER, request.GET.get("after"), ORIGINALS_PAGE)
    # One reverse() for the page, not one per row: each take's page sits under this one.
    takes_at = reverse("recordings_take", kwargs={"team": team.slug, "recording_id": 0})[:-2]
    for take in page.rows:
        take.page_url = f"{takes_at}{take.pk}/"
        take.shown_conversions = shown_conversions(take.listed_conversions, take.live_orders)
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "folder": folder,
        "project": folder.project,
        "page": page,
        "originals": page.rows,
        "query": params.urlencode(),
        "filters": request.GET,
        "states": STATE_FILTERS,
        "is_first_page": not request.GET.get("after"),
    }
    return render_page(
        request,
        "recordings/folder.html",
        context,
        partial="originals",
        target="originals",
        page_only=lambda: {**_originals_in(team, folder), **_subfolders(folder)},
    )


def _name_page(request, form, *, title, submit, back):
    context = {"form": form, "title": title, "submit": submit, "back": back}
    return render(request, "recordings/name_form.html", context)


def _rename(request, target, rename, what: str):
    """The rename page of a project or a folder; `rename` is its editing function."""
    form = NameForm(request.POST or None, initial={"name": target.name})
    back = target.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        target, refusal = rename(target, form.cleaned_data["name"], user=request.user)
        if not refusal:
            messages.success(request, f"Renamed the {what} to “{target.name}”.")
            return redirect(back)
        form.add_error(None, f"Respeecher did not rename it: {refusal} The old name stays.")
    title = f"Rename “{target.name}”"
    return _name_page(request, form, title=title, submit="Rename", back=back)


@change_view
def project_create(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    form = NameForm(request.POST or None)
    back = reverse("recordings", kwargs={"team": team.slug})
    if request.method == "POST" and form.is_valid():
        project, refusal = editing.create_project(
            account, form.cleaned_data["name"], user=request.user
        )
        if project is not None:
            messages.success(request, f"Made the project “{project.name}” at Respeecher.")
            return redirect(project.get_absolute_url())
        form.add_error(None, f"Respeecher did not make the project: {refusal}")
    return _name_page(request, form, title="New project", submit="Make the project", back=back)


@change_view
def project_rename(request, team, project_id):
    return _rename(request, _project(team, project_id), editing.rename_project, "project")


@change_view
def project_delete(request, team, project_id):
    project = _project(team, project_id)
    if request.method != "POST":
        folders = Folder.objects.listed().filter(project=project).with_counts()
        folders = folders.defer("raw").order_by("name", "pk")
        takes = Recording.objects.listed().filter(project=project)
        return render(
            request,
            "recordings/delete.html",
            {
                "project": project,
                "target": project,
                "folders": folders,
                "originals": takes.originals().count(),
                "conversions": takes.filter(kind=Recording.Kind.CONVERSION).count(),
            },
        )
    refusal = editing.delete_project(project, user=request.user)
    if refusal:
        messages.error(
            request, f"Respeecher did not delete “{project.name}”: {refusal} It is kept."
        )
        return redirect(project.get_absolute_url())
    messages.success(request, f"Deleted the project “{project.name}” at Respeecher and here.")
    return redirect("recordings", team=team.slug)


@change_view
def folder_create(request, team, project_id):
    project = _project(team, project_id)
    parent = _parent_folder(request, team, project)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        folder, refusal = editing.create_folder(
            project, form.cleaned_data["name"], user=request.user, parent=parent
        )
        if folder is not None and parent is not None:
            messages.success(request, f"Made the folder “{folder.name}” in “{parent.name}”.")
            return redirect(parent.get_absolute_url())
        if folder is not None:
            text = f"Made the folder “{folder.name}”."
            if request.htmx:
                response = render(
                    request,
                    "recordings/project.html#new-folder",
                    {"project": project, "form": NameForm()},
                )
                trigger_client_event(response, "folderCreated", {"id": folder.pk})
                return _toast(response, text)
            messages.success(request, text)
            return redirect(project.get_absolute_url())
        form.add_error(None, f"Respeecher did not make the folder: {refusal}")
    if request.htmx:
        return render(
            request, "recordings/project.html#new-folder", {"project": project, "form": form}
        )
    where = parent or project
    title = f"New folder in “{where.name}”"
    return _name_page(
        request, form, title=title, submit="Make the folder", back=where.get_absolute_url()
    )


@change_view
def folder_rename(request, team, folder_id):
    return _rename(request, _folder(team, folder_id), editing.rename_folder, "folder")


@change_view
def folder_delete(request, team, folder_id):
    folder = _folder(team, folder_id)
    if request.method != "POST":
        folders = Folder.objects.filter(pk__in=folder.with_descendants()).with_counts()
        folders = list(folders.defer("raw").order_by("name", "pk"))
        return render(
            request,
            "recordings/delete.html",
            {
                "project": folder.project,
                "target": folder,
                "folders": folders,
                "originals": sum(f.original_count for f in folders),
                "conversions": sum(f.conversion_count for f in folders),
            },
        )
    refusal = editing.delete_folder(folder, user=request.user)
    if refusal:
        messages.error(request, f"Respeecher did not delete “{folder.name}”: {refusal} It is kept.")
        return redirect(folder.get_absolute_url())
    messages.success(request, f"Deleted the folder “{folder.name}” at Respeecher and here.")
    return redirect(folder.project.get_absolute_url())


@change_view
def open_link(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    form = LinkForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        project, refusal, new = opening.open_project(account, form.token, user=request.user)
        if project is not None:
            if new:
                messages.success(
                    request,
                    f"Found “{project.name}”; its folders and takes arrive with the refresh "
                    "now running.",
                )
            return redirect(project.get_absolute_url())
        form.add_error("link", refusal)
    return render(request, "recordings/open.html", {"form": form})


# Listening ------------------------------------------------------------------------------


def _recording(team, recording_id, queryset=None):
    queryset = queryset if queryset is not None else Recording.objects.listed()
    return get_for_team(
        queryset.select_related("account", "team", "project", "folder"), team, pk=recording_id
    )


def _take_name(take) -> str:
    return take.label or take.file_name or "Untitled take"


@team_view()
def take_detail(request, team, recording_id):
    """An original and its conversions side by side, each with its player and waveform."""
    take = _recording(team, recording_id, Recording.objects.listed().originals())
    orders = list(Order.objects.filter(original=take).showing().order_by("created_at", "pk"))
    conversions = shown_conversions(
        take.conversions.listed()
        .filter(kind=Recording.Kind.CONVERSION)
        .select_related("account", "team")
        .order_by("created_at", "pk"),
        orders,
    )
    context = {
        "take": take,
        "take_name": _take_name(take),
        "conversions": conversions,
        "orders": orders,
        "playable": sum(1 for c in conversions if c.media["audio"]),
        "failed_count": sum(1 for c in conversions if c.is_failed),
        "project": take.project,
        "folder": take.folder,
    }
    return render(request, "recordings/take.html", context)


@team_view()
def recording_media(request, team, recording_id, part):
    """A take's audio or waveform, relayed from Respeecher (recordings/media.py)."""
    return media.relay(_recording(team, recording_id), part)


def _marked(request, team, recording, refusal, *, what, form=None):
    """The mark partial for htmx (Respeecher's refusal as a toast), else back to the page."""
    if request.htmx:
        context = {"recording": recording, "take_name": _take_name(recording.original or recording)}
        if form is not None and form.errors:
            context["label_error"] = form.errors["label"][0]
            context["typed"] = form.data.get("label", "")
        response = render(request, "recordings/take.html#mark", context)
        if refusal:
            _toast(response, f"Respeecher did not save the {what}: {refusal}", "error")
        return response
    if form is not None and form.errors:
        messages.error(request, form.errors["label"][0])
    elif refusal:
        messages.error(request, f"Respeecher did not save the {what}: {refusal}")
    return redirect(
        recording.get_absolute_url() or reverse("recordings", kwargs={"team": team.slug})
    )


@team_view()
@require_POST
def recording_star(request, team, recording_id):
    """Set the star to the state the form asked for, so a double click is harmless."""
    recording = _recording(team, recording_id)
    wanted = request.POST.get("starred", "0" if recording.starred else "1") == "1"
    recording, refusal = marking.set_starred(recording, wanted, user=request.user)
    return _marked(request, team, recording, refusal, what="star")


@team_view()
@require_POST
def recording_label(request, team, recording_id):
    recording = _recording(team, recording_id)
    form = LabelForm(request.POST)
    refusal = None
    if form.is_valid():
        recording, refusal = marking.set_label(
            recording, form.cleaned_data["label"], user=request.user
        )
    return _marked(request, team, recording, refusal, what="label", form=form)


# Orders ---------------------------------------------------------------------------------


def _selected_ids(request) -> list[int]:
    source = request.POST if request.method == "POST" else request.GET
    return ids_from(source.getlist("ids"), ORDER_MAX_TAKES)


@change_view
@once.per_submit
def order_create(request, team, folder_id):
    """Convert the chosen originals of a folder (`ids`) into one or more voices: one job
    per take and voice. Ids of another folder or team are not found, so not ordered."""
    folder = _folder(team, folder_id)
    originals = list(
        Recording.objects.for_team(team)
        .listed()
        .originals()
        .filter(folder=folder, pk__in=_selected_ids(request))
        .select_related("account", "team", "folder")
        .order_by("pk")
    )
    back = folder.get_absolute_url()
    if not originals:
        messages.error(request, "Choose at least one take of this folder to convert.")
        return redirect(back)
    wants_order = request.method == "POST" and "voices" in request.POST
    form = OrderForm(
        request.POST if wants_order else None, account=folder.account, originals=originals
    )
    if wants_order and form.is_valid():
        targets = form.targets()
        jobs = ordering.place(
            originals, targets, by=request.user, calibration_id=form.cleaned_data["calibration"]
        )
        messages.success(
            request,
            f"Ordered {len(jobs)} conversion(s): {len(originals)} take(s) into "
            f"{len(targets)} voice(s). They finish here, live.",
        )
        if len(originals) == 1:
            return redirect(originals[0].get_absolute_url())
        return redirect(back)
    context = {
        "form": form,
        "folder": folder,
        "project": folder.project,
        "originals": originals,
        "back": originals[0].get_absolute_url() if len(originals) == 1 else back,
    }
    return render(request, "recordings/order.html", context, status=400 if wants_order else 200)


@change_view
@require_POST
def conversion_retry(request, team, recording_id):
    """Retry a take's failed conversions (given the take) or one of them (given the
    conversion). Respeecher's retry takes the original and remakes every failed
    conversion of it, so each is followed here as its own job."""
    recording = _recording(team, recording_id)
    take = recording.original if recording.is_conversion else recording
    if recording.is_conversion:
        failed = [recording]
    else:
        failed = list(
            recording.conversions.listed()
            .filter(kind=Recording.Kind.CONVERSION, state=Status.FAILED)
            .select_related("account", "team", "original", "original__folder")
            .order_by("created_at", "pk")
        )
    back = (take or recording).get_absolute_url() or reverse(
        "recordings", kwargs={"team": team.slug}
    )
    if not failed:
        messages.info(request, "No conversion of this take failed: nothing to retry.")
        return redirect(back)
    sent, again, refusals = 0, 0, []
    for conversion in failed:
        job, message = ordering.retry(conversion, by=request.user)
        if job is None:
            refusals.append(message)
        elif message:
            again += 1
        else:
            sent += 1
    if sent:
        what = "1 failed conversion" if sent == 1 else f"{sent} failed conversions"
        messages.success(
            request, f"Sent {what} of this take back to Respeecher; they finish here, live."
        )
    if again and not sent:
        messages.info(request, "It was already sent again; it finishes here, live.")
    for refusal in dict.fromkeys(refusals):
        messages.error(request, refusal)
    return redirect(back)


# Originals in ---------------------------------------------------------------------------

# The upload and speech jobs a folder's page shows (JobQuerySet.recent: running or just
# ended; then they are only in Jobs).
FOLDER_JOBS_SHOWN = 20


def _folder_jobs(team, folder) -> list:
    """The folder's upload and speech jobs still running or recently ended, newest first."""
    jobs = Job.objects.for_team(team).filter(arrival__folder=folder)
    return list(jobs.recent()[:FOLDER_JOBS_SHOWN])


def _originals_in(team, folder, upload_form=None, speak_form=None, record_form=None) -> dict:
    """The ways into a folder; `record_form` is an UploadForm with a take recorded in the
    page that was refused, shown on the recorder's card (recordings/recorder.html)."""
    shown = upload_form is None and speak_form is None
    return {
        "upload_form": upload_form or UploadForm(),
        "speak_form": speak_form or SpeakForm(),
        "record_form": record_form,
        "label_max": Recording.LABEL_MAX,
        "blank": blank_fields(settings.RECORDINGS_MAX_UPLOAD_MB) if shown else None,
        "folder_jobs": _folder_jobs(team, folder),
    }


@functools.lru_cache(maxsize=4)
def blank_fields(max_upload_mb: int) -> dict[str, str]:
    """The blank upload and speech forms' fields as HTML, rendered once per process (and
    upload cap): Django renders a form a widget template at a time, which cost the
    folder page about 3 ms on every visit. Sent back with errors, a form renders itself."""
    return {
        "upload": render_to_string(
            "recordings/folder.html#upload-fields", {"upload_form": UploadForm()}
        ),
        "speak": render_to_string(
            "recordings/folder.html#speak-fields", {"speak_form": SpeakForm()}
        ),
    }


def _originals_in_page(request, team, folder, **forms):
    """The forms again with what was refused, on a page of their own."""
    context = {"folder": folder, "project": folder.project, **_originals_in(team, folder, **forms)}
    return render(request, "recordings/originals_in.html", context)


@uploads.upload_view(uploading.max_upload_bytes, max_files=None, read_role=Role.MEMBER)
def folder_upload(request, team, folder_id):
    """One or many audio files into the folder: each checked by its bytes and stored
    here, then sent by a worker as its own job. One refusal sends nothing."""
    folder = _folder(team, folder_id)
    if request.method != "POST":
        return redirect(folder.get_absolute_url())
    form = UploadForm(request.POST, request.FILES)  # reading them applies the cap
    if uploads.refused(request):
        form = UploadForm(initial={"label": request.POST.get(f"{UploadForm.prefix}-label", "")})
        return _originals_in_page(request, team, folder, upload_form=form)
    if not form.is_valid():
        if form["microphone"].value():  # a take recorded in the page: its card says why
            return _originals_in_page(request, team, folder, record_form=form)
        return _originals_in_page(request, team, folder, upload_form=form)
    data = form.cleaned_data
    jobs = uploading.upload_files(
        folder, data["files"], label=data["label"], user=request.user, microphone=data["microphone"]
    )
    if data["microphone"]:
        text = "Sending your take to Respeecher; it appears in the folder once it is there."
    else:
        files = "1 file" if len(jobs) == 1 else f"{len(jobs)} files"
        text = f"Sending {files} to Respeecher; each appears in the folder once it is there."
    messages.success(request, text)
    return redirect(folder.get_absolute_url())


@change_view
@once.per_submit
def folder_speak(request, team, folder_id):
    """Text Respeecher speaks into the folder, as a job."""
    folder = _folder(team, folder_id)
    if request.method != "POST":
        return redirect(folder.get_absolute_url())
    form = SpeakForm(request.POST)
    if not form.is_valid():
        return _originals_in_page(request, team, folder, speak_form=form)
    data = form.cleaned_data
    uploading.speak(
        folder, data["text"], language=data["language"], label=data["label"], user=request.user
    )
    messages.success(
        request, "Respeecher is speaking the text; it appears in the folder when done."
    )
    return redirect(folder.get_absolute_url())


@team_view()
@require_POST
def recording_replace(request, team, recording_id):
    """Replace a take's label and star at once with PUT, keeping its id; Respeecher's
    PUT carries no audio (recordings/replacing.py)."""
    recording = _recording(team, recording_id)
    form = ReplaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors.get("label", ["Check the label."])[0])
    else:
        data = form.cleaned_data
        recording, refusal = replacing.replace(
            recording, label=data["label"], starred=data["starred"], user=request.user
        )
        if refusal:
            messages.error(request, f"Respeecher did not replace it: {refusal} It is unchanged.")
        else:
            star = "starred" if recording.starred else "not starred"
            name = f"“{recording.label}”" if recording.label else "no label"
            messages.success(request, f"Replaced at Respeecher: {name}, {star}; same take.")
    return redirect(
        recording.get_absolute_url() or reverse("recordings", kwargs={"team": team.slug})
    )


# Out: exports and bulk actions ----------------------------------------------------------

# The most originals one bulk request acts on: a page holds ORIGINALS_PAGE of them.
BULK_MAX = 500


def _export_refused(request, refusal, back):
    messages.error(request, f"Respeecher did not send the export: {refusal}")
    return redirect(back)


@team_view()
def project_export(request, team, project_id):
    """The project's zip (all takes, or `?starred=1` for the starred ones), relayed."""
    project = _project(team, project_id)
    starred = request.GET.get("starred") == "1"
    response, refusal = exporting.export_project(project, starred_only=starred, user=request.user)
    return response or _export_refused(request, refusal, project.get_absolute_url())


@team_view()
def take_export(request, team, recording_id):
    """An original's conversions (with the original) as Respeecher zips them, relayed;
    `?starred=1` for the starred ones only."""
    take = _recording(team, recording_id, Recording.objects.listed().originals())
    starred = request.GET.get("starred") == "1"
    response, refusal = exporting.export_conversions(take, starred_only=starred, user=request.user)
    return response or _export_refused(request, refusal, take.get_absolute_url())


def _selected(request, team, folder):
    """The originals of this folder whose ids were ticked; ids of other folders' or other
    teams' takes, and anything not an id, are ignored."""
    ids = ids_from(request.POST.getlist("ids"), BULK_MAX)
    return (
        Recording.objects.listed()
        .originals()
        .for_team(team)
        .filter(folder=folder, pk__in=ids)
        .select_related("account", "team", "project", "folder")
        .order_by(*ORIGINALS_ORDER)
    )


def _nothing_selected(request, folder):
    messages.info(request, "Tick one or more takes first.")
    return redirect(folder.get_absolute_url())


def _plural(count: int, word: str = "take") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@change_view
@require_POST
def bulk_star(request, team, folder_id):
    """Star (`starred=1`) or unstar the ticked takes, at Respeecher first."""
    folder = _folder(team, folder_id)
    takes = list(_selected(request, team, folder))
    if not takes:
        return _nothing_selected(request, folder)
    starred = request.POST.get("starred") == "1"
    refused = marking.set_starred_many(takes, starred, user=request.user)
    done = len(takes) - len(refused)
    verb = "Starred" if starred else "Unstarred"
    if done:
        messages.success(request, f"{verb} {_plural(done)}.")
    for take, refusal in refused:
        messages.error(
            request, f"Respeecher did not save the star of “{_take_name(take)}”: {refusal}"
        )
    return redirect(folder.get_absolute_url())


@change_view
@require_POST
def bulk_delete(request, team, folder_id):
    """First a page listing what would go (with each take's conversions); then, confirmed,
    each is deleted at Respeecher and here, a refusal keeping that take."""
    folder = _folder(team, folder_id)
    takes = _selected(request, team, folder)
    if request.POST.get("confirm") != "1":
        takes = list(takes.with_conversion_count())
        if not takes:
            return _nothing_selected(request, folder)
        context = {"folder": folder, "project": folder.project, "takes": takes}
        return render(request, "recordings/bulk_delete.html", context)
    outcome = deleting.delete_takes(list(takes), user=request.user)
    gone = [take for take, refusal in outcome if refusal is None]
    if gone:
        messages.success(request, f"Deleted {_plural(len(gone))} at Respeecher and here.")
    for take, refusal in outcome:
        if refusal:
            messages.error(
                request, f"Respeecher did not delete “{_take_name(take)}”: {refusal} It is kept."
            )
    return redirect(folder.get_absolute_url())


@change_view
@require_POST
def bulk_export(request, team, folder_id):
    """One zip of the ticked takes' finished conversions, made as it is sent."""
    folder = _folder(team, folder_id)
    takes = list(_selected(request, team, folder))
    if not takes:
        return _nothing_selected(request, folder)
    response = exporting.export_selection(folder, takes, user=request.user)
    if response is None:
        messages.info(request, "None of the ticked takes has a finished conversion to export.")
        return redirect(folder.get_absolute_url())
    return response


# Notes ----------------------------------------------------------------------------------


def _noted(request, take, refusal, *, done: str, typed=None):
    """The note block for htmx (the reason shown by the box, or a toast), else back to the
    take's page with a message."""
    if request.htmx:
        context = {"recording": take, "error": refusal or "", "typed": typed}
        response = render(request, "recordings/take.html#note", context)
        return _toast(response, refusal or done, "error" if refusal else "success")
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, done)
    return redirect(take.get_absolute_url())


@change_view
@require_POST
def recording_note(request, team, recording_id):
    """Add the take's note or change it: empty or over-long text is refused unsent."""
    take = _recording(team, recording_id, Recording.objects.listed().originals())
    text = request.POST.get("text", "")
    had = take.has_note
    saved, refusal = noting.save_note(take, text, user=request.user)
    if refusal and noting.refusal_of(text) is None:
        refusal = f"Respeecher did not save the note: {refusal}"
    done = "Note saved at Respeecher." if had else "Note added at Respeecher."
    return _noted(request, saved, refusal, done=done, typed=text if refusal else None)


@change_view
@require_POST
def recording_note_delete(request, team, recording_id):
    take = _recording(team, recording_id, Recording.objects.listed().originals())
    saved, refusal = noting.delete_note(take, user=request.user)
    if refusal:
        refusal = f"Respeecher did not delete the note: {refusal} It is kept."
    return _noted(request, saved, refusal, done="Note deleted at Respeecher and here.")


# Deleting one take ----------------------------------------------------------------------


@change_view
def take_delete(request, team, recording_id):
    """First a page saying what goes (the take and its conversions); then, confirmed, it
    is deleted at Respeecher and here, and the folder it was in is shown."""
    take = _recording(team, recording_id, Recording.objects.listed().originals())
    if request.method != "POST":
        conversions = take.conversions.listed().filter(kind=Recording.Kind.CONVERSION).count()
        context = {"take": take, "take_name": _take_name(take), "conversion_count": conversions}
        return render(request, "recordings/take_delete.html", context)
    [(_, refusal)] = deleting.delete_takes([take], user=request.user)
    if refusal:
        messages.error(
            request, f"Respeecher did not delete “{_take_name(take)}”: {refusal} It is kept."
        )
        return redirect(take.get_absolute_url())
    messages.success(request, f"Deleted “{_take_name(take)}” at Respeecher and here.")
    back = take.folder or take.project
    return redirect(back.get_absolute_url())


# Folders in folders ---------------------------------------------------------------------


def _parent_folder(request, team, project):
    """The folder a new folder goes inside (`parent`, a folder of this project), or None;
    one of another project or team is not found."""
    source = request.POST if request.method == "POST" else request.GET
    asked = source.get("parent", "")
    if not asked:
        return None
    parent = ids_from([asked], 1)
    if not parent:
        raise Http404("No such folder.")
    return get_for_team(
        Folder.objects.listed().filter(project=project).select_related("project"),
        team,
        pk=parent[0],
    )


def _subfolders(folder) -> dict:
    subfolders = Folder.objects.listed().filter(parent=folder).with_counts()
    return {"subfolders": list(subfolders.defer("raw").order_by("name", "pk"))}
