"""Cloning an A2E voice from an upload, speaking with it, deleting it: against the sandbox
over real HTTP, with the sample fetched from a live Voxboard. Bad input stops at the form."""

import json
import time
import wave

import pytest
from django.urls import reverse

from jobs import engine
from jobs.models import InputFile, Job, Status
from teams.connection import client_for
from voices import sync
from voices.models import Generation, Kind, Voice
from voices.tests.factories import VoiceFactory, sample

# The sandbox's seed Respeecher folder.
SEED_FOLDER = "00000000-0000-0000-0000-000000000001"


def _speech_url(team):
    return reverse("voices_speech", kwargs={"team": team.slug})


@pytest.mark.integration
def test_clone_speak_and_delete_an_a2e_voice(
    transactional_db,
    live_server,
    settings,
    team,
    member,
    connected,
    control,
    run_to_the_end,
    clone_url,
):
    settings.PUBLIC_BASE_URL = live_server.url
    client = live_server_client(member)
    response = client.post(
        clone_url,
        {"name": "Narrator", "gender": "female", "language": "en", "samples": [sample(16)]},
    )
    job = Job.objects.get(kind="a2e.voice_clone")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert InputFile.objects.filter(team=team).count() == 1

    job = run_to_the_end(job)
    assert job.status == Status.COMPLETED, job.failure_message
    # The sandbox fetched the sample from us through the signed link.
    voice = Voice.objects.get(team=team, provider="a2e", kind=Kind.CLONE, name="Narrator")
    assert voice.can_speak and voice.remote_id == job.remote_id
    # The clone's own row, written with its job, now leads to the voice it made.
    assert (job.clone.name, job.clone.voice, job.clone.created_by) == (
        "Narrator",
        voice,
        member.user,
    )

    response = client.post(
        _speech_url(team),
        {
            "voice": voice.pk,
            "text": "Hello from Voxboard.",
            "speech_rate": "1.0",
            "country": "en",
            "region": "US",
        },
    )
    assert response.status_code == 302
    generation = Generation.objects.get(team=team)
    tts = run_to_the_end(generation.job)
    assert tts.status == Status.COMPLETED, tts.failure_message
    (audio,) = tts.files.all()
    with audio.file.open("rb") as handle, wave.open(handle) as w:
        assert w.getnframes() / w.getframerate() > 0.5
    page = client.get(_speech_url(team)).content.decode()
    assert "Hello from Voxboard." in page and "<audio" in page

    delete = reverse("voice_delete", kwargs={"team": team.slug, "voice_id": voice.pk})
    assert "cannot be undone" in client.get(delete).content.decode()
    client.post(delete)
    assert not Voice.objects.filter(pk=voice.pk).exists()
    a2e = client_for(connected["a2e"])
    assert job.remote_id not in {v.id for v in a2e.list_completed_voices()}
    generation.refresh_from_db()
    assert generation.voice is None and generation.voice_name == "Narrator"


