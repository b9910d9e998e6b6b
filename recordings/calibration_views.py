"""The calibrations page under Recordings: the account's calibrations with their state,
which one conversions use by default (or automatic), making one from a recording,
enabling, switching to automatic and deleting (upstream first)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jobs import uploads
from recordings import calibrating, uploading
from recordings.forms import CalibrationForm, CalibrationNameForm
from recordings.models import Calibration, Recording
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, team_view

change_view = team_view(read_role=Role.MEMBER)


def _account(team):
    return ProviderAccount.objects.for_team(team).filter(provider=Provider.RESPEECHER).first()


def _calibration(team, calibration_id):
    return get_for_team(
        Calibration.objects.listed().select_related("account", "team"), team, pk=calibration_id
    )


def _listed(team, account) -> dict:
    calibrations = list(
        Calibration.objects.for_team(team)
        .filter(account=account)
        .listed()
        .defer("raw")
        .order_by("-created_at", "name", "pk")
    )
    return {
        "calibrations": calibrations,
        "default": next((c for c in calibrations if c.enabled), None),
    }


def _page(request, team, account, form=None, status=200):
    context = {"account": account, "form": form or CalibrationForm(account=account)}
    if account is not None:
        # The jobs' table sits outside the list an htmx reload swaps: the page alone shows it.
        context.update(_listed(team, account), calibration_jobs=calibrating.recent_jobs(team))
    return render(request, "recordings/calibrations.html", context, status=status)


@team_view()
def calibrations(request, team):
    account = _account(team)
    if request.htmx and request.htmx.target == "calibrations" and account is not None:
        return render(request, "recordings/calibrations.html#list", _listed(team, account))
    return _page(request, team, account)


@uploads.upload_view(uploading.max_upload_bytes, read_role=Role.MEMBER)
def calibration_create(request, team):
    """A name and a recording: stored here, then sent by a worker as a job."""
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    if request.method != "POST":
        return redirect("recordings_calibrations", team=team.slug)
    form = CalibrationForm(request.POST, request.FILES, account=account)
    if uploads.refused(request):
        form = CalibrationForm(initial={"name": request.POST.get("calibration-name", "")})
        return _page(request, team, account, form, status=400)
    if not form.is_valid():
        return _page(request, team, account, form, status=400)
    name = form.cleaned_data["name"]
    calibrating.create(
        account, name=name, upload=form.cleaned_data["audio"], rules=form.rules, user=request.user
    )
    messages.success(
        request,
        f"Sending “{name}” to Respeecher. It is ready to use once Respeecher has processed "
        "it, in a minute or so; this page shows when.",
    )
    return redirect("recordings_calibrations", team=team.slug)


@change_view
@require_POST
def calibration_enable(request, team, calibration_id):
    calibration = _calibration(team, calibration_id)
    if not calibration.is_ready:
        messages.error(
            request, f"“{calibration}” is not ready yet: it can be the default once it is."
        )
        return redirect("recordings_calibrations", team=team.slug)
    refusal = calibrating.enable(calibration, user=request.user)
    if refusal:
        messages.error(request, f"Respeecher did not make “{calibration}” the default: {refusal}")
    else:
        messages.success(
            request, f"Conversions now use “{calibration}” unless an order names another."
        )
    return redirect("recordings_calibrations", team=team.slug)


@change_view
@require_POST
def calibration_auto(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    refusal = calibrating.use_auto(account, user=request.user)
    if refusal:
        messages.error(request, f"Respeecher did not switch to automatic: {refusal}")
    else:
        messages.success(
            request,
            "Respeecher now calibrates each conversion by itself, "
            "unless an order names a calibration.",
        )
    return redirect("recordings_calibrations", team=team.slug)


@change_view
@require_POST
def calibration_refresh(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.RESPEECHER)
    refusal = calibrating.refresh(account)
    if refusal:
        messages.error(request, f"Respeecher could not be asked: {refusal} Try again in a minute.")
    else:
        messages.success(request, "The calibrations are as Respeecher has them now.")
    return redirect("recordings_calibrations", team=team.slug)


@change_view
def calibration_delete(request, team, calibration_id):
    calibration = _calibration(team, calibration_id)
    if request.method != "POST":
        return render(request, "recordings/calibration_delete.html", {"calibration": calibration})
    refusal = calibrating.delete(calibration, user=request.user)
    if refusal:
        messages.error(request, f"Respeecher did not delete “{calibration}”: {refusal} It is kept.")
    else:
        messages.success(
            request, f"Deleted the calibration “{calibration}” at Respeecher and here."
        )
    return redirect("recordings_calibrations", team=team.slug)


@change_view
@require_POST
def calibration_from_take(request, team, recording_id):
    """Calibrate from a finished take already at Respeecher, by a worker."""
    take = get_for_team(
        Recording.objects.listed().originals().select_related("account", "team"),
        team,
        pk=recording_id,
    )
    form = CalibrationNameForm(request.POST, account=take.account)
    if not take.is_completed:
        messages.error(request, "This take has no audio yet: calibrate from it once it is ready.")
    elif not form.is_valid():
        messages.error(request, f"Nothing was sent: {form.errors['name'][0]}")
    else:
        name = form.cleaned_data["name"]
        calibrating.from_take(take, name=name, user=request.user)
        messages.success(
            request,
            f"Calibrating “{name}” from this take. It is ready to use once Respeecher has "
            "processed it; the calibrations page shows when.",
        )
        return redirect("recordings_calibrations", team=team.slug)
    return redirect(take.get_absolute_url())
