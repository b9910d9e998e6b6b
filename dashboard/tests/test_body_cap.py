"""Attacks on request bodies: Django parses (and spools to disk) a multipart body before
the CSRF check can refuse it, so an anonymous POST of any size used to fill the disk."""

import io

import pytest
from django.core import signals
from django.core.files import uploadedfile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from django.urls import get_resolver, reverse

from dashboard.tests.urlwalk import url_for as _url
from dashboard.tests.urlwalk import walk as _walk
from recordings.tests.factories import FolderFactory
from teams.models import Role
from teams.tests.factories import MembershipFactory

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


def _post(path: str, body: HugeBody, cookie: str = "", csrf: str = ""):
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
    if csrf:
        environ["HTTP_X_CSRFTOKEN"] = csrf
    status = []
    # As Django's test client does: the test's transaction holds the connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
        page = b"".join(response).decode()
        response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), page


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


# --- who may upload is settled before the body is read -------------------------------

# Every view that takes files carries its body cap (jobs.uploads.upload_view), so a view
# added later is walked here without editing this test.
UPLOAD_ROUTES = sorted(
    name
    for name, entry in _walk(get_resolver().url_patterns)
    if getattr(entry.callback, "max_body_bytes", None)
)
ATTACK_BYTES = 300 * 1024 * 1024


def test_the_upload_walk_finds_every_view_that_takes_files():
    assert {"dubbing_new", "voices_clone", "voices_burki_clone", "recordings_upload"} <= set(
        UPLOAD_ROUTES
    )


def _cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", UPLOAD_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "other team's member", "viewer"])
def test_an_upload_from_someone_not_allowed_is_answered_before_its_body_is_read(
    name, who, team, other_team, settings, spooled, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    MembershipFactory(team=team, role=Role.OWNER)
    if who == "anonymous":
        person = ""
    elif who == "viewer":
        person = _cookie_for(MembershipFactory(team=team, role=Role.VIEWER).user)
    else:
        person = _cookie_for(MembershipFactory(team=other_team, role=Role.OWNER).user)
    # A made-up CSRF cookie and its header, as the attack used: the token is "right".
    token = "a" * 32
    cookie = "; ".join(c for c in (person, f"csrftoken={token}") if c)
    # At most the route's own body cap, so the middleware's 413 does not stand in for
    # the check under test.
    url = _url(name, team)
    body = HugeBody(min(ATTACK_BYTES, get_resolver().resolve(url).func.max_body_bytes()))
    status, _ = _post(url, body, cookie, csrf=token)
    expected = {"anonymous": 302, "viewer": 403, "other team's member": 404}[who]
    assert status == expected
    assert body.sent < 1024 * 1024
    assert spooled == []
    assert list((tmp_path / "spool").iterdir()) == []
    media = settings.MEDIA_ROOT
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_a_member_with_the_header_token_still_uploads_and_meets_the_file_cap(
    member, team, settings, spooled
):
    settings.RECORDINGS_MAX_UPLOAD_MB = 1
    folder = FolderFactory(project__team=team)
    token = "b" * 32
    cookie = f"{_cookie_for(member.user)}; csrftoken={token}"
    body = HugeBody(2 * 1024 * 1024)  # under the body cap, over the file's own
    url = reverse("recordings_upload", kwargs={"team": team.slug, "folder_id": folder.pk})
    status, page = _post(url, body, cookie, token)
    assert status == 200 and "fill.bin is larger than 1 MB" in page  # the form, with why
    assert spooled == []


@pytest.mark.django_db
def test_an_upload_without_a_csrf_token_is_refused(member, team, settings):
    cookie = f"{_cookie_for(member.user)}; csrftoken={'c' * 32}"
    body = HugeBody(64 * 1024)
    status, _ = _post(reverse("dubbing_new", kwargs={"team": team.slug}), body, cookie)
    assert status == 403
