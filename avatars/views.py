"""Avatar console pages: the account's avatars with what a room costs, opening a room,
the room (its stage, Speak and Ask, the Q&A context, Leave, history), the heartbeat
and leave beacon its page sends, and the history of every room."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from avatars import leaving, lookups, opening, talking
from avatars.forms import ContextForm, OpenForm, SayForm
from avatars.models import Room, Utterance
from dashboard.csp import origin, room_csp
from jobs import once
from jobs.files import relay_response
from providers import UpstreamError
from providers.a2e import stand_in_url
from teams.connection import client_for
from teams.models import Provider, ProviderAccount, Role
from teams.scoping import get_for_team, team_view

HISTORY_PAGE = 50
change_view = team_view(read_role=Role.MEMBER)


def _account(team):
    return ProviderAccount.objects.for_team(team).filter(provider=Provider.A2E).first()


def _list_context(team, account, form=None, refusal=None):
    avatars, error = [], ""
    if account is not None:
        try:
            avatars = lookups.avatars(account)
        except UpstreamError as exc:
            error = exc.message
    return {
        "account": account,
        "avatars": avatars,
        "avatars_error": error,
        "coins": lookups.coins(account) if account is not None and avatars else None,
        "form": form or OpenForm(avatars=avatars),
        "open_rooms": Room.objects.for_team(team)
        .unclosed()
        .select_related("team", "opened_by")[:20],
        "refusal": refusal,
        "max_minutes": settings.AVATAR_MAX_MINUTES,
        "grace": settings.AVATAR_HEARTBEAT_GRACE,
    }


@team_view()
def avatar_list(request, team):
    return render(request, "avatars/list.html", _list_context(team, _account(team)))


@team_view()
@require_POST
def refresh(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.A2E)
    lookups.refresh(account)
    messages.success(request, "A2E's avatars were read again.")
    return redirect("avatars", team=team.slug)


@team_view()
@require_POST
@once.per_submit
def room_open(request, team):
    account = get_for_team(ProviderAccount, team, provider=Provider.A2E)
    try:
        avatars = lookups.avatars(account)
    except UpstreamError as exc:
        messages.error(request, f"A2E did not list its avatars: {exc.message}")
        return redirect("avatars", team=team.slug)
    form = OpenForm(request.POST, avatars=avatars)
    if not form.is_valid():
        context = _list_context(team, account, form=form)
        return render(request, "avatars/list.html", context, status=400)
    try:
        room = opening.open_room(
            account=account,
            avatar=form.chosen_avatar,
            minutes=form.cleaned_data["minutes"],
            by=request.user,
        )
    except opening.Refused as refused:
        context = _list_context(team, account, form=form, refusal=str(refused))
        return render(request, "avatars/list.html", context, status=409)
    if room.state == Room.State.FAILED:
        messages.error(request, f"A2E did not open the room: {room.last_error}")
    elif room.is_live and not _stage_can_join(account, room):
        leaving.request_leave(
            room, Room.Reason.LEFT, by=request.user, why="this server's pages cannot reach Agora"
        )
        messages.error(
            request,
            "The room was left at once, its unused time refunded: this server's security "
            "policy does not let pages reach Agora's gateways, so its video could not play. "
            "An administrator turns AGORA_CSP_GATEWAY_WILDCARDS on.",
        )
    return redirect(room)


def _stage_can_join(account, room) -> bool:
    """A sandbox room's stand-in always can; a real Agora room only where the CSP admits
    Agora's gateways (settings.AGORA_CSP_GATEWAY_WILDCARDS). Otherwise the window would be
    charged for a stage that never connects."""
    sandbox = stand_in_url(account.base_url, room.app_id, room.channel) is not None
    return sandbox or settings.AGORA_CSP_GATEWAY_WILDCARDS


@team_view()
def picture(request, team, avatar_id):
    """An avatar's picture, relayed through our origin (the CSP lets images load only
    from it); only an avatar of the team's account, from the hour's list."""
    account = get_for_team(ProviderAccount, team, provider=Provider.A2E)
    try:
        found = {a["id"]: a for a in lookups.avatars(account)}.get(avatar_id)
    except UpstreamError as exc:
        return HttpResponse(exc.message, status=502, content_type="text/plain")
    if found is None or not found["picture"]:
        raise Http404("No picture for that avatar.")
    response = relay_response(
        client_for(account).stream(found["picture"]), name=f"avatar-{avatar_id}", provider="A2E"
    )
    # Listed an hour at a time, so kept by the browser as long: a list view is not a
    # fetch per avatar from A2E.
    patch_cache_control(response, private=True, max_age=lookups.AVATARS_TTL)
    return response


def _room(team, room_id):
    return get_for_team(
        Room.objects.select_related("account", "team", "opened_by"), team, pk=room_id
    )


@team_view()
def room_detail(request, team, room_id):
    room = _room(team, room_id)
    if request.htmx and request.htmx.target == "room-closing":
        # The "Leaving…" note polls until the room is closed, with what came back, then
        # the whole page reloads to show how it ended.
        if room.state == Room.State.LEAVING:
            return render(request, "avatars/room.html#closing", {"room": room})
        return HttpResponseClientRefresh()
    context = {
        "room": room,
        "transcript": room.utterances.select_related("sent_by"),
        "events": room.events.all(),
        "say_form": SayForm(),
    }
    can_talk = _runs(request, room)
    context["can_leave"] = request.membership.can_change
    if can_talk:
        current, error = talking.context(room)
        context["context_form"] = ContextForm(initial={"context": current})
        context["context_error"] = error
    context["can_talk"] = can_talk
    stand_in = None
    if can_talk and room.account is not None:
        stand_in = stand_in_url(room.account.base_url, room.app_id, room.channel)
    context["stand_in_url"] = stand_in
    response = render(request, "avatars/room.html", context)
    if can_talk:
        # The stage reaches Agora (or, for a sandbox room, its stand-in): this page only.
        response._csp_update = room_csp(origin(stand_in) if stand_in else None)
    return response


def _runs(request, room) -> bool:
    """Whether this person runs the live room: its opener, on a member's page. Only one
    page joins the stage, beats and sends the leave beacon, so a colleague who looks at
    the room and goes away does not end it, and no second page takes the room's uid."""
    return (
        room.is_live
        and room.account is not None
        and request.membership.can_change
        and room.opened_by_id == request.user.pk
    )


