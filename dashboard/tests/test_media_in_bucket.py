"""Media in an S3-compatible bucket (moto's server on loopback), the whole way: an upload
stored there, the provider fetching it through a presigned link, its result copied in,
a browser's download sent to a presigned link, a team's delete taking its objects, an
install's local files moved in; and nothing written under MEDIA_ROOT along the way."""

import hashlib
import io
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import storage
from core.tests.s3 import PREFIX, media_root_files
from dubbing.models import Dubbing
from jobs import inputs
from jobs.models import InputFile, JobFile, Status
from jobs.tests.audio import wav
from jobs.tests.factories import JobFileFactory
from teams.tests.factories import ProviderAccountFactory

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

SOURCE = wav(3)


@pytest.fixture
def a2e(team, sandbox_url, control):
    return ProviderAccountFactory(
        team=team, provider="a2e", base_url=f"{sandbox_url}/a2e", secret="sandbox-a2e"
    )


def _dub(client, team, name="Trailer"):
    """The new-dubbing form posted with an uploaded WAV, into German."""
    response = client.post(
        reverse("dubbing_new", kwargs={"team": team.slug}),
        {
            "name": name,
            "source": SimpleUploadedFile("trailer.wav", SOURCE, "audio/wav"),
            "source_lang": "en",
            "targets": ["de"],
            "num_speakers": 1,
        },
    )
    assert response.status_code == 302
    return Dubbing.objects.get(team=team, name=name)


def _sent_source_urls(control):
    log = control.get("/_sandbox/requests", params={"provider": "a2e"}).json()["requests"]
    return [r["json"]["source_url"] for r in log if r["path"].endswith("/startDubbing")]


def test_an_upload_is_stored_in_the_bucket_and_nothing_under_media_root(
    member_client, team, a2e, bucket, settings
):
    dubbing = _dub(member_client, team)
    stored = InputFile.objects.get(team=team)
    assert dubbing.batch.source == stored
    key = f"{PREFIX}/{stored.file.name}"
    assert bucket.objects() == {key: len(SOURCE)}
    assert bucket.read(key) == SOURCE
    assert media_root_files(settings) == []


def test_the_provider_fetches_an_input_through_a_presigned_link_not_our_origin(
    member_client, team, a2e, bucket, control, settings, run_to_the_end
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:9"  # nothing listens: not needed with a bucket
    settings.INPUT_URL_LIFETIME = 600
    dubbing = _dub(member_client, team)
    job = run_to_the_end(dubbing.job)
    assert job.status == Status.COMPLETED, job.failure_message
    (sent,) = _sent_source_urls(control)
    link = urlsplit(sent)
    assert f"{link.scheme}://{link.netloc}" == bucket.endpoint
    assert link.path.startswith(f"/{bucket.name}/{PREFIX}/inputs/{team.pk}/")
    query = parse_qs(link.query)
    assert query["X-Amz-Expires"] == ["600"] and query["X-Amz-Signature"]
    assert query["response-content-type"] == ["audio/wav"]
    # The sandbox could read it (the job completed); anyone can, until it expires.
    assert httpx.get(sent).content == SOURCE


def test_a_result_is_copied_into_the_bucket_and_nothing_under_media_root(
    member_client, team, a2e, bucket, settings, run_to_the_end
):
    job = run_to_the_end(_dub(member_client, team).job)
    assert job.status == Status.COMPLETED, job.failure_message
    (result,) = job.files.all()
    key = f"{PREFIX}/{result.file.name}"
    assert key.startswith(f"{PREFIX}/jobs/{team.pk}/{job.pk}/")
    body = bucket.read(key)
    assert len(body) == result.size > 0
    assert hashlib.sha256(body).hexdigest() == result.sha256
    assert body.startswith(b"RIFF")
    assert bucket.unfinished_uploads() == []
    assert media_root_files(settings) == []


def _download(client, team, stored, **params):
    return client.get(reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk}), params)


def test_a_download_is_sent_to_a_presigned_link_that_answers_as_an_attachment(
    viewer_client, team, bucket
):
    stored = JobFileFactory(
        job__team=team,
        job__label="Promo (de)",
        file=ContentFile(SOURCE, name="result.wav"),
        content_type="text/html",  # the provider's claim, ignored
        size=len(SOURCE),
    )
    response = _download(viewer_client, team, stored, download=1)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{bucket.endpoint}/{bucket.name}/{PREFIX}/jobs/")
    assert "no-store" in response["Cache-Control"]
    answer = httpx.get(response["Location"])
    assert answer.status_code == 200 and answer.content == SOURCE
    assert answer.headers["Content-Type"] == "audio/wav"  # read from its bytes
    assert answer.headers["Content-Disposition"] == 'attachment; filename="Promo (de).wav"'
    # A player's request (no download=1) is sent there too, also as an attachment.
    player = httpx.get(_download(viewer_client, team, stored)["Location"])
    assert player.headers["Content-Disposition"].startswith("attachment")


