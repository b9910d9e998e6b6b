"""Signing in to Respeecher with an email and password to make a key, at the HTTP boundary."""

from __future__ import annotations

import logging

import httpx
import pytest

from providers import pool
from providers.errors import AuthError, ProtocolError, Unavailable
from providers.respeecher import RespeecherClient

BASE = "https://respeecher.test"
EMAIL = "studio@example.com"
PASSWORD = "correct-Horse-battery-Zq9x"
SESSION = "s3ss10n-0123456789abcdef"
CSRF = "csrf-0123456789abcdef"
NEW_KEY = "made-key-0123456789abcdef"
USER = {"id": "u-1", "email": EMAIL, "username": "studio", "verified": True, "roles": ["user"]}


def _signed_in(mock):
    return mock.post(f"{BASE}/api/login").respond(
        json={"user": USER, "csrf_token": CSRF},
        headers={"Set-Cookie": f"session_id={SESSION}; Path=/; HttpOnly; SameSite=lax"},
    )


def test_the_key_is_made_with_the_session_cookie_and_csrf_header_then_logged_out(mock, sleep):
    login = _signed_in(mock)
    made = mock.post(f"{BASE}/api/api-key").respond(json={"api_key": NEW_KEY})
    logout = mock.post(f"{BASE}/api/logout").respond(json={})

    with RespeecherClient.signed_in(BASE, EMAIL, PASSWORD, sleep=sleep) as session:
        key = session.create_api_key()
        assert session.user.username == "studio"
        assert logout.call_count == 0

    assert key.key == NEW_KEY
    assert login.calls.last.request.read() == (
        b'{"email":"studio@example.com","password":"correct-Horse-battery-Zq9x"}'
    )
    for call in (made.calls.last, logout.calls.last):
        assert call.request.headers["Cookie"] == f"session_id={SESSION}"
        assert call.request.headers["X-Csrf-Token"] == CSRF
        assert "api-key" not in call.request.headers
        assert not call.request.content  # the seed documents no body for either


def test_a_refused_login_is_explained_in_respeechers_own_words(mock, sleep):
    mock.post(f"{BASE}/api/login").respond(401, json={"detail": "Incorrect email or password"})
    made = mock.post(f"{BASE}/api/api-key").respond(json={"api_key": NEW_KEY})

    with pytest.raises(AuthError) as refused:
        RespeecherClient.login(BASE, EMAIL, "wrong-password", sleep=sleep)

    assert refused.value.message == "Respeecher: Incorrect email or password"
    assert made.call_count == 0


def test_the_session_is_logged_out_even_when_making_the_key_fails(mock, sleep):
    _signed_in(mock)
    mock.post(f"{BASE}/api/api-key").respond(500, json={"detail": "boom"})
    logout = mock.post(f"{BASE}/api/logout").respond(json={})

    with (
        pytest.raises(Unavailable),
        RespeecherClient.signed_in(BASE, EMAIL, PASSWORD, sleep=sleep) as session,
    ):
        session.create_api_key()

    assert logout.call_count == 1


def test_a_failed_logout_does_not_undo_the_key(mock, sleep, caplog):
    _signed_in(mock)
    mock.post(f"{BASE}/api/api-key").respond(json={"api_key": NEW_KEY})
    mock.post(f"{BASE}/api/logout").respond(500, json={"detail": "down"})

    with RespeecherClient.signed_in(BASE, EMAIL, PASSWORD, sleep=sleep) as session:
        key = session.create_api_key()

    assert key.key == NEW_KEY
    assert "logging out failed" in caplog.text


def test_a_login_answer_without_a_session_is_a_protocol_error(mock, sleep):
    mock.post(f"{BASE}/api/login").respond(json={"user": USER})

    with pytest.raises(ProtocolError, match="gave no session"):
        RespeecherClient.login(BASE, EMAIL, PASSWORD, sleep=sleep)


def test_the_shared_client_keeps_no_session_cookie_for_other_calls(mock, sleep):
    # One pooled client serves every team's key for this host: a session cookie kept in
    # it would ride along on another team's calls.
    _signed_in(mock)
    credits = mock.get(f"{BASE}/api/credits").respond(json=10)

    RespeecherClient.login(BASE, EMAIL, PASSWORD, sleep=sleep)
    RespeecherClient(BASE, "other-teams-key-0000", sleep=sleep).credits()

    assert "Cookie" not in credits.calls.last.request.headers
    assert not pool.pooled_client(BASE).cookies


def test_a_password_echoed_back_is_never_logged_even_in_part(mock, sleep, caplog):
    caplog.set_level(logging.DEBUG)
    mock.post(f"{BASE}/api/login").respond(422, text=f"bad password {PASSWORD}")

    with pytest.raises(Exception) as failed:  # noqa: PT011 - what matters is the text
        RespeecherClient.login(BASE, EMAIL, PASSWORD, sleep=sleep)

    shown = caplog.text + str(failed.value) + str(getattr(failed.value, "detail", ""))
    assert "bad password ***" in shown
    assert PASSWORD not in shown
    assert PASSWORD[-4:] not in shown  # a key shows its last four; a password none


def test_a_real_http_error_is_not_swallowed(mock, sleep):
    mock.post(f"{BASE}/api/login").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(Unavailable):
        RespeecherClient.login(BASE, EMAIL, PASSWORD, sleep=sleep)
