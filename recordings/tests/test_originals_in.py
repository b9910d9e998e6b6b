"""Originals into a folder against the sandbox over real HTTP: uploads (wav, mp3, flac,
ogg) and text to speech become jobs that the worker sends and that end mirrored in the
folder; bad input is explained, nothing is stored, and Respeecher is never called."""

import io
from datetime import timedelta

import pytest
import soundfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from dashboard import processes
from jobs import engine
from jobs.models import InputFile, Job, Status
from jobs.tests.audio import wav
from recordings import editing, uploading
from recordings.models import Recording
from recordings.tests.factories import FolderFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

MB = 1024 * 1024


def _encoded(seconds: float, format: str, subtype: str) -> bytes:
    """The test WAV re-encoded by libsndfile (bundled in the soundfile wheel), so real
    FLAC, Ogg and MP3 need no tool from apt."""
    samples, rate = soundfile.read(io.BytesIO(wav(seconds)), dtype="int16")
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format=format, subtype=subtype)
    return out.getvalue()


def flac(seconds: float = 0.5) -> bytes:
    """A real FLAC, the same bytes on every call."""
    return _encoded(seconds, "FLAC", "PCM_16")


def ogg(seconds: float = 0.5) -> bytes:
    """A real Ogg Vorbis."""
    return _encoded(seconds, "OGG", "VORBIS")


def mp3(seconds: float = 0.5) -> bytes:
    """A real MPEG layer III stream, encoded by the LAME inside libsndfile."""
    return _encoded(seconds, "MP3", "MPEG_LAYER_III")


@pytest.fixture
def folder(respeecher, requests_log):
    project, _ = editing.create_project(respeecher, "Audiobook")
    folder, _ = editing.create_folder(project, "Chapter 1")
    requests_log()  # only what the tests do is looked at
    return folder


def _url(folder, name):
    return reverse(name, kwargs={"team": folder.team.slug, "folder_id": folder.pk})


def _upload(client, folder, *files, label="", **extra):
    data = {"upload-label": label, "upload-files": list(files)}
    return client.post(_url(folder, "recordings_upload"), data, **extra)


def _upstream_originals(account, folder) -> dict[str, object]:
    return {r.id: r for r in client_for(account).iter_originals(folder.remote_id)}


def test_wav_mp3_flac_and_ogg_are_sent_by_the_worker_and_mirrored_in_the_folder(
    member_client, team, folder, respeecher, requests_log, run_to_the_end
):
    files = [
        SimpleUploadedFile("take.wav", wav(0.5), "audio/wav"),
        SimpleUploadedFile("take.mp3", mp3(), "audio/mpeg"),
        SimpleUploadedFile("take.flac", flac(), "audio/flac"),
        # Named and typed wrong by the browser: judged by its bytes all the same.
        SimpleUploadedFile("take.ogg.bin", ogg(), "application/octet-stream"),
    ]
    response = _upload(member_client, folder, *files, label="Scene 4")
    assert response.status_code == 302 and response["Location"] == folder.get_absolute_url()
    jobs = list(Job.objects.filter(team=team).order_by("pk"))
    assert [j.kind for j in jobs] == ["respeecher.upload"] * 4
    assert requests_log() == []  # the web process sent nothing: the worker does

    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "Sending 4 files to Respeecher" in page
    for job in jobs:  # each job is a live row that polls while it is unfinished
        assert f'id="job-{job.pk}"' in page
        assert reverse("job_row", kwargs={"team": team.slug, "job_id": job.pk}) in page

    for job in jobs:
        job = run_to_the_end(job)
        assert job.status == Status.COMPLETED, job.failure_message

    upstream = _upstream_originals(respeecher, folder)
    names = sorted(r.file_name for r in upstream.values())
    assert names == ["take.flac", "take.mp3", "take.ogg.bin", "take.wav"]
    assert {r.label for r in upstream.values()} == {"Scene 4"}  # the marker is gone again
    sizes = {r.file_name: r.size for r in upstream.values()}
    assert sizes["take.flac"] == len(flac()) and sizes["take.wav"] == len(wav(0.5))

    mirrored = Recording.objects.filter(folder=folder).originals()
    assert set(mirrored.values_list("remote_id", flat=True)) == set(upstream)
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert page.count("Scene 4") >= 4 and "take.mp3" in page
    # Finished rows stop polling.
    for job in jobs:
        row = reverse("job_row", kwargs={"team": team.slug, "job_id": job.pk})
        assert row not in page
    assert Activity.objects.filter(team=team, verb="recording.uploaded").count() == 4
    assert not InputFile.objects.exists()  # Respeecher has them: our copies are gone


