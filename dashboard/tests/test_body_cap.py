"""Attacks on request bodies: Django parses (and spools to disk) a multipart body before
the CSRF check can refuse it, so an anonymous POST of any size used to fill the disk."""

import io

import pytest
from django.core.files import uploadedfile
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.urls import reverse

BOUNDARY = "voxboardattack"


class HugeBody(io.RawIOBase):
    """wsgi.input for a multipart body of `size` bytes made as it is read, never held
    whole; counts what the server read."""

    def __init__(self, size: int):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="fill.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.sent = 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.size - self.sent if n is None or n < 0 else min(n, self.size - self.sent)
        out = bytearray()
        while len(out) < n:
            at = self.sent + len(out)
            if at < len(self.head):
                out += self.head[at : at + n - len(out)]
            elif at >= self.size - len(self.tail):
                i = at - (self.size - len(self.tail))
                out += self.tail[i : i + n - len(out)]
            else:
                out += b"\0" * min(n - len(out), self.size - len(self.tail) - at)
        self.sent += len(out)
        return bytes(out)

    def readline(self, limit=-1):
        return self.read(limit if limit and limit > 0 else 65536)


def _post(path: str, body: HugeBody, cookie: str = ""):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.size),
        "HTTP_COOKIE": cookie,
    }
    status = []
    chunks = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    return int(status[0].split()[0]), b"".join(chunks).decode()


@pytest.fixture
def spooled(monkeypatch):
    """Every temporary upload file Django opens while a request is parsed."""
    made = []
    real = uploadedfile.TemporaryUploadedFile.__init__

    def record(self, *args, **kwargs):
        made.append(args[0] if args else kwargs.get("name"))
        real(self, *args, **kwargs)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", record)
    return made


@pytest.mark.django_db
def test_an_anonymous_60_mb_post_to_the_login_page_writes_no_temporary_file(spooled):
    body = HugeBody(60 * 1024 * 1024)
    status, page = _post(reverse("login"), body)
    assert status == 413
    assert "at most 1 MB here" in page
    assert spooled == []
    assert body.sent == 0  # not a byte of it was read


@pytest.mark.django_db
def test_a_body_over_an_upload_views_own_cap_is_refused_unread(member, team, settings, spooled):
    settings.DUBBING_MAX_UPLOAD_MB = 1
    client = Client()
    client.force_login(member.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    body = HugeBody(3 * 1024 * 1024)  # the 1 MB file cap plus 1 MB for the form, exceeded
    status, page = _post(reverse("dubbing_new", kwargs={"team": team.slug}), body, cookie)
    assert status == 413 and "at most 2 MB" in page
    assert spooled == [] and body.sent == 0


@pytest.mark.django_db
def test_an_ordinary_form_under_the_cap_still_works(client, settings):
    settings.REQUEST_MAX_KB = 16
    response = client.post(reverse("login"), {"username": "nobody", "password": "x" * 1000})
    assert response.status_code == 200  # the form answered (wrong password), not the cap
    response = client.post(reverse("login"), {"username": "nobody", "password": "x" * 20000})
    assert response.status_code == 413
