"""The catalog page: filters, search, keyset pages, favourites, refreshing, and its cost."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers import retries
from teams.tests.factories import ProviderAccountFactory
from voices.models import Kind, SyncRun, Voice
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


def _url(team, **params):
    from urllib.parse import urlencode

    base = reverse("voices", kwargs={"team": team.slug})
    return f"{base}?{urlencode(params)}" if params else base


def _bulk(team, account, n, **fields):
    now = timezone.now()
    Voice.objects.bulk_create(
        [
            Voice(
                team=team,
                account=account,
                provider=account.provider,
                remote_id=f"bulk-{i}",
                kind=Kind.PUBLIC,
                name=f"Bulk voice {i:05d}",
                fingerprint="x",
                first_seen_at=now,
                synced_at=now,
                **fields,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )


def test_without_providers_the_catalog_says_to_connect_one(owner_client, team):
    body = owner_client.get(_url(team)).content.decode()
    assert "Connect A2E, Respeecher or Burki to see your voices" in body
    assert reverse("providers", kwargs={"team": team.slug}) in body


def test_the_catalog_lists_every_provider_and_hides_gone_voices(owner_client, team):
    VoiceFactory(team=team, name="Aria")
    burki = ProviderAccountFactory(team=team, provider="burki")
    VoiceFactory(
        team=team, account=burki, name="Basil", quality_score=0.95, quality_band="excellent"
    )
    VoiceFactory(team=team, name="Gone Gwen", gone_at=timezone.now())
    body = owner_client.get(_url(team)).content.decode()
    assert "Aria" in body and "Basil" in body and "excellent" in body
    assert "Gone Gwen" not in body


def test_another_teams_voices_are_not_listed_or_reachable(owner_client, team, other_team):
    theirs = VoiceFactory(team=other_team, name="Their secret voice")
    assert "Their secret voice" not in owner_client.get(_url(team)).content.decode()
    url = reverse("voice_detail", kwargs={"team": team.slug, "voice_id": theirs.pk})
    assert owner_client.get(url).status_code == 404


def test_filters_and_search_narrow_the_list(owner_client, team):
    VoiceFactory(team=team, name="Nora", language="en-US", gender="female")
    VoiceFactory(team=team, name="Nils", language="de-DE", gender="male", kind=Kind.PUBLIC)
    body = owner_client.get(_url(team, q="no")).content.decode()
    assert "Nora" in body and "Nils" not in body
    body = owner_client.get(_url(team, language="de-DE", kind="public")).content.decode()
    assert "Nils" in body and "Nora" not in body
    body = owner_client.get(_url(team, gender="female")).content.decode()
    assert "Nora" in body and "Nils" not in body


def test_search_as_you_type_answers_with_the_rows_only(owner_client, team):
    VoiceFactory(team=team, name="Quinn")
    response = owner_client.get(
        _url(team, q="qui"), headers={"HX-Request": "true", "HX-Target": "voice-rows"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<tbody id="voice-rows">') and "Quinn" in body
    assert "<html" not in body


def test_each_row_links_to_its_voice_page_star_and_sample(owner_client, team):
    # The rows build these links from the catalog's own address (voices.views.with_links).
    voice = VoiceFactory(team=team, account__provider="respeecher", has_sample=True)
    body = owner_client.get(_url(team)).content.decode()
    for name in ("voice_detail", "voice_favorite", "voice_sample"):
        link = reverse(name, kwargs={"team": team.slug, "voice_id": voice.pk})
        assert f'href="{link}"' in body or f'action="{link}"' in body, name


def test_keyset_pages_walk_the_whole_catalog_once(owner_client, team, a2e_account):
    _bulk(team, a2e_account, 120)
    seen, url = [], _url(team)
    for _ in range(5):
        response = owner_client.get(url)
        page = response.context["voices"]
        seen += [v.name for v in page]
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        url = _url(team, after=cursor)
    assert seen == sorted(f"Bulk voice {i:05d}" for i in range(120))


def test_a_mangled_cursor_starts_from_the_first_page(owner_client, team, a2e_account):
    _bulk(team, a2e_account, 3)
    response = owner_client.get(_url(team, after="not-a-cursor"))
    assert response.status_code == 200
    assert [v.name for v in response.context["voices"]][0] == "Bulk voice 00000"


def test_a_cursor_of_another_sort_starts_from_the_first_page(owner_client, team, a2e_account):
    _bulk(team, a2e_account, 60)
    cursor = owner_client.get(_url(team, sort="name")).context["page"].next_cursor
    response = owner_client.get(_url(team, sort="newest", after=cursor))
    assert response.status_code == 200
    assert len(response.context["voices"]) == 50


def test_descending_pages_with_tied_names_show_every_voice_once(owner_client, team, a2e_account):
    for i in range(70):
        VoiceFactory(team=team, account=a2e_account, name=f"Twin {i % 2}", remote_id=f"t{i}")
    first = owner_client.get(_url(team, sort="-name"))
    cursor = first.context["page"].next_cursor
    second = owner_client.get(_url(team, sort="-name", after=cursor))
    pks = [v.pk for v in first.context["voices"]] + [v.pk for v in second.context["voices"]]
    assert len(pks) == len(set(pks)) == 70
    assert second.context["page"].next_cursor is None


def test_the_filter_form_asks_the_catalog_url_not_the_current_page(owner_client, team, a2e_account):
    _bulk(team, a2e_account, 60)
    cursor = owner_client.get(_url(team)).context["page"].next_cursor
    body = owner_client.get(_url(team, after=cursor)).content.decode()
    catalog = reverse("voices", kwargs={"team": team.slug})
    assert f'hx-get="{catalog}"' in body  # a search from page 2 must not keep its cursor


def _catalog_queries(client, team):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(team, sort="name")).status_code == 200
    return len(queries)


@pytest.mark.slow
def test_the_catalog_costs_the_same_queries_at_10_and_10000_voices(owner_client, team, a2e_account):
    _bulk(team, a2e_account, 10)
    owner_client.get(_url(team))  # the first visit also remembers the team in the session
    at_10 = _catalog_queries(owner_client, team)
    Voice.objects.all().delete()
    _bulk(team, a2e_account, 10_000)
    assert _catalog_queries(owner_client, team) == at_10


def test_a_local_star_is_saved_here_and_a_double_click_is_harmless(member_client, team):
    voice = VoiceFactory(team=team)
    url = reverse("voice_favorite", kwargs={"team": team.slug, "voice_id": voice.pk})
    response = member_client.post(url, {"favorite": "1"}, headers={"HX-Request": "true"})
    assert "★" in response.content.decode()
    member_client.post(url, {"favorite": "1"})  # the same click twice
    voice.refresh_from_db()
    assert voice.favorite is True
    member_client.post(url, {"favorite": "0"})
    voice.refresh_from_db()
    assert voice.favorite is False


def test_a_respeecher_star_is_saved_upstream_and_a_refusal_writes_nothing(member_client, team):
    import respx

    account = ProviderAccountFactory(team=team, provider="respeecher")
    voice = VoiceFactory(team=team, account=account, remote_id="rv-1")
    url = reverse("voice_favorite", kwargs={"team": team.slug, "voice_id": voice.pk})
    upstream = f"{account.base_url}/api/v2/voices/favorite/rv-1"
    with respx.mock() as mock:
        route = mock.post(upstream).respond(json={"id": "rv-1", "name": "R", "favorite": True})
        member_client.post(url, {"favorite": "1"}, headers={"HX-Request": "true"})
        assert route.called
    voice.refresh_from_db()
    assert voice.favorite is True
    with respx.mock() as mock:
        mock.post(upstream).respond(400, json={"detail": "Voice is locked"})
        response = member_client.post(url, {"favorite": "0"}, headers={"HX-Request": "true"})
    voice.refresh_from_db()
    assert voice.favorite is True
    assert "Voice is locked" in response["HX-Trigger"]


def test_viewers_cannot_star_or_refresh(viewer_client, team, a2e_account):
    voice = VoiceFactory(team=team, account=a2e_account)
    star = reverse("voice_favorite", kwargs={"team": team.slug, "voice_id": voice.pk})
    refresh = reverse("voices_refresh", kwargs={"team": team.slug, "provider": "a2e"})
    assert viewer_client.post(star).status_code == 403
    assert viewer_client.post(refresh).status_code == 403
    assert not SyncRun.objects.exists()


def test_refresh_starts_one_run_after_commit_and_shows_its_progress(
    member_client, team, a2e_account, django_capture_on_commit_callbacks, monkeypatch
):
    from voices import tasks

    sent = []
    monkeypatch.setattr(tasks.run_sync, "delay", sent.append)
    url = reverse("voices_refresh", kwargs={"team": team.slug, "provider": "a2e"})
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url, headers={"HX-Request": "true"})
        member_client.post(url, headers={"HX-Request": "true"})
    run = SyncRun.objects.get()
    assert sent == [run.pk]
    body = response.content.decode()
    assert "refreshing" in body and 'hx-trigger="every 1s"' in body


def test_a_finished_run_stops_polling_and_tells_the_list(member_client, team, a2e_account):
    run = SyncRun.objects.create(
        team=team,
        account=a2e_account,
        status=SyncRun.Status.DONE,
        message="3 listed: 3 new",
        finished_at=timezone.now(),
    )
    url = reverse("voices_sync_status", kwargs={"team": team.slug, "run_id": run.pk})
    response = member_client.get(url + "?live=1", headers={"HX-Request": "true"})
    assert "every 1s" not in response.content.decode()
    assert "voicesSynced" in response["HX-Trigger"]


def test_the_voice_page_shows_its_fields_and_raw_record(owner_client, team):
    voice = VoiceFactory(
        team=team, name="Viola", sample_url="https://cdn.example/viola.wav", raw={"trace": "xyz"}
    )
    body = owner_client.get(voice.get_absolute_url()).content.decode()
    relay = reverse("voice_sample_audio", kwargs={"team": team.slug, "voice_id": voice.pk})
    assert "Viola" in body and f'src="{relay}"' in body and "xyz" in body


def test_the_voice_page_lists_the_speech_it_gave(owner_client, team, a2e_account):
    from voices.kinds import A2ETextToSpeech

    voice = VoiceFactory(
        team=team, account=a2e_account, kind=Kind.PUBLIC, remote_id="v", tts_list=True
    )
    job = A2ETextToSpeech.start(voice=voice, by=None, text="Good morning, listeners")
    body = owner_client.get(voice.get_absolute_url()).content.decode()
    assert "Good morning, listeners" in body and job.get_absolute_url() in body


def test_bulk_star_marks_the_selected_voices_only(member_client, team, other_team):
    picked = [VoiceFactory(team=team) for _ in range(3)]
    left = VoiceFactory(team=team)
    theirs = VoiceFactory(team=other_team)
    url = reverse("voices_bulk", kwargs={"team": team.slug})
    ids = [v.pk for v in picked] + [theirs.pk]
    member_client.post(url, {"action": "star", "ids": ids})
    assert set(Voice.objects.filter(favorite=True).values_list("pk", flat=True)) == {
        v.pk for v in picked
    }
    assert not Voice.objects.get(pk=left.pk).favorite
    assert not Voice.objects.get(pk=theirs.pk).favorite


def test_bulk_delete_asks_first_and_only_offers_a2e_clones(member_client, team, a2e_account):
    clone = VoiceFactory(team=team, account=a2e_account, kind=Kind.CLONE, name="Old clone")
    public = VoiceFactory(team=team, account=a2e_account, kind=Kind.PUBLIC, name="Public one")
    url = reverse("voices_bulk", kwargs={"team": team.slug})
    body = member_client.post(url, {"action": "delete", "ids": [clone.pk, public.pk]})
    text = body.content.decode()
    assert "Delete 1 voice?" in text and "Old clone" in text and "only A2E clones" in text
    assert Voice.objects.count() == 2  # nothing deleted before the confirmation


def test_bulk_with_nothing_selected_says_so(member_client, team):
    url = reverse("voices_bulk", kwargs={"team": team.slug})
    response = member_client.post(url, {"action": "star"}, follow=True)
    assert "Select one or more voices first." in response.content.decode()


def test_a_sample_that_cannot_be_fetched_says_why_and_is_not_asked_for_again(
    member_client, team, a2e_account, monkeypatch
):
    import respx
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    voice = VoiceFactory(team=team, account=a2e_account, sample_url="https://cdn.example/v.wav")
    args = {"team": team.slug, "voice_id": voice.pk}
    with respx.mock() as mock:
        host = mock.get("https://cdn.example/v.wav").respond(503)
        relay = member_client.get(reverse("voice_sample_audio", kwargs=args))
        assert relay.status_code == 502
        tries = host.call_count
        # The player asks again after its error: the page says why, at once.
        player = member_client.get(reverse("voice_sample", kwargs=args)).content.decode()
        assert "Sample unavailable:" in player and "<audio" not in player
        # Played again a moment later: no second wait on the file host.
        assert member_client.get(reverse("voice_sample_audio", kwargs=args)).status_code == 502
        assert host.call_count == tries
    cache.clear()


def test_a_sample_player_asks_its_page_again_when_the_audio_fails(member_client, team):
    from django.core.cache import cache

    cache.clear()
    voice = VoiceFactory(team=team, sample_url="https://cdn.example/ok.wav")
    url = reverse("voice_sample", kwargs={"team": team.slug, "voice_id": voice.pk})
    html = member_client.get(url).content.decode()
    assert 'hx-trigger="error"' in html and f'hx-get="{url}"' in html


def test_the_catalog_speaks_of_stars_and_says_traits_and_quality_in_words(owner_client, team):
    burki = ProviderAccountFactory(team=team, provider="burki")
    voice = VoiceFactory(
        team=team,
        account=burki,
        name="Basil",
        gender="male",
        host="elevenlabs",
        quality_score=0.8734,
        quality_band="good",
    )
    body = owner_client.get(_url(team)).content.decode()
    assert "Starred" in body and "avourite" not in body
    assert '<option value="female" >Female</option>' in body
    assert ">Child</option>" in body and ">Low</option>" in body
    assert "Good (87%)" in body and "0.87" not in body and ">good<" not in body
    page = owner_client.get(voice.get_absolute_url()).content.decode()
    shown = page.split('<details class="card raw">')[0]
    assert "Good (87%)" in shown and "0.87" not in shown and "<dd>Male</dd>" in shown
    insights = owner_client.get(reverse("voices_burki", kwargs={"team": team.slug}))
    assert "ElevenLabs" in insights.content.decode() and "87%" in insights.content.decode()


def test_a_viewer_is_offered_no_star_to_press_nor_speech_to_start(viewer_client, team):
    voice = VoiceFactory(team=team, name="Maya", favorite=True)
    page = viewer_client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()
    assert "Starred" in page and 'name="favorite"' not in page
    assert 'aria-label="Speak with Maya"' not in page
    detail = viewer_client.get(
        reverse("voice_detail", kwargs={"team": team.slug, "voice_id": voice.pk})
    )
    assert "Speak with this voice" not in detail.content.decode()