def _transcript(request, room, status=200):
    response = render(
        request,
        "avatars/room.html#transcript",
        {"room": room, "transcript": room.utterances.select_related("sent_by")},
        status=status,
    )
    return response


@change_view
@require_POST
def room_say(request, team, room_id):
    room = _room(team, room_id)
    form = SayForm(request.POST)
    kind = Utterance.Kind.ASK if request.POST.get("action") == "ask" else Utterance.Kind.SPEAK
    if not _runs(request, room):
        closed = not room.is_live
        messages.error(
            request,
            "This room is closed: nothing more can be said in it."
            if closed
            else "Only the person who opened the room speaks in it.",
        )
        return _to_room(request, room)
    if not form.is_valid():
        error = form.errors["text"][0]
        if request.htmx:
            response = HttpResponse(status=422)
            trigger_client_event(response, "toasts", [{"message": error, "level": "error"}])
            return response
        messages.error(request, error)
        return redirect(room)
    line = talking.say(room, kind, form.cleaned_data["text"], by=request.user)
    if request.htmx:
        response = _transcript(request, room)
        if line.error:
            trigger_client_event(
                response, "toasts", [{"message": f"A2E refused: {line.error}", "level": "error"}]
            )
        return response
    if line.error:
        messages.error(request, f"A2E refused: {line.error}")
    return redirect(room)


@change_view
@require_POST
def room_context(request, team, room_id):
    room = _room(team, room_id)
    form = ContextForm(request.POST)
    if not room.is_live:
        news = ("This room is closed.", "error")
    elif not _runs(request, room):
        news = ("Only the person who opened the room sets what it knows.", "error")
    elif not form.is_valid():
        news = (form.errors["context"][0], "error")
    else:
        refusal = talking.set_context(room, form.cleaned_data["context"])
        if refusal:
            news = (f"A2E did not take the context: {refusal}", "error")
        else:
            news = ("The avatar now answers from this context.", "success")
    if request.htmx and room.is_live:
        # The room's page stays (a reload would send the leave beacon): the editor is
        # swapped in place, keeping what was typed, and the news comes as a toast.
        typed = {"context": request.POST.get("context", "")}
        context = {"room": room, "context_form": ContextForm(initial=typed)}
        response = render(request, "avatars/room.html#knowledge", context)
        trigger_client_event(response, "toasts", [{"message": news[0], "level": news[1]}])
        return response
    getattr(messages, news[1])(request, news[0])
    return _to_room(request, room)


def _to_room(request, room):
    """Back to the room's page: a redirect, or for htmx (whose target is a part of the
    page, that the whole page must not be swapped into) a refresh, the room being
    closed, so no beacon goes with it."""
    return HttpResponseClientRefresh() if request.htmx else redirect(room)


@change_view
@require_POST
def room_leave(request, team, room_id):
    """Leave pressed (a form) or the page gone (a beacon on pagehide: reason=abandoned,
    answered 204 since nobody reads it)."""
    room = _room(team, room_id)
    beacon = request.POST.get("reason") == Room.Reason.ABANDONED
    if beacon and room.opened_by_id != request.user.pk:
        return HttpResponse(status=204)  # only the opener's page runs the room
    reason = Room.Reason.ABANDONED if beacon else Room.Reason.LEFT
    why = "its page was closed or left without Leave" if beacon else ""
    asked = leaving.request_leave(room, reason, by=request.user, why=why)
    if beacon:
        return HttpResponse(status=204)
    if asked:
        messages.success(request, "Leaving the room; the unused time comes back once A2E answers.")
    elif not room.is_closed:
        messages.info(request, "The room is already being left.")
    return redirect(room)


@change_view
@require_POST
def room_beat(request, team, room_id):
    """The room's page is open (every 10 s); answers the room's state so a page whose
    room was closed elsewhere stops."""
    room = _room(team, room_id)
    if room.opened_by_id == request.user.pk:
        opening.heartbeat(room)
    return JsonResponse(
        {"state": room.state, "ends_at": room.expires_at.isoformat() if room.expires_at else None}
    )


@team_view()
def history(request, team):
    rooms = Room.objects.for_team(team).select_related("team", "opened_by")
    page = Paginator(rooms, HISTORY_PAGE).get_page(request.GET.get("page"))
    return render(request, "avatars/history.html", {"page": page, "rooms": page.object_list})