def test_a_page_or_script_in_the_bucket_is_never_served_as_one(viewer_client, team, bucket):
    page = b"<!doctype html><script>steal()</script>"
    stored = JobFileFactory(
        job__team=team, file=ContentFile(page, name="x.html"), content_type="text/html", size=40
    )
    answer = httpx.get(_download(viewer_client, team, stored)["Location"])
    assert answer.headers["Content-Type"] == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment")


def test_a_download_of_another_teams_file_is_not_found_and_no_link_is_made(
    viewer_client, team, other_team, bucket
):
    theirs = JobFileFactory(job__team=other_team, file=ContentFile(SOURCE, name="r.wav"))
    response = _download(viewer_client, team, theirs)
    assert response.status_code == 404 and "Location" not in response


def test_a_download_asks_for_a_login_first(client, team, bucket):
    stored = JobFileFactory(job__team=team, file=ContentFile(SOURCE, name="r.wav"))
    response = _download(client, team, stored)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deleting_a_team_removes_its_objects_from_the_bucket(
    owner_client, team, other_team, bucket, django_capture_on_commit_callbacks
):
    ProviderAccountFactory(team=team, provider="a2e")
    JobFileFactory(job__team=team, file=ContentFile(SOURCE, name="result.wav"))
    inputs.store(team, SimpleUploadedFile("sample.wav", SOURCE), inputs.Rules(("wav",), 2**20))
    kept = JobFileFactory(job__team=other_team, file=ContentFile(SOURCE, name="theirs.wav"))
    assert len(bucket.objects()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            reverse("team_delete", kwargs={"team": team.slug}), {"confirm_name": team.name}
        )
    assert list(bucket.objects()) == [f"{PREFIX}/{kept.file.name}"]
    assert not JobFile.objects.filter(job__team=team).exists()


def test_the_source_player_is_sent_to_the_bucket_too(member_client, team, a2e, bucket):
    dubbing = _dub(member_client, team)
    url = reverse("dubbing_source", kwargs={"team": team.slug, "job_id": dubbing.job_id})
    answer = httpx.get(member_client.get(url)["Location"])
    assert answer.content == SOURCE and answer.headers["Content-Type"] == "audio/wav"


# manage.py move_media --to s3 ------------------------------------------------------------


def _move():
    out = io.StringIO()
    call_command("move_media", "--to", "s3", stdout=out)
    return out.getvalue()


def test_move_media_copies_local_files_into_the_bucket_and_resumes(bucket, settings):
    local = storage.local_storage()
    local.save("inputs/1/a/sample.wav", ContentFile(SOURCE))
    local.save("jobs/1/2/result.wav", ContentFile(b"RIFF" * 1000))
    local.save("jobs/1/3/cut.wav", ContentFile(b"RIFF" * 500))
    local.save("tmp/tmpab12", ContentFile(b"a partial download"))  # never media
    # A move cut short: one file there whole, one only partly.
    bucket.put(f"{PREFIX}/jobs/1/2/result.wav", b"RIFF" * 1000)
    bucket.put(f"{PREFIX}/jobs/1/3/cut.wav", b"RIFF")

    said = _move()

    assert "Copied 2 files (" in said and "1 already there were left alone" in said
    assert bucket.objects() == {
        f"{PREFIX}/inputs/1/a/sample.wav": len(SOURCE),
        f"{PREFIX}/jobs/1/2/result.wav": 4000,
        f"{PREFIX}/jobs/1/3/cut.wav": 2000,
    }
    assert bucket.read(f"{PREFIX}/inputs/1/a/sample.wav") == SOURCE
    assert "Nothing was deleted from the local folder" in said
    assert len(media_root_files(settings)) == 4  # the folder is left as it was
    assert "Copied 0 files (0\xa0bytes)" in _move() and bucket.unfinished_uploads() == []


def test_move_media_says_what_to_set_when_media_is_not_in_a_bucket(settings):
    with pytest.raises(CommandError, match="set S3_BUCKET"):
        _move()


def test_a_moved_file_is_served_from_the_bucket_under_its_old_row(viewer_client, team, bucket):
    stored = JobFileFactory(job__team=team, file=ContentFile(SOURCE, name="result.wav"))
    name = stored.file.name
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{PREFIX}/{name}")
    storage.local_storage().save(name, ContentFile(SOURCE))
    _move()
    answer = httpx.get(_download(viewer_client, team, stored)["Location"])
    assert answer.content == SOURCE


def test_a_clone_keeps_no_expiring_bucket_link_as_its_sample(team, bucket):
    from types import SimpleNamespace

    from voices.sync import a2e_clone_record

    rules = inputs.Rules(("wav",), 2**20)
    stored = inputs.store(team, SimpleUploadedFile("sample.wav", SOURCE), rules)
    ours = inputs.public_url(stored)
    voice = SimpleNamespace(
        id="v1",
        name="Ann",
        language="en",
        gender="female",
        status="completed",
        state=None,
        voice_urls=[ours, "https://cdn.example/ann.wav"],
        raw={},
    )
    assert a2e_clone_record(voice)["sample_url"] == "https://cdn.example/ann.wav"
    voice.voice_urls = [ours]
    assert a2e_clone_record(voice)["sample_url"] == ""