def test_a_tick_over_many_uploads_in_one_folder_lists_it_once(
    member_client, team, folder, requests_log
):
    takes = [SimpleUploadedFile(f"t{i}.wav", wav(0.2)) for i in range(4)]
    _upload(member_client, folder, *takes, label="Batch")
    jobs = list(Job.objects.filter(team=team))
    for job in jobs:
        assert engine.submit(job.pk) == "submitted"
    requests_log()

    engine.poll_due(now=timezone.now() + timedelta(minutes=5))

    calls = [(r["method"], r["path"].split("/api/")[1]) for r in requests_log()]
    assert [c for c in calls if c[0] == "GET"] == [("GET", "recordings/originals")]
    assert len([c for c in calls if c[0] == "PATCH"]) == 4  # each label put back once
    assert {Job.objects.get(pk=j.pk).status for j in jobs} == {Status.COMPLETED}


def _refused(client, folder, requests_log, response, text):
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page, page
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert requests_log() == []
    return page


@pytest.mark.parametrize(
    ("name", "data", "label", "text"),
    [
        (
            "notes.wav",
            b"These are words, not sound at all.",
            "",
            "is not wav or ogg or mp3 or flac",
        ),
        ("silence.wav", b"", "", "silence.wav is empty."),
        ("take.wav", wav(0.2), "x" * 41, "Keep the label to 40 characters or fewer."),
    ],
    ids=["not-audio", "empty", "label-41"],
)
def test_bad_input_is_explained_and_nothing_is_stored_or_sent(
    member_client, folder, requests_log, name, data, label, text
):
    good = SimpleUploadedFile("good.wav", wav(0.2), "audio/wav")
    bad = SimpleUploadedFile(name, data, "audio/wav")
    response = _upload(member_client, folder, good, bad, label=label)
    page = _refused(member_client, folder, requests_log, response, text)
    assert "Nothing was stored or sent to Respeecher" in page


def test_no_file_at_all_is_explained(member_client, folder, requests_log):
    response = member_client.post(_url(folder, "recordings_upload"), {"upload-label": "x"})
    _refused(member_client, folder, requests_log, response, "Choose at least one audio file.")


