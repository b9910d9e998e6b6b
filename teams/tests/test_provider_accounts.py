"""Provider accounts: secrets encrypted at rest, shown only by their last four, rotatable."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from teams.models import ProviderAccount
from teams.tests.factories import ProviderAccountFactory

SECRET = "rsp-live-9f8e7d6c5b4a-WXYZ"


def _connect(client, team, provider="respeecher", secret=SECRET, base_url=""):
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": provider})
    return client.post(
        url, {"secret": secret, "base_url": base_url or "https://gateway.respeecher.com"}
    )


def test_connecting_stores_no_plaintext_secret_in_the_table(owner_client, team):
    response = _connect(owner_client, team)
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM teams_provideraccount")
        rows = cursor.fetchall()
    assert len(rows) == 1
    dumped = " ".join(str(value) for value in rows[0])
    assert SECRET not in dumped
    assert SECRET[:-4] not in dumped
    assert ProviderAccount.objects.get().get_secret() == SECRET


def test_the_pages_show_only_the_last_four_characters(owner_client, team):
    _connect(owner_client, team)
    account = ProviderAccount.objects.get()
    for url in (
        reverse("providers", kwargs={"team": team.slug}),
        reverse("provider_connect", kwargs={"team": team.slug, "provider": "respeecher"}),
        reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk}),
    ):
        body = owner_client.get(url).content.decode()
        assert SECRET not in body, url
        assert "WXYZ" in body, url


def test_a_new_connection_is_prefilled_with_the_real_base_url(owner_client, team):
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": "burki"})
    assert "https://api.burki.dev" in owner_client.get(url).content.decode()


def test_editing_the_same_host_without_a_new_secret_keeps_the_old_one(owner_client, team):
    _connect(owner_client, team)
    _connect(owner_client, team, secret="", base_url="https://gateway.respeecher.com/eu")
    account = ProviderAccount.objects.get()
    assert account.get_secret() == SECRET
    assert account.base_url == "https://gateway.respeecher.com/eu"


@pytest.mark.parametrize(
    ("secret", "base_url", "message"),
    [
        ("", "", "This field is required"),
        ("has space in it", "", "no spaces"),
        ("short", "", "too short"),
        (SECRET, "ftp://files.example", "Use an http:// or https:// address"),
        (SECRET, "https://gw.example/?x=1", "no query string"),
    ],
)
def test_bad_input_is_explained_and_writes_nothing(owner_client, team, secret, base_url, message):
    response = _connect(
        owner_client, team, secret=secret, base_url=base_url or "https://ok.example"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProviderAccount.objects.exists()


def test_an_unknown_provider_is_not_found(owner_client, team):
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": "acme"})
    assert owner_client.get(url).status_code == 404


def test_members_cannot_manage_provider_accounts(member_client, team):
    assert _connect(member_client, team).status_code == 403
    assert not ProviderAccount.objects.exists()


def test_disconnect_asks_first_then_deletes(owner_client, team):
    account = ProviderAccountFactory(team=team)
    url = reverse("provider_delete", kwargs={"team": team.slug, "account_id": account.pk})
    page = owner_client.get(url)
    assert b"Disconnect" in page.content
    assert ProviderAccount.objects.exists()
    owner_client.post(url)
    assert not ProviderAccount.objects.exists()


def test_rotation_reencrypts_every_row_and_old_tokens_work_until_then(settings, team, other_team):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.VOXBOARD_ENCRYPTION_KEYS = [old_key]
    accounts = [
        ProviderAccountFactory(team=team, provider="a2e", secret="a2e-secret-1111"),
        ProviderAccountFactory(team=team, provider="burki", secret="burki-secret-2222"),
        ProviderAccountFactory(team=other_team, provider="a2e", secret="a2e-secret-3333"),
    ]
    before = {a.pk: a.secret_encrypted for a in accounts}

    settings.VOXBOARD_ENCRYPTION_KEYS = [new_key, old_key]
    # Before rotation, rows sealed with the old key still open.
    assert [ProviderAccount.objects.get(pk=a.pk).get_secret() for a in accounts] == [
        "a2e-secret-1111",
        "burki-secret-2222",
        "a2e-secret-3333",
    ]

    call_command("rotate_encryption_keys", stdout=io.StringIO())

    new_only = Fernet(new_key.encode())
    for account in ProviderAccount.objects.all():
        assert account.secret_encrypted != before[account.pk]
        assert (
            new_only.decrypt(account.secret_encrypted.encode())
            .decode()
            .endswith(account.secret_last4)
        )
    settings.VOXBOARD_ENCRYPTION_KEYS = [new_key]
    assert sorted(a.get_secret() for a in ProviderAccount.objects.all()) == [
        "a2e-secret-1111",
        "a2e-secret-3333",
        "burki-secret-2222",
    ]
