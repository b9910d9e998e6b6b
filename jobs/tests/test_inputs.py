"""Files we host for providers: reachable only through a signed link, until it expires."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jobs import inputs
from jobs.tests.audio import wav

pytestmark = pytest.mark.django_db

RULES = inputs.Rules(formats=("wav",), max_bytes=1024 * 1024, min_seconds=1, max_seconds=5)


@pytest.fixture
def stored(team):
    return inputs.store(team, SimpleUploadedFile("take.wav", wav(2), "audio/wav"), RULES)


def test_a_signed_link_serves_the_file_to_anyone_holding_it(stored, settings):
    url = inputs.public_url(stored)
    assert url.startswith(settings.PUBLIC_BASE_URL)
    path = url.removeprefix(settings.PUBLIC_BASE_URL.rstrip("/"))
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content) == wav(2)


def test_a_tampered_or_expired_link_is_not_found(stored, settings, monkeypatch):
    path = inputs.public_url(stored).removeprefix(settings.PUBLIC_BASE_URL.rstrip("/"))
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    assert Client().get(reverse("input_file", kwargs={"token": forged})).status_code == 404
    other = str(stored.pk + 1) + token[len(str(stored.pk)) :]
    assert Client().get(reverse("input_file", kwargs={"token": other})).status_code == 404
    settings.INPUT_URL_LIFETIME = 60
    import time

    later = time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert Client().get(path).status_code == 404


def test_uploads_are_checked_before_anything_is_stored(team):
    from jobs.models import InputFile

    with pytest.raises(inputs.Refused, match="at most 5 s"):
        inputs.store(team, SimpleUploadedFile("long.wav", wav(6), "audio/wav"), RULES)
    with pytest.raises(inputs.Refused, match="is not wav"):
        inputs.store(team, SimpleUploadedFile("a.wav", b"ID3" + b"\0" * 100, "audio/wav"), RULES)
    assert not InputFile.objects.exists()
