"""The avatar console against the sandbox over real HTTP: opening a room with its cost
said first, speaking, asking and the Q&A context in its transcript, and every way a room
ends in a leave A2E acknowledges, with the coins read back. Bad input sends nothing."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from avatars import leaving
from avatars.models import Room, Utterance
from avatars.tests.conftest import LILY, MARCUS
from avatars.tests.factories import RoomFactory
from webhooks.models import Delivery, EventType
from webhooks.tests.factories import EndpointFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _open(client, team, avatar=LILY, minutes=2):
    return client.post(_url(team, "avatars_open"), {"avatar": avatar, "minutes": minutes})


def _calls(log, path_end):
    return [r for r in log if r["path"].endswith(path_end)]


def _sent(row):
    return json.loads(row["json"]) if isinstance(row["json"], str) else row["json"]


def test_the_list_shows_avatars_and_what_a_room_costs(member_client, team, a2e, coins):
    html = member_client.get(_url(team, "avatars")).content.decode()
    assert "Lily" in html and "Marcus" in html
    assert "whole length you choose, when the room opens" in html
    assert f'<strong id="coins-now">{coins():,g}</strong> coins now' in html  # "10,000"
    assert "Open room" in html


def test_viewers_see_avatars_but_cannot_open_rooms(viewer_client, team, a2e, a2e_log):
    html = viewer_client.get(_url(team, "avatars")).content.decode()
    assert "Lily" in html and "Open room" not in html
    a2e_log()
    assert _open(viewer_client, team).status_code == 403
    assert not Room.objects.exists()
    assert _calls(a2e_log(), "/agora-token") == []


def test_opening_writes_the_room_then_charges_the_whole_window(
    member_client, team, a2e, a2e_log, coins
):
    before = coins()
    response = _open(member_client, team, minutes=2)
    room = Room.objects.get()
    assert response.status_code == 302 and response["Location"] == room.get_absolute_url()
    assert room.state == Room.State.LIVE and room.channel and room.token
    (opened,) = _calls(a2e_log(), "/agora-token")
    assert _sent(opened) == {"avatar_id": LILY, "expire_seconds": 120}
    assert room.coins_charged == before - coins() > 0
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert f'data-channel="{room.channel}"' in page
    assert f"{_said(room.coins_charged)} charged for the whole window" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"avatar": LILY, "minutes": 0}, "A room stays open 1 to 10 minutes."),
        ({"avatar": LILY, "minutes": 11}, "A room stays open 1 to 10 minutes."),
        ({"avatar": "someone-elses-avatar", "minutes": 2}, "not one of this account"),
    ],
)
def test_bad_opening_input_is_refused_with_nothing_sent(
    member_client, team, a2e, a2e_log, data, message
):
    a2e_log()
    response = member_client.post(_url(team, "avatars_open"), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Room.objects.exists()
    assert _calls(a2e_log(), "/agora-token") == []


def test_a_fourth_room_is_refused_naming_the_open_ones(member_client, team, a2e, a2e_log):
    for avatar in (LILY, MARCUS, LILY):
        _open(member_client, team, avatar=avatar)
    a2e_log()
    response = _open(member_client, team, avatar=MARCUS)
    html = response.content.decode()
    assert response.status_code == 409
    assert "already has 3 rooms open (Lily, Marcus, Lily)" in html
    assert html.count('action="' + _url(team, "avatars_room_leave", room_id=1)[:-9]) >= 1
    assert Room.objects.count() == 3
    assert _calls(a2e_log(), "/agora-token") == []


def test_speak_and_ask_go_into_the_transcript_with_trace_ids(member_client, team, a2e, a2e_log):
    _open(member_client, team)
    room = Room.objects.get()
    say = _url(team, "avatars_room_say", room_id=room.pk)
    a2e_log()
    member_client.post(say, {"text": "Hello from the console", "action": "speak"})
    member_client.post(say, {"text": "What do you sell?", "action": "ask"}, HTTP_HX_REQUEST="true")
    speak, ask = room.utterances.order_by("pk")
    assert (speak.kind, speak.text) == (Utterance.Kind.SPEAK, "Hello from the console")
    assert ask.kind == Utterance.Kind.ASK and speak.trace_id and ask.trace_id
    log = a2e_log()
    assert _sent(_calls(log, "/streaming-avatar/speak")[0]) == {
        "channel": room.channel,
        "text": "Hello from the console",
    }
    assert len(_calls(log, "/streaming-avatar/ask")) == 1
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "Hello from the console" in page and speak.trace_id in page


def test_empty_text_is_refused_with_nothing_sent(member_client, team, a2e, a2e_log):
    _open(member_client, team)
    room = Room.objects.get()
    a2e_log()
    response = member_client.post(
        _url(team, "avatars_room_say", room_id=room.pk), {"text": "   ", "action": "speak"}
    )
    assert response.status_code == 302
    assert not Utterance.objects.exists()
    assert _calls(a2e_log(), "/speak") == []


def test_an_a2e_refusal_lands_in_the_transcript(member_client, team, a2e):
    _open(member_client, team)
    room = Room.objects.get()
    from teams.connection import client_for

    # Closed at A2E behind our back: A2E refuses to speak in it (HTTP 400).
    client_for(a2e).leave_avatar_room(room.channel)
    response = member_client.post(
        _url(team, "avatars_room_say", room_id=room.pk),
        {"text": "Hello", "action": "speak"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    (line,) = Utterance.objects.all()
    assert line.error
    assert "A2E refused" in response.content.decode()


def test_the_qa_context_is_set_and_loaded_back(member_client, team, a2e, a2e_log):
    _open(member_client, team)
    room = Room.objects.get()
    context = _url(team, "avatars_room_context", room_id=room.pk)
    member_client.post(context, {"context": "We sell violins. Shop hours are 9 to 5."})
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "We sell violins. Shop hours are 9 to 5.</textarea>" in page
    a2e_log()
    member_client.post(context, {"context": "x" * 5001})
    assert _calls(a2e_log(), "/set-qa-context") == []
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "We sell violins." in page


def test_the_qa_context_is_set_in_place_so_the_page_never_unloads(member_client, team, a2e):
    # A full page load would fire the stage's pagehide beacon and leave the room.
    _open(member_client, team)
    room = Room.objects.get()
    page = member_client.get(room.get_absolute_url()).content.decode()
    context = _url(team, "avatars_room_context", room_id=room.pk)
    assert f'hx-post="{context}"' in page
    htmx = {"HX-Request": "true", "HX-Target": "knowledge"}
    response = member_client.post(context, {"context": "We sell violins."}, headers=htmx)
    assert response.status_code == 200
    assert (
        'id="knowledge"' in response.content.decode()
        and "We sell violins." in response.content.decode()
    )
    assert "answers from this context" in response["HX-Trigger"]
    response = member_client.post(context, {"context": "x" * 5001}, headers=htmx)
    assert "at most 5000 characters" in response["HX-Trigger"]
    room.refresh_from_db()
    assert room.state == Room.State.LIVE


def test_htmx_posts_to_a_closed_room_refresh_the_page_instead_of_nesting_it(member_client, team):
    room = RoomFactory(team=team, state=Room.State.LEFT)
    htmx = {"HX-Request": "true"}
    for name, data in [("avatars_room_say", {"text": "Hi"}), ("avatars_room_context", {})]:
        response = member_client.post(_url(team, name, room_id=room.pk), data, headers=htmx)
        assert response.status_code == 200 and response["HX-Refresh"] == "true"
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "This room is closed" in page


def test_leave_pressed_leaves_and_reads_the_refund_back(member_client, team, a2e, a2e_log, coins):
    EndpointFactory(team=team, event_types=[EventType.AVATAR_ROOM_CLOSED])
    _open(member_client, team, minutes=5)
    room = Room.objects.get()
    a2e_log()
    before = coins()
    member_client.post(_url(team, "avatars_room_leave", room_id=room.pk))
    # The worker's part, run here: one leave, acknowledged, with what came back.
    assert leaving.leave(room.pk) == "left"
    room.refresh_from_db()
    assert room.state == Room.State.LEFT and room.close_reason == Room.Reason.LEFT
    assert room.coins_refunded == coins() - before > 0
    assert len(_calls(a2e_log(), "/streaming-avatar/leave")) == 1
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "A2E acknowledged the leave." in page and "came back for the unused time" in page
    body = json.loads(Delivery.objects.get().body)
    assert body["type"] == "avatar.room.closed" and body["data"]["reason"] == "left"
    assert Activity.objects.filter(verb="avatar.room_closed").exists()
    assert leaving.leave(room.pk) == "not-due"  # a second message sends nothing


def test_the_leaving_note_polls_until_left_then_reloads(member_client, team):
    room = RoomFactory(team=team, state=Room.State.LEAVING)
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert 'id="room-closing"' in page and 'hx-trigger="every 1s"' in page
    poll = {"HX-Request": "true", "HX-Target": "room-closing"}
    response = member_client.get(room.get_absolute_url(), headers=poll)
    assert "Leaving…" in response.content.decode() and "HX-Refresh" not in response
    Room.objects.filter(pk=room.pk).update(state=Room.State.LEFT)
    response = member_client.get(room.get_absolute_url(), headers=poll)
    assert response["HX-Refresh"] == "true" and response.content == b""
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert 'id="room-closing"' not in page


def test_a_closed_tabs_beacon_leaves_the_room_as_abandoned(member_client, team, a2e):
    _open(member_client, team)
    room = Room.objects.get()
    response = member_client.post(
        _url(team, "avatars_room_leave", room_id=room.pk), {"reason": "abandoned"}
    )
    assert response.status_code == 204
    room.refresh_from_db()
    assert room.state == Room.State.LEAVING and room.close_reason == Room.Reason.ABANDONED
    # Said as it happened: the page went, its heartbeat had not stopped.
    leaving_line = room.events.get(text__startswith="Leaving").text
    assert leaving_line.endswith(": its page was closed or left without Leave.")


def test_a_room_without_heartbeats_is_left_by_the_sweep(member_client, team, a2e, a2e_log):
    _open(member_client, team)
    room = Room.objects.get()
    beat = _url(team, "avatars_room_beat", room_id=room.pk)
    assert member_client.post(beat).json()["state"] == "live"
    later = timezone.now() + timedelta(seconds=31)
    assert leaving.sweep(now=later)["abandoned"] == 1
    assert leaving.leave(room.pk, now=later) == "left"
    room.refresh_from_db()
    assert (room.state, room.close_reason) == (Room.State.LEFT, Room.Reason.ABANDONED)
    assert member_client.post(beat).json()["state"] == "left"


def test_a_beating_room_is_not_left(member_client, team, a2e):
    _open(member_client, team)
    room = Room.objects.get()
    member_client.post(_url(team, "avatars_room_beat", room_id=room.pk))
    assert leaving.sweep(now=timezone.now() + timedelta(seconds=20))["abandoned"] == 0
    room.refresh_from_db()
    assert room.state == Room.State.LIVE


def test_an_expired_room_is_marked_expired_and_still_left(member_client, team, a2e, a2e_log):
    _open(member_client, team, minutes=1)
    room = Room.objects.get()
    Room.objects.filter(pk=room.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    a2e_log()
    assert leaving.sweep()["expired"] == 1
    assert leaving.leave(room.pk) == "left"
    room.refresh_from_db()
    assert room.state == Room.State.EXPIRED
    assert len(_calls(a2e_log(), "/streaming-avatar/leave")) == 1


def test_a_failing_leave_is_tried_again_until_a2e_answers(member_client, team, a2e, control):
    _open(member_client, team)
    room = Room.objects.get()
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/streaming-avatar/leave", "status": {"503": 1.0}, "times": 2},
    ).raise_for_status()
    leaving.request_leave(room, Room.Reason.LEFT)
    now = timezone.now()
    assert leaving.leave(room.pk, now=now) == "retry"
    room.refresh_from_db()
    assert room.state == Room.State.LEAVING and room.leave_next_at > now
    assert leaving.leave(room.pk, now=now) == "not-due"  # waits its turn
    later = room.leave_next_at
    assert leaving.leave(room.pk, now=later) == "retry"
    room.refresh_from_db()
    assert room.leave_next_at - later > timedelta(seconds=2)  # the wait grows
    assert leaving.leave(room.pk, now=room.leave_next_at) == "left"
    room.refresh_from_db()
    assert room.state == Room.State.LEFT and room.leave_attempts == 3


def test_a_leave_whose_answer_was_lost_is_not_a_failure(member_client, team, a2e):
    _open(member_client, team)
    room = Room.objects.get()
    from teams.connection import client_for

    client_for(a2e).leave_avatar_room(room.channel)  # acknowledged, but we never heard
    leaving.request_leave(room, Room.Reason.LEFT)
    assert leaving.leave(room.pk) == "left"
    room.refresh_from_db()
    assert room.state == Room.State.LEFT
    assert "already closed" in room.events.last().text or room.events.filter(
        text__contains="already closed"
    )


def test_history_lists_who_which_avatar_how_long_and_coins(viewer_client, team):
    RoomFactory(
        team=team,
        avatar_name="Lily",
        state=Room.State.LEFT,
        coins_charged=5,
        coins_refunded=2,
        left_at=timezone.now(),
    )
    html = viewer_client.get(_url(team, "avatars_history")).content.decode()
    assert "Lily" in html and ">3<" in html.replace(" ", "")


def test_the_room_page_lets_the_stage_reach_only_its_stand_in(
    member_client, viewer_client, team, a2e, sandbox_url
):
    _open(member_client, team)
    room = Room.objects.get()
    response = member_client.get(room.get_absolute_url())
    policy = response["Content-Security-Policy"]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    assert sandbox_url in connect and "*" not in connect
    html = response.content.decode()
    assert f'data-stand-in-url="{sandbox_url}/a2e/' in html
    assert "AgoraRTC_N-production.js" not in html  # a sandbox room needs no Agora
    # A viewer watches: no stage, no room key, no way to speak or leave.
    html = viewer_client.get(room.get_absolute_url()).content.decode()
    assert "avatar-stage" not in html and room.token not in html
    assert 'value="speak"' not in html and f"/rooms/{room.pk}/leave/" not in html
    assert sandbox_url not in viewer_client.get(room.get_absolute_url())["Content-Security-Policy"]


def test_a_closed_room_names_its_reason_only_when_the_state_does_not(member_client, team):
    left = RoomFactory(team=team, state=Room.State.LEFT, close_reason=Room.Reason.LEFT)
    gone = RoomFactory(team=team, state=Room.State.LEFT, close_reason=Room.Reason.ABANDONED)
    assert "(left)" not in member_client.get(left.get_absolute_url()).content.decode()
    assert "(abandoned)" in member_client.get(gone.get_absolute_url()).content.decode()


def test_only_the_opener_runs_the_room_a_colleague_cannot_end_it_by_leaving(
    member_client, admin_client_, team, a2e, a2e_log
):
    _open(member_client, team)
    room = Room.objects.get()
    html = admin_client_.get(room.get_absolute_url()).content.decode()
    # A colleague sees the room without its stage or key, and may leave it on purpose.
    assert "avatar-stage" not in html and room.token not in html
    assert "Leave it for them" in html
    leave = _url(team, "avatars_room_leave", room_id=room.pk)
    assert admin_client_.post(leave, {"reason": "abandoned"}).status_code == 204
    room.refresh_from_db()
    assert room.state == Room.State.LIVE  # their page going away ends nothing
    a2e_log()
    say = _url(team, "avatars_room_say", room_id=room.pk)
    admin_client_.post(say, {"text": "Hello", "action": "speak"})
    assert not Utterance.objects.exists() and _calls(a2e_log(), "/speak") == []
    admin_client_.post(leave)
    room.refresh_from_db()
    assert (room.state, room.close_reason) == (Room.State.LEAVING, Room.Reason.LEFT)


def test_a_blank_context_is_refused_with_nothing_sent(member_client, team, a2e, a2e_log):
    _open(member_client, team)
    room = Room.objects.get()
    a2e_log()
    member_client.post(_url(team, "avatars_room_context", room_id=room.pk), {"context": "   \n "})
    assert _calls(a2e_log(), "/set-qa-context") == []


def test_a_room_whose_account_was_disconnected_still_shows(member_client, team, a2e):
    _open(member_client, team)
    room = Room.objects.get()
    Room.objects.filter(pk=room.pk).update(account=None)
    response = member_client.get(room.get_absolute_url())
    assert response.status_code == 200 and "avatar-stage" not in response.content.decode()


def test_a_room_a2e_opened_after_the_opening_was_given_up_is_left(
    member_client, team, a2e, monkeypatch
):
    from providers.a2e import A2EClient

    real = A2EClient.open_avatar_room

    def slow(self, avatar_id, expire_seconds):
        opened = real(self, avatar_id, expire_seconds)
        leaving.sweep(now=timezone.now() + timedelta(minutes=10))  # gave the opening up
        return opened

    monkeypatch.setattr(A2EClient, "open_avatar_room", slow)
    _open(member_client, team)
    room = Room.objects.get()
    assert room.state == Room.State.LEAVING and room.channel
    assert leaving.leave(room.pk) == "left"


@pytest.mark.parametrize("gateways", [False, True])
def test_a_real_agora_room_is_left_at_once_where_the_csp_shuts_agora_out(
    member_client, team, a2e, monkeypatch, settings, gateways
):
    # The sandbox answers its own appId; a real A2E answers Agora's: no stand-in then.
    monkeypatch.setattr("avatars.views.stand_in_url", lambda *args: None)
    settings.AGORA_CSP_GATEWAY_WILDCARDS = gateways
    _open(member_client, team)
    room = Room.objects.get()
    assert room.state == (Room.State.LIVE if gateways else Room.State.LEAVING)
    if not gateways:
        page = member_client.get(room.get_absolute_url(), follow=True).content.decode()
        assert "AGORA_CSP_GATEWAY_WILDCARDS" in page


def test_the_avatar_list_is_kept_an_hour_and_refresh_reads_it_again(
    member_client, team, a2e, a2e_log
):
    a2e_log()
    member_client.get(_url(team, "avatars"))
    member_client.get(_url(team, "avatars"))
    assert len(_calls(a2e_log(), "/all_avatars")) == 1
    member_client.post(_url(team, "avatars_refresh"))
    member_client.get(_url(team, "avatars"))
    assert len(_calls(a2e_log(), "/all_avatars")) == 1


@pytest.mark.parametrize("how", ["beacon", "no heartbeat", "expiry"])
def test_the_closed_webhook_carries_why_the_room_ended(member_client, team, a2e, how):
    EndpointFactory(team=team, event_types=[EventType.AVATAR_ROOM_CLOSED])
    _open(member_client, team)
    room = Room.objects.get()
    later = timezone.now() + timedelta(seconds=31)
    if how == "beacon":
        member_client.post(
            _url(team, "avatars_room_leave", room_id=room.pk), {"reason": "abandoned"}
        )
    elif how == "no heartbeat":
        leaving.sweep(now=later)
    else:
        Room.objects.filter(pk=room.pk).update(expires_at=timezone.now())
        leaving.sweep()
    assert leaving.leave(room.pk, now=later) == "left"
    body = json.loads(Delivery.objects.get().body)
    expected = {"beacon": "abandoned", "no heartbeat": "abandoned", "expiry": "expired"}[how]
    assert body["data"]["reason"] == expected
    assert body["data"]["state"] == ("expired" if how == "expiry" else "left")


def test_opening_is_in_the_activity_log_refused_or_not(member_client, team, a2e, control):
    _open(member_client, team)
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/streaming-avatar/agora-token", "status": {"500": 1.0}},
    ).raise_for_status()
    _open(member_client, team, avatar=MARCUS)
    entries = Activity.objects.filter(verb="avatar.room_opened").order_by("pk")
    assert [e.outcome for e in entries] == ["ok", "failed"]


def test_the_rooms_history_costs_the_same_queries_at_5_and_500(viewer_client, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert viewer_client.get(_url(team, "avatars_history")).status_code == 200
        return len(seen)

    for _ in range(5):
        RoomFactory(team=team, state=Room.State.LEFT)
    queries()  # the first visit also saves the session's team
    small = queries()
    Room.objects.bulk_create(
        [Room(team=team, avatar_id=f"a{i}", minutes=2, state=Room.State.LEFT) for i in range(495)]
    )
    assert queries() == small


def _two_live_rooms_and_a_closed_one(client, team):
    _open(client, team, avatar=LILY)
    _open(client, team, avatar=MARCUS)
    RoomFactory(team=team, state=Room.State.LEFT)
    return list(Room.objects.filter(state=Room.State.LIVE))


def test_disconnecting_a2e_leaves_every_live_room_first(owner_client, team, a2e, a2e_log):
    live = _two_live_rooms_and_a_closed_one(owner_client, team)
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": a2e.pk})
    page = owner_client.get(url).content.decode()
    assert page.count("Avatar room with") == 2 and "Lily" in page and "Marcus" in page
    a2e_log()
    response = owner_client.post(url, {"stop_running": "1"}, follow=True)
    leaves = _calls(a2e_log(), "/streaming-avatar/leave")
    assert sorted(_sent(r)["channel"] for r in leaves) == sorted(r.channel for r in live)
    for room in live:
        room.refresh_from_db()
        assert room.state == Room.State.LEFT and room.left_at is not None
    said = [str(m) for m in response.context["messages"]]
    assert "Stopped the 2 jobs still running at A2E." in said[0]


def test_a_room_a2e_will_not_leave_is_named_when_a2e_is_disconnected(
    owner_client, team, a2e, control
):
    _open(owner_client, team, avatar=LILY)
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/streaming-avatar/leave", "status": {"503": 1.0}, "times": 8},
    ).raise_for_status()
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": a2e.pk})
    response = owner_client.post(url, {"stop_running": "1"}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert "The job still running at A2E could not be stopped." in said[0]
    assert "Not stopped: the avatar room with Lily was not left" in said[1]


def test_deleting_the_team_leaves_every_live_room_first(owner_client, team, a2e, a2e_log):
    live = _two_live_rooms_and_a_closed_one(owner_client, team)
    url = reverse("team_delete", kwargs={"team": team.slug})
    page = owner_client.get(url).content.decode()
    assert "Left first" in page and page.count("Avatar room with") == 2
    a2e_log()
    response = owner_client.post(url, {"confirm_name": team.name})
    assert response.status_code == 302
    leaves = _calls(a2e_log(), "/streaming-avatar/leave")
    assert sorted(_sent(r)["channel"] for r in leaves) == sorted(r.channel for r in live)
    assert not Room.objects.exists()


def test_a_room_opened_twice_at_once_is_opened_and_charged_once(member, team, a2e, a2e_log):
    from jobs.once import new_key
    from jobs.tests.concurrent import twins

    a2e_log()
    data = {"avatar": LILY, "minutes": 2, "once": new_key()}
    answers = twins(member.user, _url(team, "avatars_open"), data)
    room = Room.objects.get()
    assert [a["Location"] for a in answers] == [room.get_absolute_url()] * 2
    assert len(_calls(a2e_log(), "/agora-token")) == 1


def test_two_rooms_opened_with_their_own_keys_are_both_opened(member_client, team, a2e):
    from jobs.once import new_key

    for _ in range(2):
        data = {"avatar": LILY, "minutes": 2, "once": new_key()}
        member_client.post(_url(team, "avatars_open"), data)
    assert Room.objects.filter(state=Room.State.LIVE).count() == 2


def _said(amount: float) -> str:
    """Coins as a page says them: "1 coin", "2 coins"."""
    return f"{amount:g} coin{'' if amount == 1 else 's'}"


def _history_coins(client, team) -> dict[str, str]:
    """Each room's "Coins spent" cell in the rooms history, by the room's link."""
    html = client.get(_url(team, "avatars_history")).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = re.findall(
        r'<tr>\s*<td><a href="([^"]+)">.*?<td class="num"[^>]*>(.*?)</td>', body, re.S
    )
    return {link: re.sub(r"<[^>]+>", "", cell).strip() for link, cell in rows}


def _leave(client, team, room):
    client.post(_url(team, "avatars_room_leave", room_id=room.pk))
    assert leaving.leave(room.pk) == "left"


def test_overlapping_rooms_each_show_their_own_coins_and_add_up_to_the_accounts_loss(
    member_client, team, a2e, coins
):
    # A opens, B opens, A leaves, B leaves: the sandbox's balance between the steps says
    # what it charged and refunded each room.
    balance = [coins()]
    _open(member_client, team, avatar=LILY, minutes=2)
    balance.append(coins())
    _open(member_client, team, avatar=MARCUS, minutes=3)
    balance.append(coins())
    a, b = Room.objects.order_by("pk")
    _leave(member_client, team, a)
    balance.append(coins())
    _leave(member_client, team, b)
    balance.append(coins())
    c0, c1, c2, c3, c4 = balance
    spent = {a: (c0 - c1) - (c3 - c2), b: (c1 - c2) - (c4 - c3)}
    assert spent[a] > 0 and spent[b] > 0
    for room, amount in spent.items():
        page = member_client.get(room.get_absolute_url()).content.decode()
        assert f"{_said(amount)} spent" in page
    history = _history_coins(member_client, team)
    assert history == {room.get_absolute_url(): f"{amount:g}" for room, amount in spent.items()}
    assert sum(float(cell) for cell in history.values()) == c0 - c4


def test_a_one_minute_room_shows_its_own_charge_while_another_room_opens(
    member_client, team, a2e, coins
):
    before = coins()
    _open(member_client, team, avatar=LILY, minutes=1)
    charged = before - coins()
    _open(member_client, team, avatar=MARCUS, minutes=1)  # charged to the account meanwhile
    room = Room.objects.order_by("pk").first()
    _leave(member_client, team, room)
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert charged == 1 and "1 coin spent" in page and "2 coins spent" not in page


def test_a_room_opened_during_anothers_leave_waits_so_neither_counts_the_other(
    member, member_client, team, a2e, coins, monkeypatch
):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import Client

    from providers.a2e import A2EClient
    from sandbox.a2e import COINS_PER_ROOM_MINUTE as PER_MINUTE

    start = coins()
    _open(member_client, team, avatar=LILY, minutes=2)
    a = Room.objects.get()
    leaving.request_leave(a, Room.Reason.LEFT)
    # B's opening is sent while A's leave is on its way to A2E: it waits (sleeping) for
    # A's coins to be read, or, unserialised, is charged between them.
    second, waiting, done = Client(), threading.Event(), threading.Event()
    second.force_login(member.user)
    real_sleep, real_leave = time.sleep, A2EClient.leave_avatar_room

    def open_b():
        try:
            return _open(second, team, avatar=MARCUS, minutes=2)
        finally:
            done.set()
            connection.close()

    def sleep(seconds):
        if threading.current_thread() is not threading.main_thread():
            waiting.set()
        real_sleep(seconds)

    with ThreadPoolExecutor(1) as pool:

        def leave_while_b_opens(self, channel):
            b = pool.submit(open_b)
            while not (waiting.is_set() or done.is_set()):
                done.wait(0.01)
            leave_while_b_opens.b = b
            return real_leave(self, channel)

        monkeypatch.setattr(time, "sleep", sleep)
        monkeypatch.setattr(A2EClient, "leave_avatar_room", leave_while_b_opens)
        assert leaving.leave(a.pk) == "left"
        leave_while_b_opens.b.result()
    a.refresh_from_db()
    b = Room.objects.get(avatar_id=MARCUS)
    # Each as the sandbox priced it: A charged 2 minutes and given 1 back (left within
    # its first), B charged its 2 minutes.
    assert (a.coins_charged, a.coins_refunded) == (2 * PER_MINUTE, PER_MINUTE)
    assert b.coins_charged == 2 * PER_MINUTE and b.state == Room.State.LIVE
    assert start - coins() == a.coins_spent + b.coins_spent
    page = member_client.get(a.get_absolute_url()).content.decode()
    assert f"{_said(PER_MINUTE)} spent" in page


def test_a_room_whose_coins_could_not_be_read_says_so_rather_than_a_wrong_figure(
    member_client, team, a2e, control
):
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/user/remainingCoins", "status": {"500": 1.0}, "times": 1},
    ).raise_for_status()
    _open(member_client, team, minutes=2)  # the read just before it fails
    room = Room.objects.get()
    _leave(member_client, team, room)
    page = member_client.get(room.get_absolute_url()).content.decode()
    assert "coins spent not known" in page
    assert "What this room cost is not known: A2E&#x27;s coins could not be read" in page
    assert _history_coins(member_client, team) == {room.get_absolute_url(): "not known"}
