"""A take's page without an upstream: an original beside its conversions with players and
waveforms, walls by team and role, named players, and labels refused before any call."""

import pytest
from django.urls import reverse

from activity.models import Activity
from dashboard.tests.a11y import elements, unnamed_media
from jobs.models import Status
from recordings.models import Recording
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db

GATEWAY = "https://gateway.respeecher.com"


@pytest.fixture
def account(team):
    return ProviderAccountFactory(team=team, provider="respeecher", base_url=GATEWAY)


@pytest.fixture
def folder(team, account):
    return FolderFactory(project=ProjectFactory(team=team, account=account), name="Chapter 1")


def _media(rid):
    return {"url": f"/media/{rid}.wav", "waveform_url": f"/media/{rid}.png"}


@pytest.fixture
def take(folder):
    original = RecordingFactory(
        project=folder.project,
        folder=folder,
        label="Opening line",
        file_name="opening.wav",
        state=Status.COMPLETED,
        raw=_media("orig"),
    )
    for voice, state, raw in (
        ("Olivia", Status.COMPLETED, _media("olivia")),
        ("Marcus", Status.COMPLETED, _media("marcus")),
        ("Ada", Status.PROCESSING, {}),
    ):
        RecordingFactory(
            project=folder.project,
            folder=folder,
            kind=Recording.Kind.CONVERSION,
            original=original,
            model_name=voice,
            state=state,
            raw=raw,
        )
    return original


@pytest.fixture
def no_upstream(monkeypatch):
    def refuse(account):
        raise AssertionError("an upstream call was made")

    monkeypatch.setattr("recordings.marking.client_for", refuse)


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _take_url(take):
    return _url(take.team, "recordings_take", recording_id=take.pk)


def test_the_take_page_plays_the_original_beside_each_conversion(viewer_client, take):
    html = viewer_client.get(_take_url(take)).content.decode()
    players = [attrs for _tag, attrs, _text in elements(html, "audio")]
    # Each plays through our relay of its own Respeecher file (the CSP allows only us).
    recordings = [take, *take.conversions.select_related("account")]
    by_file = {r.media["audio"]: r for r in recordings if r.media["audio"]}

    def relay(name, part="audio"):
        recording = by_file[f"{GATEWAY}/media/{name}.wav"]
        return _url(take.team, "recordings_media", recording_id=recording.pk, part=part)

    assert [p["src"] for p in players] == [relay("orig"), relay("olivia"), relay("marcus")]
    assert all(p["preload"] == "none" and "controls" in p for p in players)
    pictures = [attrs["src"] for _tag, attrs, _text in elements(html, "img")]
    assert relay("olivia", "waveform") in pictures
    assert "Olivia" in html and "Marcus" in html and "Ada" in html
    assert "Still processing" in html  # Ada has no audio yet
    assert "Play all conversions of this take" in html


def test_every_player_on_the_take_page_is_named_for_its_take_and_voice(viewer_client, take):
    html = viewer_client.get(_take_url(take)).content.decode()
    assert unnamed_media(html) == []
    names = [attrs["aria-label"] for _tag, attrs, _text in elements(html, "audio")]
    assert names == ["Take: Opening line", "Olivia: Opening line", "Marcus: Opening line"]
    assert all(attrs.get("alt") for _tag, attrs, _text in elements(html, "img"))


def test_a_take_with_no_playable_conversion_offers_no_play_all(viewer_client, folder):
    original = RecordingFactory(project=folder.project, folder=folder, raw={})
    RecordingFactory(
        project=folder.project,
        folder=folder,
        kind=Recording.Kind.CONVERSION,
        original=original,
        state=Status.PROCESSING,
    )
    html = viewer_client.get(_take_url(original)).content.decode()
    assert "Still processing" in html and unnamed_media(html) == []
    (button,) = [a for _t, a, text in elements(html, "button") if "Play all" in text]
    assert "disabled" in button


def test_hidden_conversions_and_other_takes_are_not_shown(viewer_client, take, folder):
    other = RecordingFactory(project=folder.project, folder=folder, label="Another take")
    RecordingFactory(
        project=folder.project,
        folder=folder,
        kind=Recording.Kind.CONVERSION,
        original=other,
        model_name="Zed",
    )
    gone = take.conversions.get(model_name="Marcus")
    Recording.objects.filter(pk=gone.pk).update(gone_at=gone.synced_at)
    html = viewer_client.get(_take_url(take)).content.decode()
    assert "Olivia" in html and "Marcus" not in html and "Zed" not in html


def test_the_folder_links_each_original_to_its_take_page(viewer_client, take, folder):
    html = viewer_client.get(folder.get_absolute_url()).content.decode()
    assert f'href="{_take_url(take)}"' in html


def test_a_conversion_has_no_take_page_of_its_own(viewer_client, take):
    conversion = take.conversions.first()
    assert viewer_client.get(_take_url(conversion)).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, take):
    conversion = take.conversions.first()
    for url in (
        _take_url(take),
        _url(take.team, "recordings_star", recording_id=conversion.pk),
        _url(take.team, "recordings_label", recording_id=take.pk),
    ):
        response = client.post(url) if "/star/" in url or "/label/" in url else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_another_teams_takes_are_not_found(owner_client, team, other_team, no_upstream):
    theirs = RecordingFactory(project=ProjectFactory(team=other_team), label="Theirs")
    assert owner_client.get(_url(team, "recordings_take", recording_id=theirs.pk)).status_code == (
        404
    )
    for name in ("recordings_star", "recordings_label"):
        url = _url(team, name, recording_id=theirs.pk)
        assert owner_client.post(url, {"starred": "1", "label": "Mine"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == "Theirs" and not theirs.starred


def test_viewers_see_star_and_label_but_cannot_change_them(viewer_client, team, take, no_upstream):
    html = viewer_client.get(_take_url(take)).content.decode()
    assert "Opening line" in html and "Save label" not in html
    assert _url(team, "recordings_star", recording_id=take.pk) not in html
    for name in ("recordings_star", "recordings_label"):
        url = _url(team, name, recording_id=take.pk)
        assert viewer_client.post(url, {"starred": "1", "label": "Mine"}).status_code == 403
    take.refresh_from_db()
    assert take.label == "Opening line" and not take.starred


def test_members_get_a_star_and_a_label_field_for_every_take(member_client, team, take):
    html = member_client.get(_take_url(take)).content.decode()
    for recording in [take, *take.conversions.all()]:
        assert _url(team, "recordings_star", recording_id=recording.pk) in html
        assert f'id="label-{recording.pk}"' in html
    stars = [a for _t, a, text in elements(html, "button") if text.startswith("Star:")]
    assert len(stars) == 4 and all(a["aria-pressed"] == "false" for a in stars)


def test_a_41_character_label_is_refused_without_an_upstream_call(
    member_client, team, take, no_upstream
):
    url = _url(team, "recordings_label", recording_id=take.pk)
    response = member_client.post(url, {"label": "x" * 41}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "40 characters or fewer" in html and 'value="' + "x" * 41 + '"' in html
    take.refresh_from_db()
    assert take.label == "Opening line"
    assert not Activity.objects.filter(team=team, verb="recording.labelled").exists()

    response = member_client.post(url, {"label": "x" * 41}, follow=True)
    assert "40 characters or fewer" in response.content.decode()
