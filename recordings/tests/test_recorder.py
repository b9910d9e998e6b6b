"""A take recorded in the folder's page (recordings/recorder.html) reaches Voxboard as an
upload with the device's name: it is sent to Respeecher as `microphone`, and a take
under a second, or a name that cannot be sent, is refused with nothing stored or sent."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.models import InputFile, Job, Status
from jobs.tests.audio import wav
from recordings import editing
from recordings.models import Recording
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

MIC = "USB Studio Mic (0d8c:0014)"


@pytest.fixture
def folder(respeecher, requests_log):
    project, _ = editing.create_project(respeecher, "Audiobook")
    folder, _ = editing.create_folder(project, "Chapter 1")
    requests_log()
    return folder


def _send_take(client, folder, data, *, microphone=MIC, label="", name="Take 1.wav", more=()):
    url = reverse("recordings_upload", kwargs={"team": folder.team.slug, "folder_id": folder.pk})
    files = [SimpleUploadedFile(name, data, "audio/wav"), *more]
    body = {"upload-label": label, "upload-microphone": microphone, "upload-files": files}
    return client.post(url, body)


def _refused(response, requests_log, text):
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page, page
    assert "Nothing was sent" in page
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert requests_log() == []
    return page


def test_the_folder_page_offers_the_recorder_hidden_until_script_finds_a_microphone(
    member_client, folder
):
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "Record a take" in page
    # Hidden in the HTML: without script the page offers upload and speech only.
    assert "data-recorder-holder hidden" in page and "data-recorder hidden" in page
    assert 'name="upload-microphone"' in page and "js/recorder.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_a_viewer_gets_no_recorder(viewer_client, folder):
    page = viewer_client.get(folder.get_absolute_url()).content.decode()
    assert "Record a take" not in page and "js/recorder.js" not in page


def test_a_recorded_take_is_sent_with_its_microphone_and_lands_in_the_folder(
    member_client, team, folder, respeecher, requests_log, run_to_the_end
):
    response = _send_take(member_client, folder, wav(2.0), label="Line 12")
    assert response.status_code == 302 and response["Location"] == folder.get_absolute_url()
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "Sending your take to Respeecher" in page
    [job] = Job.objects.filter(team=team)
    assert requests_log() == []  # the worker sends it

    assert run_to_the_end(job).status == Status.COMPLETED, job.failure_message

    [sent] = [r for r in requests_log() if r["method"] == "POST"]
    assert sent["path"] == "/respeecher/api/recordings"
    assert sent["form"]["microphone"] == MIC
    assert sent["files"]["data"] == {"name": "Take 1.wav", "size": len(wav(2.0))}
    [upstream] = client_for(respeecher).iter_originals(folder.remote_id)
    assert upstream.raw["microphone"] == MIC and upstream.label == "Line 12"
    assert Recording.objects.filter(folder=folder, label="Line 12").exists()


def test_an_uploaded_file_is_still_sent_as_a_file(
    member_client, team, folder, requests_log, run_to_the_end
):
    _send_take(member_client, folder, wav(0.3), microphone="")
    run_to_the_end(Job.objects.get(team=team))
    [sent] = [r for r in requests_log() if r["method"] == "POST"]
    assert sent["form"]["microphone"] == "file"


def test_a_recorded_take_under_a_second_is_refused_and_nothing_is_sent(
    member_client, folder, requests_log
):
    response = _send_take(member_client, folder, wav(0.6))
    page = _refused(response, requests_log, "Take 1.wav lasts 0.6 s; at least 1 s is needed.")
    # Said on the recorder's card, shown again (its recorder waits for script as before).
    assert "Record a take" in page and "data-recorder-holder hidden" not in page


@pytest.mark.parametrize(
    ("microphone", "text"),
    [
        ("m" * 101, "The microphone&#x27;s name is longer than 100 characters"),
        ("Mic\x07one", "The microphone&#x27;s name holds characters that cannot be shown."),
    ],
    ids=["too-long", "unprintable"],
)
def test_a_microphone_name_that_cannot_be_sent_is_refused(
    member_client, folder, requests_log, microphone, text
):
    response = _send_take(member_client, folder, wav(2.0), microphone=microphone)
    _refused(response, requests_log, text)


def test_a_recorded_take_must_be_one_wav(member_client, folder, requests_log):
    extra = SimpleUploadedFile("Take 2.wav", wav(2.0), "audio/wav")
    response = _send_take(member_client, folder, wav(2.0), more=[extra])
    _refused(response, requests_log, "A recorded take is sent on its own.")
