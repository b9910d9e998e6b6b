"""Attacks on serving stored results from our origin: a provider answers with HTML or
script and the type it claims; together they would get past `script-src 'self'`."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jobs.files import inline_type
from jobs.tests.factories import JobFileFactory

PAGE = b"<!doctype html><script src='/t/acme/jobs/files/2/'></script>"
SCRIPT = b"fetch('/t/acme/settings/providers/').then(r => r.text()).then(steal)"


def _get(client, team, stored, **params):
    url = reverse("job_file", kwargs={"team": team.slug, "file_id": stored.pk})
    return client.get(url, params)


@pytest.mark.parametrize(
    ("body", "claimed"),
    [
        (PAGE, "text/html"),
        (SCRIPT, "application/javascript"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='steal()'/>", "image/svg+xml"),
        (PAGE, "audio/wav"),  # a lie about the type changes nothing
    ],
)
def test_an_html_or_script_result_is_never_served_inline_under_its_claimed_type(
    owner_client, team, body, claimed
):
    stored = JobFileFactory(
        job__team=team,
        file=ContentFile(body, name="result.html"),
        content_type=claimed,
        size=len(body),
    )
    response = _get(owner_client, team, stored)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_audio_result_plays_inline_under_the_type_its_bytes_show(owner_client, team):
    stored = JobFileFactory(job__team=team, content_type="text/html")  # a WAV, whatever it says
    response = _get(owner_client, team, stored)
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 12, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 10, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"PK\x03\x04" + b"\x00" * 12, "application/zip"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4, "video/mp4"),
        (b"<html><body>hi</body></html>", None),
        (b"%PDF-1.7\n" + b"\x00" * 8, None),
    ],
)
def test_only_media_images_and_zips_are_shown_inline(head, expected):
    assert inline_type(head) == expected


class _FakeStream:
    """What a client's `stream(url)` gives: headers and chunks, and whether it was left."""

    def __init__(self, chunks, length=None, filename=None):
        self._chunks, self.content_length, self.filename = chunks, length, filename
        self.left = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.left = True

    def chunks(self):
        yield from self._chunks


# Closing a response sends request_finished, which closes the database connection.
@pytest.mark.django_db
def test_a_relayed_provider_file_that_is_a_page_is_never_shown_as_one():
    from jobs.files import relay_response

    opened = _FakeStream([b"<html><script>alert(1)</script>", b"</html>"], filename="a.wav")
    response = relay_response(opened, name="audio", provider="A2E")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"<html>")
    response.close()
    assert opened.left


# Closing a response sends request_finished, which closes the database connection.
@pytest.mark.django_db
def test_a_relayed_file_that_is_never_read_still_lets_its_connection_go():
    from jobs.files import relay_response
    from jobs.tests.audio import wav

    opened = _FakeStream([wav(1)[:1000], b"rest"], length=1004)
    response = relay_response(opened, name="audio", provider="A2E")
    assert (response["Content-Type"], response["Content-Length"]) == ("audio/wav", "1004")
    assert response["Content-Disposition"].startswith("inline")
    response.close()  # as Django does when a client goes away before the body
    assert opened.left


def test_a_result_stored_without_an_extension_is_named_by_its_type(owner_client, team):
    # A provider's link with no name (`.../download?id=7`) is stored as "download".
    stored = JobFileFactory(
        job__team=team,
        job__label="Promo",
        file=ContentFile(b"ID3" + b"\x00" * 64, name="download"),
        content_type="audio/mpeg",
    )
    assert stored.download_name == "Promo.mp3"
