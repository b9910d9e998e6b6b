"""Burki's official Python SDK against the sandbox: it reads what Voxboard's catalog shows."""

import pytest
from burki import BurkiClient as BurkiSDK
from burki.exceptions import NotFoundError

from voices import sync
from voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def sdk(sandbox_url, connected):
    # The vendor's client, exactly as a Burki customer would make it, on the same account.
    client = BurkiSDK(api_key=connected["burki"].get_secret(), base_url=f"{sandbox_url}/burki")
    yield client
    client.close()


@pytest.fixture
def catalog(team, connected, control):
    """A second assistant with voices of its own, and the catalog synced, following none."""
    seeded = control.post(
        "/_sandbox/seed", json={"kind": "burki.assistant", "count": 1, "name_prefix": "Night"}
    )
    assistant = seeded.json()["ids"][0]
    control.post(
        "/_sandbox/seed",
        json={"kind": "burki.cloned_voice", "count": 3, "assistant_id": assistant},
    ).raise_for_status()
    account = connected["burki"]
    account.options = {}
    account.save()
    sync.sync_account(account)
    return Voice.objects.for_team(team).listed().filter(provider="burki")


def test_the_sdks_cloned_voices_are_the_catalogs(sdk, catalog):
    theirs = {
        (v["id"], v["name"], v["provider"], v["status"], v["quality_score"], v["assistant_id"])
        for v in sdk.assistants.get_cloned_voices()
    }
    ours = {
        (int(v.remote_id), v.name, v.host, v.status, v.quality_score, v.assistant_id)
        for v in catalog
    }
    assert theirs == ours and len(ours) == 2 + 3


def test_the_sdks_filters_pick_the_same_voices_as_the_catalogs(sdk, catalog):
    ready = sdk.assistants.get_cloned_voices(status="ready")
    at_resemble = sdk.assistants.get_cloned_voices(provider="resemble")
    assert {str(v["id"]) for v in ready} == set(
        catalog.filter(status="ready").values_list("remote_id", flat=True)
    )
    assert {str(v["id"]) for v in at_resemble} == set(
        catalog.filter(host="resemble").values_list("remote_id", flat=True)
    )


def test_the_sdks_assistants_carry_the_names_the_catalog_shows(sdk, catalog):
    named = dict(catalog.values_list("assistant_id", "assistant_name").distinct())
    listed = {a.id: a.name for a in sdk.assistants.list()}
    assert named == {1: "Front desk", max(named): "Night 1"}
    assert {aid: listed[aid] for aid in named} == named
    for assistant_id, name in named.items():
        assistant = sdk.assistants.get(assistant_id)
        assert (assistant.id, assistant.name, assistant.is_active) == (assistant_id, name, True)


def test_the_sdk_is_told_an_unknown_assistant_is_not_found(sdk, connected):
    with pytest.raises(NotFoundError, match="Assistant not found"):
        sdk.assistants.get(999)
