"""The "Test connection" button and the Burki assistant picker, at the HTTP boundary."""

from dataclasses import replace

import httpx
import pytest
import respx
from django.urls import reverse

from providers import retries
from teams.models import ProviderAccount
from teams.tests.factories import ProviderAccountFactory


@pytest.fixture
def upstream():
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def _test(client, account, **headers):
    url = reverse("provider_test", kwargs={"team": account.team.slug, "account_id": account.pk})
    return client.post(url, **headers)


def test_a2e_check_records_the_remaining_credits(owner_client, team, upstream):
    account = ProviderAccountFactory(team=team, provider="a2e", secret="a2e-token-abcd1234")
    route = upstream.get("https://a2e.example.test/api/v1/user/remainingCoins").respond(
        json={"code": 0, "data": {"coins": 420, "diamonds": 7}}
    )
    response = _test(owner_client, account)
    assert response.status_code == 302
    assert route.calls.last.request.headers["Authorization"] == "Bearer a2e-token-abcd1234"
    account.refresh_from_db()
    assert account.last_check_ok is True
    assert account.credits == {"coins": 420, "diamonds": 7}
    page = owner_client.get(reverse("providers", kwargs={"team": team.slug})).content.decode()
    assert "420 coins, 7 diamonds" in page


def test_refused_credentials_are_shown_with_the_providers_reason(owner_client, team, upstream):
    account = ProviderAccountFactory(team=team, provider="respeecher", secret="rsp-key-00000000")
    # Respeecher's official client asks who the key belongs to first: so do we.
    upstream.post("https://respeecher.example.test/api/auth").respond(
        401, json={"detail": "Invalid API key"}
    )
    response = _test(owner_client, account, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="provider-respeecher"' in body
    assert "Failing" in body
    assert "refused the credentials" in body
    assert "<html" not in body  # the card alone, swapped in place
    assert "toasts" in response["HX-Trigger"]
    account.refresh_from_db()
    assert account.last_check_ok is False


def test_a_respeecher_check_names_the_signed_in_user_and_reads_the_credits(
    owner_client, team, upstream
):
    account = ProviderAccountFactory(team=team, provider="respeecher", secret="rsp-key-00000000")
    user = {
        "id": "9f0c4c1e-7d2b-4e55-9a61-5b3b1c2d8e70",
        "email": "studio@example.com",
        "username": "studio",
        "verified": True,
        "roles": ["user"],
    }
    upstream.post("https://respeecher.example.test/api/auth").respond(200, json=user)
    upstream.get("https://respeecher.example.test/api/credits").respond(200, json=1800.5)
    _test(owner_client, account)
    account.refresh_from_db()
    assert account.last_check_ok is True
    assert account.last_check_message == "Connected as studio."
    assert account.credits == {"credits": 1800.5}


def test_an_unreachable_provider_fails_the_check_without_an_error_page(
    owner_client, team, upstream, monkeypatch
):
    monkeypatch.setattr(retries, "RETRY", replace(retries.RETRY, cap=0))
    account = ProviderAccountFactory(team=team, provider="burki")
    upstream.get(url__startswith="https://burki.example.test/").mock(
        side_effect=httpx.ConnectError("refused")
    )
    assert _test(owner_client, account).status_code == 302
    account.refresh_from_db()
    assert account.last_check_ok is False
    assert account.last_check_message == "Could not reach Burki; try again in a few minutes."


def test_burki_check_counts_the_assistants(owner_client, team, upstream):
    account = ProviderAccountFactory(team=team, provider="burki")
    upstream.get(url__startswith="https://burki.example.test/api/v1/assistants").respond(
        json={"items": [{"id": 1, "name": "Support"}], "total": 3, "skip": 0, "limit": 1}
    )
    _test(owner_client, account)
    account.refresh_from_db()
    assert account.last_check_message == "Connected; 3 assistants visible to this key."


def test_an_admin_picks_the_burki_assistants_to_follow(owner_client, team, upstream):
    account = ProviderAccountFactory(team=team, provider="burki")
    upstream.get(url__startswith="https://burki.example.test/api/v1/assistants").respond(
        json=[{"id": 7, "name": "Front desk"}, {"id": 9, "name": "Night line"}]
    )
    url = reverse("provider_assistants", kwargs={"team": team.slug, "account_id": account.pk})
    page = owner_client.get(url).content.decode()
    assert "Front desk" in page and "Night line" in page
    owner_client.post(url, {"assistants": ["9"]})
    account.refresh_from_db()
    assert account.followed_assistants == [9]
    # An assistant the key cannot see is refused, and nothing changes.
    response = owner_client.post(url, {"assistants": ["9", "666"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ProviderAccount.objects.get(pk=account.pk).followed_assistants == [9]


def test_the_assistant_picker_is_only_for_burki(owner_client, team):
    account = ProviderAccountFactory(team=team, provider="a2e")
    url = reverse("provider_assistants", kwargs={"team": team.slug, "account_id": account.pk})
    assert owner_client.get(url).status_code == 404