class Counting(FileUploadHandler):
    """Stands for Django's own handlers: counts the file bytes that reach them."""

    seen = 0

    def receive_data_chunk(self, raw_data, start):
        Counting.seen += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_file_over_the_cap_is_stopped_as_it_streams_in(
    member_client, folder, requests_log, settings
):
    settings.RECORDINGS_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_HANDLERS = [
        f"{__name__}.Counting",
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    Counting.seen = 0
    big = SimpleUploadedFile("long.wav", wav(80.0), "audio/wav")  # about 1.3 MB
    assert big.size > MB
    response = _upload(member_client, folder, big, label="Long take")
    page = _refused(member_client, folder, requests_log, response, "long.wav is larger than 1 MB.")
    assert 0 < Counting.seen <= MB  # Django's handlers never held more than the cap
    assert 'value="Long take"' in page  # what arrived before the file is kept


def test_the_cap_is_said_on_the_form(member_client, folder, settings):
    settings.RECORDINGS_MAX_UPLOAD_MB = 7
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "at most 7 MB each" in page and f'data-max-bytes="{7 * MB}"' in page
    assert 'type="file"' in page and "multiple" in page and "data-drop-zone" in page


def test_the_folders_speech_form_offers_languages_by_name(member_client, folder):
    """A producer picks "German", not the code "de" (the field once asked for a code)."""
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert '<option value="de">German</option>' in page
    assert "Let Respeecher tell from the text" in page and "short code" not in page


def test_speech_is_made_into_the_folder_by_a_job(
    member_client, team, folder, respeecher, requests_log, run_to_the_end
):
    data = {"speak-text": "Once upon a time.", "speak-language": "en", "speak-label": "Opening"}
    response = member_client.post(_url(folder, "recordings_speak"), data)
    assert response.status_code == 302
    job = Job.objects.get(team=team)
    assert job.kind == "respeecher.speech" and requests_log() == []

    job = run_to_the_end(job)
    assert job.status == Status.COMPLETED, job.failure_message
    (sent,) = [r for r in requests_log() if r["path"].endswith("/api/v2/recordings/tts")]
    assert sent["json"]["text_language"] == "en" and sent["json"]["text"] == "Once upon a time."

    (spoken,) = _upstream_originals(respeecher, folder).values()
    assert spoken.tts and spoken.text == "Once upon a time." and spoken.label == "Opening"
    take = Recording.objects.get(folder=folder, remote_id=spoken.id)
    assert take.tts and take.label == "Opening" and take.is_completed
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "Opening" in page and "Text to speech" in page
    assert Activity.objects.filter(team=team, verb="recording.spoken").exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"speak-text": "", "speak-label": ""}, "Type the text to speak."),
        ({"speak-text": "Hi", "speak-label": "y" * 41}, "Keep the label to 40 characters"),
        ({"speak-text": "Hi", "speak-language": "english!"}, "Choose the language from the list"),
    ],
    ids=["no-text", "label-41", "bad-language"],
)
def test_bad_speech_input_is_explained_and_nothing_is_sent(
    member_client, folder, requests_log, data, text
):
    response = member_client.post(_url(folder, "recordings_speak"), data)
    _refused(member_client, folder, requests_log, response, text)


def test_an_upload_whose_answer_was_lost_is_found_by_its_marker_not_sent_twice(
    member_client, team, folder, respeecher, requests_log, run_to_the_end, control
):
    label = "A label of exactly forty characters long"
    assert len(label) == Recording.LABEL_MAX
    _upload(member_client, folder, SimpleUploadedFile("once.wav", wav(0.3)), label=label)
    job = Job.objects.get(team=team)
    # A worker sent it, then died before saving the answer.
    sent = uploading.RespeecherUpload().submit(job, client_for(respeecher))
    (upstream,) = _upstream_originals(respeecher, folder).values()
    assert upstream.label.endswith(f" [{job.marker}]") and len(upstream.label) <= 40
    Job.objects.filter(pk=job.pk).update(status=Status.SUBMITTING, attempts=1)
    requests_log()

    assert engine.submit(job.pk) == "submitted"

    job.refresh_from_db()
    assert job.remote_id == sent.remote_id
    uploads = [r for r in requests_log() if r["method"] == "POST"]
    assert uploads == []  # found among the folder's originals, not uploaded again
    job = run_to_the_end(job)
    assert job.status == Status.COMPLETED
    assert [r.label for r in _upstream_originals(respeecher, folder).values()] == [label]
    assert Recording.objects.get(folder=folder).label == label


def test_a_job_whose_file_is_gone_fails_with_a_reason(member_client, team, folder):
    _upload(member_client, folder, SimpleUploadedFile("gone.wav", wav(0.2)))
    InputFile.objects.all().delete()
    job = Job.objects.get(team=team)
    assert engine.submit(job.pk) == "failed"
    job.refresh_from_db()
    assert "deleted before it could be sent" in job.failure_message