def live_server_client(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


# Bad input: a clear message on the form, nothing stored, nothing sent upstream.

BAD_SAMPLES = {
    "not audio": (
        sample(name="notes.wav", data=b"just some text, not a recording" * 10),
        "is not wav or mp3 or m4a audio",
    ),
    "too short": (sample(5), "at least 15 s"),
    "too long": (sample(70), "at most 60 s"),
    "too big": (
        sample(name="huge.wav", data=b"RIFF" + b"\x00" * (21 * 1024 * 1024)),
        "The upload was stopped: huge.wav is larger than 20 MB.",
    ),
    "empty": (sample(name="empty.wav", data=b""), "empty"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_SAMPLES))
def test_a_bad_sample_is_explained_and_nothing_is_sent(
    case, member_client, team, connected, control, upstream_calls, clone_url
):
    upload, message = BAD_SAMPLES[case]
    response = member_client.post(
        clone_url, {"name": "X", "gender": "male", "language": "en", "samples": [upload]}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert upstream_calls() == []


@pytest.mark.django_db
def test_a_clone_needs_a_sample_and_an_a2e_account(member_client, team, clone_url):
    response = member_client.post(clone_url, {"name": "X", "gender": "male", "language": "en"})
    assert "Connect A2E" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_clone_without_any_sample_is_explained(
    member_client, team, connected, control, upstream_calls, clone_url
):
    response = member_client.post(clone_url, {"name": "X", "gender": "male", "language": "en"})
    assert "Add at least one sample" in response.content.decode()
    assert not Job.objects.exists() and upstream_calls() == []


@pytest.fixture
def speaker(team, connected):
    return VoiceFactory(
        team=team,
        account=connected["a2e"],
        kind=Kind.PUBLIC,
        remote_id="abc",
        tts_list=True,
        name="Ann",
    )


@pytest.fixture
def clone(team, connected):
    return VoiceFactory(team=team, account=connected["a2e"], kind=Kind.CLONE, name="Mine")


BAD_SPEECH = {
    "empty text": ({"text": ""}, "Type the text to speak."),
    "over-long text": ({"text": "a" * 1001}, "at most 1000 characters"),
    "rate too high": ({"speech_rate": "2.5"}, "less than or equal to 2.0"),
    "rate too low": ({"speech_rate": "0.2"}, "greater than or equal to 0.5"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_SPEECH))
def test_bad_speech_input_is_explained_and_nothing_is_sent(
    case, member_client, team, speaker, control, upstream_calls
):
    changes, message = BAD_SPEECH[case]
    data = {"voice": speaker.pk, "text": "Hello", "speech_rate": "1.0", **changes}
    response = member_client.post(_speech_url(team), data)
    assert message in response.content.decode()
    assert not Generation.objects.exists() and not Job.objects.exists()
    assert upstream_calls() == []


@pytest.mark.django_db
def test_a_clone_speaks_only_with_a_language_and_an_accent(
    member_client, team, clone, control, upstream_calls
):
    response = member_client.post(
        _speech_url(team), {"voice": clone.pk, "text": "Hi", "speech_rate": "1.0"}
    )
    assert "A cloned voice needs a language and an accent." in response.content.decode()
    assert not Job.objects.exists() and upstream_calls() == []


@pytest.mark.django_db
def test_another_teams_voice_cannot_be_picked(member_client, team, connected, other_team):
    theirs = VoiceFactory(team=other_team, kind=Kind.PUBLIC, remote_id="x", tts_list=True)
    response = member_client.post(
        _speech_url(team), {"voice": theirs.pk, "text": "Hi", "speech_rate": "1.0"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_generate_again_fills_the_form_with_the_earlier_request(member_client, team, speaker):
    from voices.kinds import A2ETextToSpeech

    job = A2ETextToSpeech.start(voice=speaker, by=None, text="Once more", speech_rate=1.5)
    generation = Generation.objects.get(job=job)
    body = member_client.get(_speech_url(team) + f"?again={generation.pk}").content.decode()
    assert "Once more</textarea>" in body and 'value="1.5"' in body


@pytest.mark.django_db
def test_a_failed_upstream_delete_keeps_the_voice_and_says_why(
    member_client, team, connected, control
):
    _seed = control.post("/_sandbox/seed", json={"kind": "a2e.voice", "count": 1})
    _seed.raise_for_status()
    sync.sync_account(connected["a2e"])
    voice = Voice.objects.filter(team=team, kind=Kind.CLONE).exclude(name__startswith="Seeded")
    voice = Voice.objects.get(team=team, kind=Kind.CLONE, name="Seeded voice 1")
    control.post(
        "/_sandbox/faults",
        json={"path": "/a2e/api/v1/userVoice/*", "method": "DELETE", "status": {"503": 1.0}},
    ).raise_for_status()
    url = reverse("voice_delete", kwargs={"team": team.slug, "voice_id": voice.pk})
    response = member_client.post(url, follow=True)
    assert "It is kept." in response.content.decode()
    assert Voice.objects.filter(pk=voice.pk).exists()


@pytest.mark.django_db
@pytest.mark.integration
def test_bulk_delete_removes_clones_upstream_then_here(member_client, team, connected, control):
    control.post("/_sandbox/seed", json={"kind": "a2e.voice", "count": 2}).raise_for_status()
    sync.sync_account(connected["a2e"])
    clones = list(Voice.objects.filter(team=team, name__startswith="Seeded voice"))
    url = reverse("voices_bulk", kwargs={"team": team.slug})
    member_client.post(url, {"action": "delete", "confirmed": "1", "ids": [v.pk for v in clones]})
    assert not Voice.objects.filter(pk__in=[v.pk for v in clones]).exists()
    upstream = {v.id for v in client_for(connected["a2e"]).list_completed_voices()}
    assert not upstream & {v.remote_id for v in clones}


@pytest.mark.django_db
@pytest.mark.integration
def test_a_semitone_correction_is_saved_upstream_and_bad_values_are_refused(
    member_client, team, connected, control, upstream_calls
):
    control.post(
        "/_sandbox/seed", json={"kind": "respeecher.voice", "count": 1, "name_prefix": "Tuned"}
    ).raise_for_status()
    sync.sync_account(connected["respeecher"])
    voice = Voice.objects.get(team=team, name__startswith="Tuned")
    accent = voice.raw["accents"][0]["id"]
    url = reverse("voice_settings", kwargs={"team": team.slug, "voice_id": voice.pk})
    control.delete("/_sandbox/requests")
    for bad in (
        {"accent_id": accent, "semitones": "13"},
        {"accent_id": "nope", "semitones": "1"},
        {"accent_id": accent, "semitones": "up"},
    ):
        member_client.post(url, bad)
    assert upstream_calls("respeecher") == []
    response = member_client.post(url, {"accent_id": accent, "semitones": "-2.5"}, follow=True)
    assert "Saved at Respeecher: -2.5 semitones." in response.content.decode()
    upstream = next(
        v for v in client_for(connected["respeecher"]).iter_voices() if v.id == voice.remote_id
    )
    saved = next(a for a in upstream.raw["accents"] if a["id"] == accent)
    assert saved["settings"]["semitones_correction"] == -2.5


@pytest.mark.django_db
@pytest.mark.integration
def test_respeecher_speaks_into_a_folder_and_converts_to_the_voice(
    member_client, team, connected, control, run_to_the_end
):
    control.post(
        "/_sandbox/seed",
        json={
            "kind": "respeecher.voice",
            "count": 1,
            "name_prefix": "Narrator",
            "narration_styles": 3,
        },
    ).raise_for_status()
    sync.sync_account(connected["respeecher"])
    voice = Voice.objects.get(team=team, name__startswith="Narrator")
    assert voice.can_speak
    page = member_client.get(_speech_url(team), {"voice": voice.pk}).content.decode()
    folder = "00000000-0000-0000-0000-000000000001"
    assert folder in page  # the seed project's folder is offered
    # The chosen voice's styles are offered with their tags; the second is chosen.
    assert "Neutral · calm, narration (default)" in page
    assert "Conversational · casual, warm" in page
    style = voice.raw["narration_styles"][1]["id"]
    response = member_client.post(
        _speech_url(team),
        {
            "voice": voice.pk,
            "text": "Chapter one.",
            "speech_rate": "1.0",
            "folder": folder,
            "narration_style": style,
            "semitones": "-2",
        },
    )
    assert response.status_code == 302
    job = Generation.objects.get(team=team).job
    assert job.kind == "respeecher.speech"
    assert job.params["narration_style_id"] == style
    job = run_to_the_end(job)
    assert job.status == Status.COMPLETED, job.failure_message
    (audio,) = job.files.all()
    with audio.file.open("rb") as handle:
        assert handle.read(4) == b"RIFF"
    orders = control.get("/_sandbox/requests", params={"path": "/api/v2/orders"}).json()
    (order,) = [r for r in orders["requests"] if r["method"] == "POST"]
    body = json.loads(order["json"]) if isinstance(order["json"], str) else order["json"]
    # The same order options as the recordings app's: the style and the semitones.
    assert body["conversions"][0]["narration_style_id"] == style
    assert body["conversions"][0]["semitones_correction"] == -2
    # The conversion's audio was fetched at its gateway path, below the account's base URL.
    assert audio.source_url.startswith(connected["respeecher"].base_url + "/media/")


@pytest.mark.django_db
def test_a_style_of_another_voice_is_refused_and_nothing_is_sent(
    member_client, team, connected, control, upstream_calls
):
    voice = VoiceFactory(
        team=team,
        account=connected["respeecher"],
        kind=Kind.PUBLIC,
        remote_id="rv",
        raw={"narration_styles": [{"id": "ns1", "is_default": True, "name": "Calm"}]},
    )
    response = member_client.post(
        _speech_url(team),
        {
            "voice": voice.pk,
            "text": "Hi",
            "speech_rate": "1.0",
            "folder": "00000000-0000-0000-0000-000000000001",
            "narration_style": "ns-of-another-voice",
        },
    )
    assert response.status_code == 200
    assert not Job.objects.exists()
    assert [r for r in upstream_calls("respeecher") if r["method"] == "POST"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("semitones", "13", "Semitones go from -12 to 12 in steps of 0.5"),
        ("semitones", "1.25", "Semitones go from -12 to 12 in steps of 0.5"),
        ("calibration", "not-a-calibration", "finished calibrations"),
    ],
)
def test_a_bad_order_option_is_refused_and_nothing_is_sent(
    member_client, team, connected, control, field, value, message, upstream_calls
):
    voice = VoiceFactory(
        team=team,
        account=connected["respeecher"],
        kind=Kind.PUBLIC,
        remote_id="rv",
        raw={"narration_styles": [{"id": "ns1", "is_default": True, "name": "Calm"}]},
    )
    response = member_client.post(
        _speech_url(team),
        {
            "voice": voice.pk,
            "text": "Hi",
            "folder": "00000000-0000-0000-0000-000000000001",
            field: value,
        },
    )
    assert message in response.content.decode()
    assert not Job.objects.exists()
    assert [r for r in upstream_calls("respeecher") if r["method"] == "POST"] == []


@pytest.mark.django_db
def test_speech_without_any_provider_says_to_connect_one(member_client, team):
    response = member_client.post(_speech_url(team), {"text": "Hi", "speech_rate": "1.0"})
    assert "Connect A2E or Respeecher" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.integration
def test_a_respeecher_sample_is_fetched_when_asked_for(member_client, team, connected, control):
    control.post(
        "/_sandbox/seed", json={"kind": "respeecher.voice", "count": 1, "name_prefix": "Sampled"}
    ).raise_for_status()
    sync.sync_account(connected["respeecher"])
    voice = Voice.objects.get(team=team, name__startswith="Sampled")
    url = reverse("voice_sample", kwargs={"team": team.slug, "voice_id": voice.pk})
    catalog = member_client.get(reverse("voices", kwargs={"team": team.slug}) + "?q=Sampled")
    assert url in catalog.content.decode()  # a play button, not a call per row
    control.delete("/_sandbox/requests")
    body = member_client.get(url, headers={"HX-Request": "true"}).content.decode()
    # Played through our origin (the CSP allows no other), relayed from Respeecher's.
    relay = reverse("voice_sample_audio", kwargs={"team": team.slug, "voice_id": voice.pk})
    assert f'<audio controls autoplay preload="auto" src="{relay}"' in body
    played = member_client.get(relay)
    assert b"".join(played.streaming_content)[:4] == b"RIFF"
    assert played["Content-Type"] == "audio/wav"
    # The accent's samples were asked for once: the relay found the link kept.
    log = control.get("/_sandbox/requests", params={"path": "/accents/samples"}).json()
    assert log["count"] == 1


@pytest.mark.django_db
@pytest.mark.integration
def test_overlapping_polls_place_one_respeecher_order(team, connected, control, monkeypatch):
    from recordings.options import Target
    from recordings.uploading import RespeecherSpeech
    from voices import starting

    account = connected["respeecher"]
    folder = "00000000-0000-0000-0000-000000000001"
    voice = VoiceFactory(
        team=team, account=account, kind=Kind.PUBLIC, remote_id=folder, can_speak=True
    )
    job = starting.respeecher_speech(
        target=Target(voice=voice, narration_style_id="00000000-0000-0000-0000-000000000001"),
        by=None,
        text="Hi",
        folder_id=folder,
    )
    engine.submit(job.pk)
    job.refresh_from_db()
    client = client_for(account)
    kind = RespeecherSpeech()
    for _ in range(50):  # until the original is spoken (sandbox at 1000x)
        if client.get_recording(job.remote_id).state == "completed":
            break
        time.sleep(0.05)
    # A second poll whose listing does not show the first one's order yet.
    monkeypatch.setattr(type(client), "iter_conversions", lambda self, original_id: iter(()))
    first, second = kind.fetch_one(job, client), kind.fetch_one(job, client)
    assert first.status == "converting: ordered" and second.status == "converting: ordering"
    orders = control.get("/_sandbox/requests", params={"path": "/api/v2/orders"}).json()
    assert len([r for r in orders["requests"] if r["method"] == "POST"]) == 1


@pytest.mark.django_db
def test_a_job_whose_inputs_are_gone_fails_with_a_reason(team, connected):
    from django.core.files.base import ContentFile

    from voices.kinds import BurkiClonedVoice

    upload = InputFile.objects.create(
        team=team,
        file=ContentFile(b"RIFF....WAVEfmt ", name="sample.wav"),
        original_name="sample.wav",
        content_type="audio/wav",
        size=16,
        sha256="0" * 64,
    )
    job = BurkiClonedVoice.start(
        account=connected["burki"],
        by=None,
        assistant_id=1,
        provider="elevenlabs",
        name="x",
        sample=upload,
    )
    upload.delete()
    assert engine.submit(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED and "sample was deleted" in job.failure_message


@pytest.mark.django_db
def test_a_tts_job_that_lost_its_answer_fails_rather_than_completing_empty(team, connected):
    from voices.kinds import A2ETextToSpeech

    voice = VoiceFactory(team=team, account=connected["a2e"], kind=Kind.PUBLIC, remote_id="abc")
    job = A2ETextToSpeech.start(voice=voice, by=None, text="Hi")
    remote = A2ETextToSpeech().fetch_one(job, client=None)
    assert remote.state == "failed" and "generate it again" in remote.message


@pytest.mark.django_db
def test_the_style_field_lists_only_the_chosen_voices_styles(member_client, team, connected):
    def voice(remote_id, style):
        return VoiceFactory(
            team=team,
            account=connected["respeecher"],
            kind=Kind.PUBLIC,
            remote_id=remote_id,
            can_speak=True,
            raw={"narration_styles": [{"id": remote_id, "name": style, "tags": [{"name": "t"}]}]},
        )

    calm = voice("v1", "Calm")
    voice("v2", "Loud")
    unchosen = member_client.get(_speech_url(team)).content.decode()
    assert "Calm · t" not in unchosen and "Loud · t" not in unchosen
    # Picking a voice asks the page again (htmx) for that voice's styles alone.
    chosen = member_client.get(_speech_url(team), {"voice": calm.pk}, HTTP_HX_REQUEST="true")
    body = chosen.content.decode()
    assert 'id="provider-fields"' in body and "Calm · t" in body and "Loud · t" not in body


@pytest.mark.django_db
def test_each_voice_shows_only_the_fields_its_provider_reads(member_client, team, connected):
    """Respeecher has no speech rate, and an A2E public voice needs no accent: a field
    that would be silently ignored is not offered."""
    respeecher = VoiceFactory(
        team=team,
        account=connected["respeecher"],
        kind=Kind.PUBLIC,
        can_speak=True,
        raw={"narration_styles": [{"id": "ns1", "name": "Calm"}]},
    )
    public = VoiceFactory(team=team, account=connected["a2e"], kind=Kind.PUBLIC, can_speak=True)
    clone = VoiceFactory(team=team, account=connected["a2e"], kind=Kind.CLONE, can_speak=True)

    def fields(voice):
        page = member_client.get(_speech_url(team), {"voice": voice.pk}).content.decode()
        names = (
            *("speech_rate", "country", "region", "folder", "language", "narration_style"),
            *("semitones", "calibration"),
        )
        return {name for name in names if f'name="{name}"' in page}

    assert fields(respeecher) == {
        *("folder", "language", "narration_style", "semitones", "calibration"),
    }
    assert fields(public) == {"speech_rate"}
    assert fields(clone) == {"speech_rate", "country", "region"}
    # A Respeecher voice is spoken without any speech rate sent.
    response = member_client.post(
        _speech_url(team),
        {"voice": respeecher.pk, "text": "Hi", "folder": SEED_FOLDER, "narration_style": "ns1"},
    )
    assert response.status_code == 302
