"""Syncing the catalog from the sandbox over real HTTP: mirror, no-op resync, gone voices."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers import Unavailable
from teams.connection import client_for
from voices import runs, sync
from voices.models import Kind, SyncRun, Voice

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _writes(queries):
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def _seed(control, kind, count, **params):
    _seed_ids(control, kind, count, **params)


def _seed_ids(control, kind, count, **params) -> list:
    answer = control.post("/_sandbox/seed", json={"kind": kind, "count": count, **params})
    answer.raise_for_status()
    return answer.json().get("ids", [])  # the sandbox names ids up to 1,000 only


def test_first_sync_mirrors_all_three_providers(team, connected, control):
    _seed(control, "a2e.voice", 5)
    _seed(control, "respeecher.voice", 7)
    _seed(control, "burki.cloned_voice", 4, assistant_id=1)
    for account in connected.values():
        sync.sync_account(account)
    voices = Voice.objects.for_team(team).listed()
    a2e = voices.filter(provider="a2e")
    # Clones (the seed document's and ours) and the public TTS catalogue, told apart.
    assert a2e.filter(kind=Kind.CLONE).count() == 6
    public = a2e.filter(kind=Kind.PUBLIC)
    assert public.exists() and all(v.tts_list and v.can_speak for v in public)
    assert voices.filter(provider="respeecher", name__startswith="Voice ").count() == 7
    burki = voices.filter(provider="burki")
    assert burki.count() == 2 + 4  # the seed's two cloned voices and the four seeded
    seeded = burki.get(remote_id=str(burki.order_by("-remote_id").first().remote_id))
    assert seeded.assistant_id == 1 and seeded.quality_band
    assert all(v.raw for v in voices)


def test_only_respeecher_voices_with_a_narration_style_can_speak(team, connected, control):
    # As Respeecher's official client keeps only voices with styles: the rest convert speech.
    _seed(control, "respeecher.voice", 7)
    sync.sync_account(connected["respeecher"])
    voices = Voice.objects.for_team(team).filter(provider="respeecher", name__startswith="Voice ")
    speaking = {v.name for v in voices if v.can_speak}
    styled = {v.name for v in voices if v.raw["narration_styles"]}
    assert speaking == styled and 0 < len(speaking) < voices.count()
    catalog = Voice.objects.for_team(team).listed().speakable()
    assert (
        not catalog.filter(provider="respeecher")
        .exclude(name__in=speaking)
        .filter(name__startswith="Voice ")
        .exists()
    )


def test_resync_without_changes_writes_nothing(team, connected, control):
    _seed(control, "a2e.voice", 3)
    _seed(control, "respeecher.voice", 3)
    for account in connected.values():
        sync.sync_account(account)
    for account in connected.values():
        with CaptureQueriesContext(connection) as queries:
            result = sync.sync_account(account)
        assert (result.created, result.updated, result.gone) == (0, 0, 0), account.provider
        assert result.unchanged == result.fetched > 0
        assert _writes(queries) == [], account.provider


def test_a_voice_deleted_upstream_is_hidden_after_the_next_sync(team, connected, control):
    _seed(control, "a2e.voice", 3, name_prefix="Clone")
    account = connected["a2e"]
    sync.sync_account(account)
    doomed = Voice.objects.get(team=team, name="Clone 2")
    client_for(account).delete_voice(doomed.remote_id)
    result = sync.sync_account(account)
    assert result.gone == 1
    doomed.refresh_from_db()
    assert doomed.gone_at is not None  # kept for history
    assert not Voice.objects.for_team(team).listed().filter(pk=doomed.pk).exists()
    assert Voice.objects.for_team(team).listed().filter(name__startswith="Clone").count() == 2


def test_a_change_upstream_is_written_and_a_local_star_survives(team, connected, control):
    _seed(control, "respeecher.voice", 2, name_prefix="Star")
    _seed(control, "a2e.voice", 1, name_prefix="Local")
    for account in connected.values():
        sync.sync_account(account)
    local = Voice.objects.get(team=team, name="Local 1")
    Voice.objects.filter(pk=local.pk).update(favorite=True)
    starred = Voice.objects.get(team=team, name="Star 000001")
    client_for(connected["respeecher"]).favorite_voice(starred.remote_id)
    result = sync.sync_account(connected["respeecher"])
    assert result.updated == 1
    starred.refresh_from_db()
    assert starred.favorite is True
    # Force the A2E row to be rewritten: the star is ours and must not be overwritten.
    Voice.objects.filter(pk=local.pk).update(fingerprint="stale")
    assert sync.sync_account(connected["a2e"]).updated == 1
    assert Voice.objects.get(pk=local.pk).favorite is True


def test_the_catalog_shows_every_cloned_voice_without_picking_assistants(
    team, connected, control, owner_client
):
    account = connected["burki"]
    account.options = {}  # nobody picked an assistant
    account.save()
    assistant = _seed_ids(control, "burki.assistant", 1, name_prefix="Night desk")[0]
    _seed(control, "burki.cloned_voice", 2, assistant_id=assistant)
    result = sync.sync_account(account)
    assert result.fetched == 2 + 2  # the seed assistant's two and the new assistant's two
    listed = Voice.objects.for_team(team).listed().filter(provider="burki")
    owners = {v.assistant_id: v.assistant_name for v in listed}
    assert owners == {1: "Front desk", assistant: "Night desk 1"}
    page = owner_client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()
    assert "Seeded cloned voice 2" in page and "Night desk 1" in page


def test_a_burki_without_the_organisation_list_shows_the_followed_assistants(
    team, connected, control
):
    control.post("/_sandbox/config", json={"burki_organisation_voices": False}).raise_for_status()
    unfollowed = _seed_ids(control, "burki.assistant", 1)[0]
    _seed(control, "burki.cloned_voice", 3, assistant_id=unfollowed)
    account = connected["burki"]
    account.options = {"assistants": [1, 999_999]}
    account.save()
    result = sync.sync_account(account)
    # Assistant 1's two voices: the deleted assistant is skipped, the unfollowed not asked.
    assert result.fetched == 2
    listed = Voice.objects.filter(account=account)
    assert {(v.assistant_id, v.assistant_name) for v in listed} == {(1, "Front desk")}
    # The refusal is remembered: the next sync asks the assistants straight away.
    control.delete("/_sandbox/requests").raise_for_status()
    assert sync.sync_account(account).unchanged == 2
    asked = control.get("/_sandbox/requests", params={"path": "/burki/*cloned-voices"}).json()
    assert [r["path"] for r in asked["requests"]] == [
        "/burki/api/v1/assistants/1/cloned-voices",
        "/burki/api/v1/assistants/999999/cloned-voices",
    ]


def test_a_failed_listing_marks_nothing_gone(team, connected, control):
    _seed(control, "respeecher.voice", 120)
    account = connected["respeecher"]
    sync.sync_account(account)
    before = Voice.objects.filter(account=account).count()
    # A listing that fails must not read as "every voice was deleted upstream".
    control.post(
        "/_sandbox/faults",
        json={"path": "/respeecher/api/v2/voices", "status": {"503": 1.0}},
    ).raise_for_status()
    with pytest.raises(Unavailable):
        sync.sync_account(account)
    assert Voice.objects.filter(account=account, gone_at__isnull=True).count() == before


def test_a_sync_run_counts_the_voices_it_brought(team, connected, control, owner):
    # The run engine itself (one live run, redelivery, failure) is proved in teams/tests.
    _seed(control, "a2e.voice", 2)
    run, _created = runs.request_sync(connected["a2e"], user=owner.user)
    assert runs.execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.created == run.fetched > 2
    assert "new" in run.message


def test_a_refused_key_fails_the_run_with_the_providers_reason(team, connected, control):
    account = connected["burki"]
    account.set_secret("wrong-key")
    account.save()
    run, _ = runs.request_sync(account)
    assert runs.execute(run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and run.message
    assert not Voice.objects.filter(account=account).exists()


def test_the_command_syncs_a_team_and_names_bad_input(team, connected, control, capsys):
    call_command("sync_voices", "--team", team.slug, "--provider", "burki")
    assert "Burki: 2 listed: 2 new" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No team"):
        call_command("sync_voices", "--team", "no-such-team")


@pytest.mark.parametrize("count", [10_000])
def test_ten_thousand_voices_per_provider_sync_and_resync_quietly(team, connected, control, count):
    _seed(control, "a2e.voice", count)
    _seed(control, "respeecher.voice", count)
    _seed(control, "burki.cloned_voice", count, assistant_id=1)
    for account in connected.values():
        sync.sync_account(account)
    listed = Voice.objects.for_team(team).listed()
    for provider in ("a2e", "respeecher", "burki"):
        assert listed.filter(provider=provider).count() >= count
    with CaptureQueriesContext(connection) as queries:
        for account in connected.values():
            sync.sync_account(account)
    assert _writes(queries) == []
