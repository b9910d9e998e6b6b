"""The webhook settings pages as team admins use them, and who else may not."""

import json
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jobs.tests.factories import JobFactory
from teams import crypto
from teams.models import Role
from teams.tests.factories import MembershipFactory, ProviderAccountFactory
from webhooks import delivery as sender
from webhooks import inbound, signing
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, EventType, InboundHook
from webhooks.tests.factories import (
    ENDPOINT_SECRET,
    DeliveryFactory,
    EndpointFactory,
    InboundEventFactory,
    InboundHookFactory,
)

SECRET_RE = re.compile(r"whsec_[A-Za-z0-9+/=]{32}")


def _url(name, team, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _form(url="https://hooks.example.com/voxboard", events=("job.completed",), **extra):
    return {"url": url, "description": "CI", "event_types": list(events), "enabled": "on", **extra}


def _secret_in(response) -> str:
    match = SECRET_RE.search(response.content.decode())
    assert match, "no secret on the page"
    return match.group(0)


def _all_pages(team, endpoint):
    return [
        _url("webhooks", team),
        _url("webhook_edit", team, endpoint_id=endpoint.pk),
        _url("webhook_deliveries", team, endpoint_id=endpoint.pk),
        _url("webhook_delete", team, endpoint_id=endpoint.pk),
    ]


# Who may


@pytest.fixture
def endpoint(team):
    return EndpointFactory(team=team)


READ_PAGES = ["webhooks", "webhook_create", "webhook_edit", "webhook_deliveries", "webhook_delete"]


def _page(name, team, endpoint):
    if name in ("webhooks", "webhook_create"):
        return _url(name, team)
    return _url(name, team, endpoint_id=endpoint.pk)


@pytest.mark.parametrize("name", READ_PAGES)
def test_anonymous_people_are_sent_to_log_in(client, team, endpoint, name):
    response = client.get(_page(name, team, endpoint))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_another_teams_admin_gets_404(team, endpoint, other_team, name):
    outsider = MembershipFactory(team=other_team, role=Role.OWNER)
    client = Client()
    client.force_login(outsider.user)
    assert client.get(_page(name, team, endpoint)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
def test_viewers_and_members_may_not_even_look(viewer_client, member_client, team, endpoint, name):
    assert viewer_client.get(_page(name, team, endpoint)).status_code == 403
    assert member_client.get(_page(name, team, endpoint)).status_code == 403


@pytest.mark.parametrize("name", READ_PAGES)
def test_admins_and_owners_see_the_pages(admin_client_, owner_client, team, endpoint, name):
    assert admin_client_.get(_page(name, team, endpoint)).status_code == 200
    assert owner_client.get(_page(name, team, endpoint)).status_code == 200


def test_the_settings_nav_shows_webhooks_to_admins_only(owner_client, viewer_client, team):
    url = _url("team_settings", team)
    assert _url("webhooks", team) in owner_client.get(url).content.decode()
    assert _url("webhooks", team) not in viewer_client.get(url).content.decode()


def test_a_viewer_cannot_add_an_endpoint(viewer_client, team):
    assert viewer_client.post(_url("webhook_create", team), _form()).status_code == 403
    assert not Endpoint.objects.exists()


# Endpoints and their secret


def test_adding_an_endpoint_shows_its_secret_once(admin_client_, team):
    response = admin_client_.post(_url("webhook_create", team), _form())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = _secret_in(response)
    endpoint = Endpoint.objects.get()
    assert endpoint.team == team and endpoint.event_types == ["job.completed"]
    assert endpoint.get_secret() == secret
    for url in _all_pages(team, endpoint):
        body = admin_client_.get(url).content.decode()
        assert secret not in body, url
        assert SECRET_RE.search(body) is None, url
    assert secret[-4:] in admin_client_.get(_url("webhooks", team)).content.decode()


def test_the_secret_is_not_stored_in_plaintext(admin_client_, team):
    secret = _secret_in(admin_client_.post(_url("webhook_create", team), _form()))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM webhooks_endpoint")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert secret not in row and secret[6:-4] not in row


def test_rolling_the_secret_shows_the_new_one_once_and_drops_the_old(admin_client_, team, endpoint):
    old = endpoint.get_secret()
    response = admin_client_.post(_url("webhook_roll_secret", team, endpoint_id=endpoint.pk))
    new = _secret_in(response)
    endpoint.refresh_from_db()
    assert new != old and endpoint.get_secret() == new
    assert (
        new
        not in admin_client_.get(
            _url("webhook_edit", team, endpoint_id=endpoint.pk)
        ).content.decode()
    )


def test_editing_changes_url_events_and_enabled(admin_client_, team, endpoint):
    response = admin_client_.post(
        _url("webhook_edit", team, endpoint_id=endpoint.pk),
        {"url": "https://hooks.example.com/v2", "event_types": ["voice.created", "voice.deleted"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/v2"
    assert endpoint.event_types == ["voice.created", "voice.deleted"]
    assert endpoint.enabled is False


def test_re_enabling_clears_the_reason_it_was_disabled(admin_client_, team):
    endpoint = EndpointFactory(team=team, enabled=False, disabled_reason="Answered 410 Gone.")
    admin_client_.post(_url("webhook_edit", team, endpoint_id=endpoint.pk), _form())
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://internal.example.com/hook", "10.0.0.1, a private address"),
        ("http://sneaky.example.com/hook", "link-local"),
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://[::ffff:10.1.2.3]/hook", "private"),
        ("ftp://hooks.example.com/hook", "Use an http:// or https:// address"),
        ("https://user:pass@hooks.example.com/hook", "Leave credentials out"),
        ("https://nowhere.example.com/hook", "cannot be resolved"),
    ],
)
def test_an_unsafe_or_bad_url_is_refused_with_a_reason(admin_client_, team, url, message):
    response = admin_client_.post(_url("webhook_create", team), _form(url=url))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Endpoint.objects.exists()


def test_loopback_is_accepted_when_the_setting_allows_it(admin_client_, team, allow_loopback):
    response = admin_client_.post(_url("webhook_create", team), _form(url="http://127.0.0.1:9000/"))
    assert response.status_code == 200 and Endpoint.objects.count() == 1


def test_an_endpoint_needs_at_least_one_event(admin_client_, team):
    response = admin_client_.post(_url("webhook_create", team), _form(events=()))
    assert "Pick at least one event" in response.content.decode()


def test_the_test_event_is_not_offered_as_a_subscription(admin_client_, team):
    body = admin_client_.get(_url("webhook_create", team)).content.decode()
    assert 'value="job.completed"' in body and 'value="webhook.test"' not in body


def test_deleting_asks_first_then_deletes(admin_client_, team, endpoint):
    url = _url("webhook_delete", team, endpoint_id=endpoint.pk)
    assert "Delete this endpoint?" in admin_client_.get(url).content.decode()
    assert Endpoint.objects.exists()
    assert admin_client_.post(url).status_code == 302
    assert not Endpoint.objects.exists()


# Test events, deliveries and redelivery


def test_send_test_event_queues_a_delivery_after_commit(
    admin_client_, team, endpoint, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(_url("webhook_test", team, endpoint_id=endpoint.pk))
    assert response["Location"] == _url("webhook_deliveries", team, endpoint_id=endpoint.pk)
    d = Delivery.objects.get()
    assert d.event_type == EventType.TEST and d.payload["data"]["sent_by"]
    assert enqueued == [("webhooks.send_delivery", (d.pk,), {"holder": d.holder})]


def test_a_disabled_endpoint_gets_no_test_event(admin_client_, team):
    endpoint = EndpointFactory(team=team, enabled=False)
    admin_client_.post(_url("webhook_test", team, endpoint_id=endpoint.pk))
    assert not Delivery.objects.exists()


def test_the_deliveries_page_shows_each_attempt(admin_client_, team, endpoint, clock):
    d = DeliveryFactory(endpoint=endpoint, attempts=1, last_error="HTTP 503")
    DeliveryAttempt.objects.create(
        delivery=d, at=clock.now, status_code=503, duration_ms=42, response_excerpt="busy now"
    )
    body = admin_client_.get(_url("webhook_deliveries", team, endpoint_id=endpoint.pk)).content
    body = body.decode()
    assert d.msg_id in body and "HTTP 503" in body and "busy now" in body and "42 ms" in body


def test_the_deliveries_page_and_its_htmx_list_say_they_differ_by_the_htmx_header(
    admin_client_, team, endpoint
):
    # Without Vary, a browser's back button or a cache could show the bare list as the
    # whole page after a Refresh.
    url = _url("webhook_deliveries", team, endpoint_id=endpoint.pk)
    for headers in ({}, {"HX-Request": "true"}):
        response = admin_client_.get(url, headers=headers)
        assert "HX-Request" in response.get("Vary", ""), headers


def test_deliveries_say_results_in_words_and_keep_ids_and_codes_in_details(
    admin_client_, team, endpoint, clock
):
    d = DeliveryFactory(endpoint=endpoint, attempts=2, last_error="HTTP 503", last_status_code=503)
    DeliveryAttempt.objects.create(delivery=d, at=clock.now, status_code=503, duration_ms=42)
    DeliveryAttempt.objects.create(delivery=d, at=clock.now, error="ConnectError: [Errno 111]")
    page = admin_client_.get(_url("webhook_deliveries", team, endpoint_id=endpoint.pk)).content
    page = page.decode()
    shown = re.sub(r'(?s)<details class="small">.*?</details>', "", page)
    assert "Refused by your receiver" in shown and "Could not reach your receiver" in shown
    for technical in ("webhook-id", d.msg_id, "HTTP 503", "ConnectError", '"type"'):
        assert technical not in shown
    details = page.split('<details class="small">')[1]
    assert "webhook-id" in details and d.msg_id in details and "HTTP 503" in details


def _make_deliveries(endpoint, n):
    rows = Delivery.objects.bulk_create(
        [Delivery(endpoint=endpoint, event_type="job.completed", body="{}") for _ in range(n)]
    )
    DeliveryAttempt.objects.bulk_create(
        [DeliveryAttempt(delivery=d, at=d.created_at, status_code=500) for d in rows]
    )


def _queries(client, url):
    client.get(url)  # the first visit also records the current team in the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_deliveries_page_costs_the_same_queries_at_5_and_500(admin_client_, team):
    few, many = EndpointFactory(team=team), EndpointFactory(team=team)
    _make_deliveries(few, 5)
    _make_deliveries(many, 500)
    assert _queries(admin_client_, _url("webhook_deliveries", team, endpoint_id=few.pk)) == (
        _queries(admin_client_, _url("webhook_deliveries", team, endpoint_id=many.pk))
    )


def test_the_webhooks_page_costs_the_same_queries_at_5_and_500_endpoints(
    admin_client_, team, other_team
):
    secret = crypto.encrypt("whsec_x")
    for t, n in ((team, 5), (other_team, 500)):
        Endpoint.objects.bulk_create(
            [
                Endpoint(team=t, url=f"https://h.example.com/{i}", secret_encrypted=secret)
                for i in range(n)
            ]
        )
    small = _queries(admin_client_, _url("webhooks", team))
    Endpoint.objects.filter(team=other_team).update(team=team)
    assert _queries(admin_client_, _url("webhooks", team)) == small


def test_redeliver_queues_a_manual_attempt_with_the_same_id(
    admin_client_, team, endpoint, clock, enqueued, django_capture_on_commit_callbacks
):
    d = DeliveryFactory(endpoint=endpoint, status="failed", next_attempt_at=None, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(_url("webhook_redeliver", team, delivery_id=d.pk))
    assert response["Location"] == _url("webhook_deliveries", team, endpoint_id=endpoint.pk)
    d.refresh_from_db()
    assert d.status == "pending" and d.next_attempt_at == clock.now
    assert enqueued == [("webhooks.send_delivery", (d.pk,), {"holder": d.holder, "manual": True})]


def test_redeliver_over_htmx_answers_with_the_delivery_card(
    admin_client_, team, endpoint, enqueued
):
    d = DeliveryFactory(endpoint=endpoint, status="succeeded", next_attempt_at=None)
    response = admin_client_.post(
        _url("webhook_redeliver", team, delivery_id=d.pk), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<details class="card delivery" id="delivery-{d.pk}"')
    assert "Pending" in body and "toasts" in response["HX-Trigger"]


def test_redeliver_is_refused_while_an_attempt_is_in_flight(
    admin_client_, team, endpoint, enqueued
):
    d = DeliveryFactory(endpoint=endpoint)
    assert sender.take(d.pk)
    response = admin_client_.post(_url("webhook_redeliver", team, delivery_id=d.pk), follow=True)
    assert "An attempt is in progress" in response.content.decode()
    assert enqueued == []


# Inbound hooks


def test_making_a_callback_address_shows_url_and_secret_once(admin_client_, team, a2e_account):
    response = admin_client_.post(_url("inbound_hook_create", team, account_id=a2e_account.pk))
    secret = _secret_in(response)
    hook = InboundHook.objects.get(account=a2e_account)
    inbound_url = reverse("webhook_inbound", kwargs={"provider": "a2e", "token": hook.token})
    assert inbound_url in response.content.decode()
    assert hook.get_secret() == secret
    page = admin_client_.get(_url("webhooks", team)).content.decode()
    assert inbound_url in page and secret not in page and secret[-4:] in page


def test_replacing_a_callback_address_changes_token_and_secret(admin_client_, team, a2e_account):
    hook = InboundHookFactory(account=a2e_account)
    old_token, old_secret = hook.token, hook.get_secret()
    admin_client_.post(_url("inbound_hook_create", team, account_id=a2e_account.pk))
    hook.refresh_from_db()
    assert hook.token != old_token and hook.get_secret() != old_secret
    assert InboundHook.objects.count() == 1


def test_deleting_a_callback_address_asks_first(admin_client_, team, a2e_account):
    InboundHookFactory(account=a2e_account)
    url = _url("inbound_hook_delete", team, account_id=a2e_account.pk)
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.post(url).status_code == 302
    assert not InboundHook.objects.exists()


def test_another_teams_account_gets_no_callback_address(admin_client_, team, other_team):
    theirs = ProviderAccountFactory(team=other_team)
    response = admin_client_.post(_url("inbound_hook_create", team, account_id=theirs.pk))
    assert response.status_code == 404 and not InboundHook.objects.exists()


def test_recent_callbacks_say_what_the_provider_told_in_words(admin_client_, team, a2e_account):
    hook = InboundHookFactory(account=a2e_account)
    body = {"kind": "dubbing", "id": "r1", "status": "completed", "record": {}}
    InboundEventFactory(
        hook=hook,
        webhook_id="msg_abc123",
        event_type="a2e.dubbing.completed",
        payload={"type": "a2e.dubbing.completed", "data": body},
    )
    InboundEventFactory(hook=hook, webhook_id="msg_def456", event_type="", payload={})
    page = admin_client_.get(_url("webhooks", team)).content.decode()
    table = page.split("<h3>Recent callbacks</h3>")[1]
    shown = re.sub(r"(?s)<details.*?</details>", "", table)
    assert "Dubbing finished" in shown and "Status update" in shown
    assert "a2e.dubbing.completed" not in shown and "msg_abc123" not in shown
    assert "<code>a2e.dubbing.completed</code>" in table  # kept in the collapsed Details


def _signed_callback(hook, remote_id, msg_id):
    record = {"_id": remote_id, "name": "Trailer", "current_status": "processing"}
    data = {"kind": "dubbing", "id": remote_id, "status": "processing", "record": record}
    body = json.dumps({"type": "a2e.dubbing.processing", "data": data}).encode()
    headers = signing.signed_headers(ENDPOINT_SECRET, msg_id, int(time.time()), body)
    event, _created = inbound.receive(hook, headers, body)
    inbound.process(event.pk, event.holder)


def test_recent_callbacks_say_which_job_they_moved_and_link_to_it(admin_client_, team, a2e_account):
    hook = InboundHookFactory(account=a2e_account)
    job = JobFactory(team=team, account=a2e_account, label="Spring teaser", remote_id="d-7")
    _signed_callback(hook, "d-7", "msg_ours")
    _signed_callback(hook, "d-unknown", "msg_stranger")
    page = admin_client_.get(_url("webhooks", team)).content.decode()
    table = re.sub(r"(?s)<details.*?</details>", "", page.split("<h3>Recent callbacks</h3>")[1])
    assert f'Applied to <a href="{job.get_absolute_url()}">Spring teaser</a>' in table
    assert "Not matched to any job here" in table
    assert "Processed" not in table and "Unhandled" not in table