# Walls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["recordings_upload", "recordings_speak"])
def test_anonymous_people_are_sent_to_log_in(client, folder, name, requests_log):
    response = client.post(_url(folder, name), {"speak-text": "Hi"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Job.objects.exists() and requests_log() == []


@pytest.mark.parametrize("name", ["recordings_upload", "recordings_speak"])
def test_viewers_see_no_forms_and_are_refused(viewer_client, folder, name, requests_log):
    page = viewer_client.get(folder.get_absolute_url()).content.decode()
    assert "Upload to Respeecher" not in page and "Speak into this folder" not in page
    response = viewer_client.post(
        _url(folder, name),
        {"speak-text": "Hi", "upload-files": [SimpleUploadedFile("a.wav", wav(0.2))]},
    )
    assert response.status_code == 403
    assert not Job.objects.exists() and requests_log() == []


@pytest.mark.parametrize("name", ["recordings_upload", "recordings_speak"])
def test_another_teams_folder_is_not_found(member_client, team, other_team, name, requests_log):
    theirs = FolderFactory(project__team=other_team)
    url = reverse(name, kwargs={"team": team.slug, "folder_id": theirs.pk})
    response = member_client.post(
        url,
        {"speak-text": "Hi", "upload-files": [SimpleUploadedFile("a.wav", wav(0.2))]},
    )
    assert response.status_code == 404
    assert not Job.objects.exists() and requests_log() == []


# Replacing a take -------------------------------------------------------------------------


@pytest.fixture
def take(member_client, team, folder, respeecher, requests_log, run_to_the_end):
    _upload(member_client, folder, SimpleUploadedFile("v1.wav", wav(0.3)), label="First cut")
    run_to_the_end(Job.objects.get(team=team))
    requests_log()
    return Recording.objects.get(folder=folder)


def test_a_take_is_replaced_with_put_keeping_its_id_and_audio(
    member_client, team, take, respeecher, requests_log
):
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert "cannot replace a take's audio" in page and "Replace label and star" in page
    audio_before = client_for(respeecher).get_recording(take.remote_id).url
    url = reverse("recordings_replace", kwargs={"team": team.slug, "recording_id": take.pk})

    response = member_client.post(url, {"label": "Final cut", "starred": "1"}, follow=True)

    assert "Replaced at Respeecher: “Final cut”, starred; same take." in response.content.decode()
    (put,) = [r for r in requests_log() if r["method"] != "GET"]
    assert put["method"] == "PUT" and put["json"] == {"label": "Final cut", "starred": True}
    upstream = client_for(respeecher).get_recording(take.remote_id)
    assert (upstream.label, upstream.starred, upstream.url) == ("Final cut", True, audio_before)
    take.refresh_from_db()
    assert (take.label, take.starred) == ("Final cut", True)
    assert Recording.objects.filter(team=team).count() == 1
    assert Activity.objects.filter(team=team, verb="recording.replaced").exists()


def test_a_replace_with_a_41_character_label_is_refused_unsent(
    member_client, team, take, requests_log
):
    url = reverse("recordings_replace", kwargs={"team": team.slug, "recording_id": take.pk})
    response = member_client.post(url, {"label": "z" * 41}, follow=True)
    assert "Keep the label to 40 characters or fewer." in response.content.decode()
    assert requests_log() == []
    take.refresh_from_db()
    assert take.label == "First cut"


def test_viewers_cannot_replace_a_take(viewer_client, team, take, requests_log):
    assert (
        "Replace label and star" not in viewer_client.get(take.get_absolute_url()).content.decode()
    )
    url = reverse("recordings_replace", kwargs={"team": team.slug, "recording_id": take.pk})
    assert viewer_client.post(url, {"label": "Mine"}).status_code == 403
    assert requests_log() == []


def test_the_folder_page_shows_the_same_blank_forms_it_renders_once(member_client, team, settings):
    """The blank upload and speech fields are rendered once per process; what the page
    shows is what the forms render (names, limits, help), and a change of cap shows."""
    from django.template.loader import render_to_string

    from recordings.forms import SpeakForm, UploadForm
    from recordings.tests.factories import FolderFactory, ProjectFactory

    folder = FolderFactory(project=ProjectFactory(team=team, account__team=team))
    html = member_client.get(folder.get_absolute_url()).content.decode()
    fresh_upload = render_to_string(
        "recordings/folder.html#upload-fields", {"upload_form": UploadForm()}
    )
    fresh_speak = render_to_string(
        "recordings/folder.html#speak-fields", {"speak_form": SpeakForm()}
    )
    assert fresh_upload.strip() in html and fresh_speak.strip() in html
    assert 'name="upload-files"' in html and 'name="speak-text"' in html
    settings.RECORDINGS_MAX_UPLOAD_MB = 3  # a new cap is not hidden by the kept render
    html = member_client.get(folder.get_absolute_url()).content.decode()
    assert f'data-max-bytes="{3 * 1024 * 1024}"' in html


# Speech from the Voices page: the same kind, with a conversion -----------------------------


def test_speech_on_both_pages_is_one_kind_and_a_voices_lost_answers_are_found_again(
    member_client, team, folder, respeecher, requests_log, run_to_the_end, seed
):
    """The Voices page and "Speak into this folder" start the one speech kind; from the
    Voices page it converts into the voice too. A submission and an order whose answers
    were lost are found by the marker in their labels, never sent twice, and both labels
    end as the text's first words."""
    from jobs.models import STEP_HOLD
    from voices.models import Generation, Kind
    from voices.tests.factories import VoiceFactory

    (voice_id,) = seed("respeecher.voice", 1, name_prefix="Narrator")
    voice = VoiceFactory(
        team=team,
        account=respeecher,
        kind=Kind.PUBLIC,
        remote_id=voice_id,
        raw={"narration_styles": [{"id": "ns-1", "is_default": True, "name": "Calm"}]},
    )
    text = "Chapter one. It was a bright cold day in April, and the clocks struck."
    speech_page = reverse("voices_speech", kwargs={"team": team.slug})
    data = {"voice": voice.pk, "text": text, "folder": folder.remote_id}
    assert member_client.post(speech_page, data).status_code == 302
    in_folder = {"speak-text": "Once upon a time.", "speak-label": "Opening"}
    assert member_client.post(_url(folder, "recordings_speak"), in_folder).status_code == 302
    in_voice = Generation.objects.get(team=team).job
    spoken = Job.objects.exclude(pk=in_voice.pk).get(team=team)
    assert in_voice.kind == spoken.kind == uploading.RespeecherSpeech.name
    requests_log()

    # The worker sent the text, then died before saving Respeecher's answer.
    kind = uploading.RespeecherSpeech()
    client = client_for(respeecher)
    sent = kind.submit(in_voice, client)
    Job.objects.filter(pk=in_voice.pk).update(status=Status.SUBMITTING, attempts=1)
    assert engine.submit(in_voice.pk) == "submitted"
    in_voice.refresh_from_db()
    assert in_voice.remote_id == sent.remote_id
    # A poll ordered the conversion and died before saving the answer; its hold lapsed.
    processes.wait_until(
        lambda: client.get_recording(sent.remote_id).state == "completed", 10, what="spoken"
    )
    assert kind.fetch_one(in_voice, client).status == "converting: ordered"
    Job.objects.filter(pk=in_voice.pk).update(**STEP_HOLD.released())

    in_voice = run_to_the_end(in_voice)
    assert in_voice.status == Status.COMPLETED, in_voice.failure_message
    posts = [r["path"] for r in requests_log() if r["method"] == "POST"]
    assert posts == ["/respeecher/api/v2/recordings/tts", "/respeecher/api/v2/orders"]
    (original,) = [r for r in _upstream_originals(respeecher, folder).values()]
    (conversion,) = client.iter_conversions(original.id)
    first_words = "Chapter one. It was a bright cold day…"
    assert original.label == conversion.label == first_words
    assert in_voice.made.label == "Listen" and in_voice.files.get().media_kind == "audio"

    spoken = run_to_the_end(spoken)
    assert spoken.status == Status.COMPLETED, spoken.failure_message
    assert spoken.made.label == "Open the take"
    assert Recording.objects.get(folder=folder, label="Opening").tts


@pytest.mark.s3
def test_a_take_stored_in_a_bucket_is_sent_from_there_and_then_removed(
    member_client,
    team,
    folder,
    respeecher,
    bucket,
    settings,
    run_to_the_end,
    django_capture_on_commit_callbacks,
):
    from core.tests.s3 import media_root_files

    take = wav(1)
    _upload(member_client, folder, SimpleUploadedFile("take.wav", take), label="Scene 5")
    (stored,) = InputFile.objects.filter(team=team)
    assert list(bucket.objects().values()) == [len(take)]
    with django_capture_on_commit_callbacks(execute=True):
        job = run_to_the_end(Job.objects.get(team=team))
    assert job.status == Status.COMPLETED, job.failure_message
    (sent,) = _upstream_originals(respeecher, folder).values()
    assert (sent.file_name, sent.size) == ("take.wav", len(take))
    assert bucket.objects() == {} and media_root_files(settings) == []
