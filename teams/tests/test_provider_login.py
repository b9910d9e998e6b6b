"""Connecting Respeecher with an email and password, against the sandbox over real HTTP:
Voxboard signs in, makes a key, signs out, and keeps the key and nothing else."""

import logging

import httpx
import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from teams.models import ProviderAccount

# The sandbox's one Respeecher account takes any email, with its key as the password.
PASSWORD = "sandbox-respeecher"  # noqa: S105 - the sandbox's published default
EMAIL = "studio@example.com"


@pytest.fixture
def respeecher_url(sandbox_url, control):
    return f"{sandbox_url}/respeecher"


@pytest.fixture
def upstream_log(control):
    """The sandbox's Respeecher calls since the last read, as (method, path, status)."""

    def read():
        log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
        control.delete("/_sandbox/requests").raise_for_status()
        return [
            (r["method"], r["path"].removeprefix("/respeecher"), r["status"])
            for r in log["requests"]
        ]

    read()  # from here on
    return read


def _login(client, team, base_url, *, email=EMAIL, password=PASSWORD):
    url = reverse("provider_login", kwargs={"team": team.slug})
    return client.post(url, {"email": email, "password": password, "base_url": base_url})


def _works(base_url, key) -> bool:
    answer = httpx.get(f"{base_url}/api/credits", headers={"api-key": key}, timeout=30)
    return answer.status_code == 200


def _every_row_as_text() -> str:
    """Every row of every table, as text; sessions decoded, since theirs is encoded."""
    quote = connection.ops.quote_name
    dumped = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)}")  # noqa: S608
            dumped += [" ".join(str(v) for v in row) for row in cursor.fetchall()]
    dumped += [str(SessionStore().decode(s.session_data)) for s in Session.objects.all()]
    return "\n".join(dumped)


@pytest.fixture
def every_log_line(caplog):
    """Every log line of every logger at DEBUG, those that do not propagate included."""
    caplog.set_level(logging.DEBUG)
    names = ["httpx", "httpcore", "providers", "providers.http", "django", "django.request"]
    loggers = [logging.getLogger(n) for n in [*names, *logging.root.manager.loggerDict]]
    for each in loggers:
        caplog.set_level(logging.DEBUG, logger=each.name)
    quiet = [each for each in loggers if not each.propagate]
    for each in quiet:
        each.addHandler(caplog.handler)
    yield lambda: [r.getMessage() for r in caplog.records] + [caplog.text]
    for each in quiet:
        each.removeHandler(caplog.handler)


def test_connecting_by_login_stores_a_new_working_key(
    owner_client, team, respeecher_url, upstream_log
):
    response = _login(owner_client, team, respeecher_url)

    assert response.status_code == 302
    account = ProviderAccount.objects.get(team=team, provider="respeecher")
    key = account.get_secret()
    assert key != PASSWORD
    assert account.key_made_here and account.base_url == respeecher_url
    assert upstream_log() == [
        ("POST", "/api/login", 200),
        ("POST", "/api/api-key", 200),
        ("POST", "/api/logout", 200),
    ]
    assert _works(respeecher_url, key)
    page = owner_client.get(reverse("providers", kwargs={"team": team.slug})).content.decode()
    assert "made by Voxboard when you connected with your email and password" in page
    assert "Your password was not kept" in page


def test_the_password_is_in_no_row_and_no_log_line(
    owner_client, team, respeecher_url, every_log_line
):
    refused = _login(owner_client, team, respeecher_url, password=PASSWORD + "-wrong")
    connected = _login(owner_client, team, respeecher_url)

    assert connected.status_code == 302
    assert PASSWORD + "-wrong" not in refused.content.decode()
    assert PASSWORD not in _every_row_as_text()
    assert all(PASSWORD not in a.get_secret() for a in ProviderAccount.objects.all())
    lines = every_log_line()
    assert any("/api/login" in line for line in lines)  # the calls were logged...
    assert not [line for line in lines if PASSWORD in line]  # ...without the password


def test_a_wrong_password_gets_respeechers_own_words_and_stores_nothing(
    owner_client, team, respeecher_url, upstream_log
):
    response = _login(owner_client, team, respeecher_url, password="not-the-password")

    assert response.status_code == 200
    assert "Incorrect email or password" in response.content.decode()
    assert not ProviderAccount.objects.exists()
    assert upstream_log() == [("POST", "/api/login", 401)]


