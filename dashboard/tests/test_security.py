"""Login throttling, CSRF on htmx requests, the Content-Security-Policy and deploy checks."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from cryptography.fernet import Fernet
from django.db.models import F
from django.test import Client
from django.urls import reverse

from dashboard.throttle import client_ip
from teams.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _login(client, password):
    return client.post(reverse("login"), {"username": "alice", "password": password})


def _works_elsewhere_and_lifts_after_the_cool_off(locked):
    """From another address the account still works (no permanent lock on the user), and
    fifteen minutes later the lock lifts by itself: the failures are aged by that much."""
    assert (
        _login(Client(REMOTE_ADDR="198.51.100.2"), "correct horse battery staple").status_code
        == 302
    )
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15, seconds=1))
    assert _login(locked, "correct horse battery staple").status_code == 302


def test_the_sixth_failed_login_is_throttled_then_lifts(db):
    UserFactory(username="alice")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        response = _login(client, "wrong")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    # The fifth failure locks the pair at once, so it and the sixth are answered with 429.
    assert _login(client, "wrong").status_code == 429
    response = _login(client, "wrong")
    assert response.status_code == 429
    assert b"paused for 15 minutes" in response.content
    # The right password does not get through the lock either...
    assert _login(client, "correct horse battery staple").status_code == 429
    # ...but from another address the account still works (not a permanent lock on the user).
    _works_elsewhere_and_lifts_after_the_cool_off(client)


@pytest.fixture
def behind_one_proxy(settings):
    settings.VOXBOARD_PROXY_COUNT = 1


def _via_proxy(forwarded_for):
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_a_proxy_one_attacker_cannot_lock_a_user_out_for_everyone(db, behind_one_proxy):
    UserFactory(username="alice")
    attacker = _via_proxy("198.51.100.66")
    for _ in range(5):
        _login(attacker, "wrong")
    assert _login(attacker, "wrong").status_code == 429
    # Every request reaches us from the proxy's address; the lock is the attacker's alone.
    assert _login(_via_proxy("203.0.113.7"), "correct horse battery staple").status_code == 302


def test_a_forged_forwarded_for_entry_does_not_escape_the_lock(db, behind_one_proxy):
    UserFactory(username="alice")
    # The proxy appends the real peer; whatever the client put before it is not trusted.
    for n in range(5):
        _login(_via_proxy(f"192.0.2.{n + 1}, 198.51.100.66"), "wrong")
    assert _login(_via_proxy("192.0.2.99, 198.51.100.66"), "wrong").status_code == 429


def test_a_forged_forwarded_for_never_locks_out_others_behind_the_proxy(db, behind_one_proxy):
    UserFactory(username="alice")
    # A forger fails as alice, and across usernames, with entries of their own before the
    # one the proxy appended; none of it may land on the proxy's own address.
    for n in range(5):
        _login(_via_proxy(f"192.0.2.{n + 1}, 198.51.100.66"), "wrong")
    for n in range(30):
        _via_proxy(f"garbage{n}, 198.51.100.66").post(
            reverse("login"), {"username": f"user{n}", "password": "guess"}
        )
    # Someone else behind the proxy, whose own network adds an entry too, still gets in.
    colleague = _via_proxy("10.8.0.4, 203.0.113.7")
    assert _login(colleague, "correct horse battery staple").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (1, "192.0.2.1, 198.51.100.66", "198.51.100.66"),
        (1, "not an address, 127.0.0.1, 198.51.100.66", "198.51.100.66"),
        # Some proxies add the port; django-ipware read these, so must we.
        (1, "198.51.100.66:5123", "198.51.100.66"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (2, "192.0.2.1, 198.51.100.66, 10.0.0.1", "198.51.100.66"),
        # Short: it skipped the outer proxy, so its first entry is the farthest hop known.
        (2, "198.51.100.66", "198.51.100.66"),
    ],
)
def test_the_client_is_the_entry_the_outermost_proxy_appended(
    settings, rf, proxies, forwarded_for, client
):
    settings.VOXBOARD_PROXY_COUNT = proxies
    request = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == client


def test_one_address_cannot_try_every_username(db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    UserFactory(username="alice")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        response = client.post(reverse("login"), {"username": f"user{n}", "password": "guess"})
        assert response.status_code == 200
    # Each username failed once, but the address is now paused, even with a right password.
    assert _login(client, "correct horse battery staple").status_code == 429
    _works_elsewhere_and_lifts_after_the_cool_off(client)


def test_an_htmx_post_without_the_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    url = reverse("team_settings", kwargs={"team": owner.team.slug})
    response = client.post(url, {"name": "Hijacked"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    owner.team.refresh_from_db()
    assert owner.team.name != "Hijacked"


def test_an_htmx_post_with_the_token_from_the_page_header_goes_through(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    url = reverse("team_settings", kwargs={"team": owner.team.slug})
    page = client.get(url)
    token = str(page.context["csrf_token"])
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page.content.decode()
    response = client.post(url, {"name": "Renamed"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    owner.team.refresh_from_db()
    assert owner.team.name == "Renamed"


@pytest.mark.parametrize("page", ["login", "home"])
def test_html_responses_carry_a_csp_without_inline_script(owner_client, owner, page):
    url = reverse(page, kwargs={"team": owner.team.slug} if page == "home" else None)
    response = owner_client.get(url)
    assert response["Content-Type"].startswith("text/html")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    # And the page itself holds no inline script the policy would block.
    assert "<script>" not in response.content.decode()


def _production_env(**extra):
    # Not the tests' bare loopback host either: a deployment lists origins, and a bare
    # host is rightly logged as deprecated at start-up.
    dropped = {"DEBUG", "DATABASE_URL", "PROVIDER_PRIVATE_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + Fernet.generate_key().decode(),
        ALLOWED_HOSTS="voxboard.example.com",
        VOXBOARD_HTTPS="1",
        VOXBOARD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        PUBLIC_BASE_URL="https://voxboard.example.com",
    )
    env.update(extra)
    return env


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_deploy_check_with_production_settings_prints_no_warning(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(VOXBOARD_VAR_DIR=str(tmp_path)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "notascheme://x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DEBUG", "perhaps"),
        ("VOXBOARD_ENCRYPTION_KEYS", "not-a-fernet-key"),
        ("PUBLIC_BASE_URL", "example.com"),
        ("CELERY_TASK_TIME_LIMIT", "soon"),
        ("SECRET_KEY", ""),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(tmp_path, variable, value):
    result = _manage(
        "check", env=_production_env(VOXBOARD_VAR_DIR=str(tmp_path), **{variable: value})
    )
    assert result.returncode != 0
    assert variable in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("f" * 60 + "\n")
    env = _production_env(VOXBOARD_VAR_DIR=str(tmp_path), SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("f" * 60)
