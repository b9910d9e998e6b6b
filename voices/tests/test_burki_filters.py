"""The catalog's Burki status and host filters, and a Refresh that asks Burki for just
what they show: through the catalog page, against the sandbox over real HTTP."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from voices import sync
from voices.models import SyncRun, Voice

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ORGANISATION_LIST = "/api/v1/assistants/cloned-voices"


@pytest.fixture
def burki_log(control):
    """The sandbox's Burki requests since the last call (each call clears the log)."""

    def read() -> list[dict]:
        log = control.get("/_sandbox/requests", params={"provider": "burki"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return log["requests"]

    return read


@pytest.fixture
def refresh_now(monkeypatch, django_capture_on_commit_callbacks):
    """Press a Refresh and let the run go at once, as the worker would."""
    from voices import runs, tasks

    monkeypatch.setattr(tasks.run_sync, "delay", runs.execute)

    def press(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return press


def _list_queries(log) -> list[dict]:
    return [parse_qs(r["query"]) for r in log if r["path"].endswith(ORGANISATION_LIST)]


def _seed(control, count, **params):
    control.post(
        "/_sandbox/seed", json={"kind": "burki.cloned_voice", "count": count, **params}
    ).raise_for_status()


def test_the_filters_are_labelled_controls_and_refresh_asks_burki_for_what_they_show(
    member_client, team, connected, control, burki_log, refresh_now
):
    _seed(control, 3, status="ready")  # one at each host
    _seed(control, 2, status="failed", provider="elevenlabs")
    catalog = reverse("voices", kwargs={"team": team.slug})
    page = member_client.get(catalog, {"status": "ready", "host": "elevenlabs"}).content.decode()
    # Real controls, labelled and worded as people say them (no codes on the page).
    assert 'aria-label="Status (Burki)"' in page and 'aria-label="Host (Burki)"' in page
    assert ">Training</option>" in page and ">Resemble AI</option>" in page
    assert '<option value="ready" selected>Ready</option>' in page
    # Burki's Refresh carries what the filters show (static/js/app.js keeps it in step).
    assert 'name="status" value="ready" data-follows="#voice-filter-status"' in page
    assert 'name="host" value="elevenlabs" data-follows="#voice-filter-host"' in page
    burki_log()

    refresh = reverse("voices_refresh", kwargs={"team": team.slug, "provider": "burki"})
    refresh_now(member_client, refresh, {"status": "ready", "host": "elevenlabs"})

    assert _list_queries(burki_log()) == [{"status": ["ready"], "provider": ["elevenlabs"]}]
    mirrored = Voice.objects.for_team(team).listed()
    assert {(v.status, v.host) for v in mirrored} == {("ready", "elevenlabs")}
    assert mirrored.count() == 2  # the example's Support voice and a seeded one
    page = member_client.get(catalog).content.decode()
    assert "refreshed only ready voices hosted at ElevenLabs" in page

    # Without filters, the whole list is asked for: neither is sent.
    SyncRun.objects.update(status=SyncRun.Status.DONE)
    refresh_now(member_client, refresh, {"status": "", "host": ""})
    assert _list_queries(burki_log()) == [{}]
    assert Voice.objects.for_team(team).listed().count() == 2 + 3 + 2


def test_a_status_or_host_burki_does_not_know_is_refused_without_asking_it(
    member_client, team, connected, control, burki_log, refresh_now
):
    burki_log()
    refresh = reverse("voices_refresh", kwargs={"team": team.slug, "provider": "burki"})
    response = refresh_now(member_client, refresh, {"status": "completed", "host": ""})
    assert response.status_code == 302
    page = member_client.get(response["Location"]).content.decode()
    assert "from the lists only" in page
    assert not SyncRun.objects.exists() and burki_log() == []


def test_a_narrowed_sync_marks_gone_only_what_it_could_have_seen(team, connected, control):
    account = connected["burki"]
    _seed(control, 3, status="ready")
    sync.sync_account(account)
    assert Voice.objects.for_team(team).listed().count() == 5
    # Asked for one host, the voices at the others are not touched.
    tally = sync.sync_account(account, host="inworld")
    assert (tally.fetched, tally.gone) == (1, 0)
    # Asked for ready voices, a training one is not missing: it is just not listed.
    tally = sync.sync_account(account, status="ready")
    assert tally.gone == 0
    assert Voice.objects.for_team(team).listed().count() == 5