@pytest.mark.parametrize(
    ("email", "password", "base_url", "message"),
    [
        ("", PASSWORD, None, "This field is required"),
        ("not an email", PASSWORD, None, "Enter a valid email address"),
        (EMAIL, "", None, "This field is required"),
        (EMAIL, "x" * 300, None, "at most 256 characters"),
        (EMAIL, PASSWORD, "ftp://files.example", "Use an http:// or https:// address"),
        (EMAIL, PASSWORD, "https://gw.example/?x=1", "no query string"),
    ],
)
def test_bad_input_is_explained_and_reaches_nobody(
    owner_client, team, respeecher_url, upstream_log, email, password, base_url, message
):
    response = _login(
        owner_client, team, base_url or respeecher_url, email=email, password=password
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProviderAccount.objects.exists()
    assert upstream_log() == []


@pytest.mark.parametrize("who", ["viewer_client", "member_client"])
def test_only_admins_can_connect_by_login(request, who, team, respeecher_url, upstream_log):
    client = request.getfixturevalue(who)
    page = client.get(reverse("provider_login", kwargs={"team": team.slug}))

    assert page.status_code == 403
    assert _login(client, team, respeecher_url).status_code == 403
    assert not ProviderAccount.objects.exists()
    assert upstream_log() == []


def test_the_connect_page_offers_both_ways(owner_client, team):
    page = owner_client.get(
        reverse("provider_connect", kwargs={"team": team.slug, "provider": "respeecher"})
    ).content.decode()

    assert "With an API key" in page
    assert "Connect with email and password" in page
    assert 'autocomplete="current-password"' in page
    assert reverse("provider_login", kwargs={"team": team.slug}) in page
    a2e = owner_client.get(
        reverse("provider_connect", kwargs={"team": team.slug, "provider": "a2e"})
    ).content.decode()
    assert "email and password" not in a2e
    cards = owner_client.get(reverse("providers", kwargs={"team": team.slug})).content.decode()
    assert cards.count("Connect with email and password") == 1  # Respeecher's card alone


def _disconnect(client, account, **data):
    url = reverse("provider_delete", kwargs={"team": account.team.slug, "account_id": account.pk})
    return client.post(url, data, follow=True)


def test_disconnecting_a_key_made_here_deletes_it_at_respeecher(
    owner_client, team, respeecher_url, upstream_log
):
    _login(owner_client, team, respeecher_url)
    account = ProviderAccount.objects.get()
    key = account.get_secret()
    upstream_log()
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk})
    page = owner_client.get(url).content.decode()
    assert 'name="delete_key" value="1" checked' in page
    assert "Also delete this key at Respeecher" in page

    answer = _disconnect(owner_client, account, delete_key="1")

    assert not ProviderAccount.objects.exists()
    assert "its key is gone here and at Respeecher" in answer.content.decode()
    assert upstream_log() == [("DELETE", "/api/api-key", 200)]
    assert not _works(respeecher_url, key)
    assert _works(respeecher_url, PASSWORD)  # the account's other key is untouched


def test_disconnecting_with_the_box_unticked_leaves_the_key_at_respeecher(
    owner_client, team, respeecher_url, upstream_log
):
    _login(owner_client, team, respeecher_url)
    account = ProviderAccount.objects.get()
    key = account.get_secret()
    upstream_log()

    _disconnect(owner_client, account)

    assert not ProviderAccount.objects.exists()
    assert upstream_log() == []
    assert _works(respeecher_url, key)


def test_a_key_that_could_not_be_deleted_is_reported_and_the_account_still_goes(
    owner_client, team, respeecher_url, control
):
    _login(owner_client, team, respeecher_url)
    account = ProviderAccount.objects.get()
    control.post(
        "/_sandbox/faults",
        json={"path": "/respeecher/api/api-key", "method": "DELETE", "status": {"500": 1}},
    ).raise_for_status()

    answer = _disconnect(owner_client, account, delete_key="1").content.decode()

    assert not ProviderAccount.objects.exists()
    assert "The key is still there at Respeecher" in answer
    assert "Delete it in your Respeecher account" in answer


def test_a_key_entered_by_hand_over_one_made_here_is_never_deleted_at_respeecher(
    owner_client, team, respeecher_url, upstream_log
):
    _login(owner_client, team, respeecher_url)
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": "respeecher"})
    # The sandbox's own key stands in for one the person made at Respeecher.
    owner_client.post(url, {"secret": PASSWORD, "base_url": respeecher_url})
    account = ProviderAccount.objects.get()
    assert account.get_secret() == PASSWORD and not account.key_made_here
    page = reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk})
    assert "delete_key" not in owner_client.get(page).content.decode()
    upstream_log()

    _disconnect(owner_client, account, delete_key="1")

    assert not ProviderAccount.objects.exists()
    assert upstream_log() == []
    assert _works(respeecher_url, PASSWORD)
