"""BurkiClient against the seed-derived example and the contract, at the HTTP boundary (respx)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import httpx
import pytest

from providers import burki
from providers.burki import BurkiClient
from providers.errors import BadRequest, NotFound, ProtocolError, RateLimited, Unavailable
from providers.tests.examples import example

BASE = "https://burki.test"
KEY = "burki-key-0123456789"


@pytest.fixture
def client(sleep):
    return BurkiClient(BASE, KEY, sleep=sleep)


def organisation_answer(*owners: int) -> dict:
    """The SDK's shape, `{"cloned_voices": [...]}`: the seed's voices, each naming its owner."""
    seeded = example("burki_cloned_voices.json")["cloned_voices"]
    return {
        "cloned_voices": [{**v, "assistant_id": a} for v, a in zip(seeded, owners, strict=True)]
    }


def test_cloned_voices_read_every_field_of_the_seed(mock, client):
    payload = example("burki_cloned_voices.json")
    route = mock.get(f"{BASE}/api/v1/assistants/7/cloned-voices").respond(json=payload)

    ready, processing = client.list_cloned_voices(7, status="ready", provider="elevenlabs")

    sent = route.calls.last.request
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert dict(sent.url.params) == {"status": "ready", "provider": "elevenlabs"}
    assert (ready.id, ready.provider, ready.provider_voice_id) == (
        1,
        "elevenlabs",
        "pNInz6obpgDQGcFmaJgB",
    )
    assert ready.state == "completed" and ready.quality_band == "excellent"
    assert ready.synthesis_count == 127
    assert ready.last_used_at == datetime(2025, 1, 20, 14, 45, tzinfo=UTC)
    assert processing.state == "processing" and processing.gender is None
    assert processing.quality_score is None and processing.quality_band is None
    assert processing.last_used_at is None
    assert ready.raw == payload["cloned_voices"][0]


@pytest.mark.parametrize(
    ("score", "band"),
    [(0.95, "excellent"), (0.9, "excellent"), (0.85, "good"), (0.7, "fair"), (0.2, "poor")],
)
def test_quality_bands_follow_the_seed(mock, client, score, band):
    mock.get(f"{BASE}/api/v1/assistants/1/cloned-voices").respond(
        json={"success": True, "cloned_voices": [{"id": 1, "quality_score": score}]}
    )

    assert client.list_cloned_voices(1)[0].quality_band == band


def test_archived_voice_is_completed_and_flagged(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/1/cloned-voices").respond(
        json={"success": True, "cloned_voices": [{"id": 1, "status": "archived"}]}
    )

    [voice] = client.list_cloned_voices(1)

    assert voice.state == "completed" and voice.archived is True


def test_assistants_accept_a_bare_list(mock, client):
    route = mock.get(f"{BASE}/api/v1/assistants").respond(json=[{"id": 1, "name": "Support"}])

    page = client.check()

    assert route.calls.last.request.url.params["limit"] == "1"
    assert [(a.id, a.name) for a in page] == [(1, "Support")]
    assert page.total is None


def test_assistants_are_paged_by_skip_with_items_and_total(mock, client):
    assistants = [{"id": i, "name": f"A{i}"} for i in range(5)]

    def handler(request):
        skip = int(request.url.params["skip"])
        limit = int(request.url.params["limit"])
        return httpx.Response(
            200,
            json={
                "items": assistants[skip : skip + limit],
                "total": 5,
                "skip": skip,
                "limit": limit,
            },
        )

    route = mock.get(f"{BASE}/api/v1/assistants").mock(side_effect=handler)

    iterator = client.iter_assistants(page_size=2)
    assert next(iterator).id == 0
    assert route.call_count == 1
    assert [a.id for a in iterator] == [1, 2, 3, 4]
    assert [c.request.url.params["skip"] for c in route.calls] == ["0", "2", "4"]


def test_bare_list_paging_stops_on_a_short_page(mock, client):
    def handler(request):
        skip = int(request.url.params["skip"])
        return httpx.Response(200, json=[{"id": i} for i in range(skip, min(skip + 2, 3))])

    route = mock.get(f"{BASE}/api/v1/assistants").mock(side_effect=handler)

    assert [a.id for a in client.iter_assistants(page_size=2)] == [0, 1, 2]
    assert route.call_count == 2


def test_upload_sample_streams_the_file_with_comma_separated_tags(mock, client, tmp_path):
    sample = tmp_path / "me.mp3"
    sample.write_bytes(b"ID3" + b"\x02" * 100_000)
    route = mock.post(f"{BASE}/api/v1/assistants/3/voice-samples/upload").respond(
        json={
            "success": True,
            "voice_sample": {
                "id": 11,
                "name": "Me",
                "filename": "me.mp3",
                "status": "uploaded",
                "created_at": "2025-01-15T10:30:00Z",
            },
        }
    )

    uploaded = client.upload_voice_sample(3, sample, name="Me", tags=["calm", "en"])

    body = route.calls.last.request.read()
    assert b'name="file"; filename="me.mp3"' in body
    assert b'name="tags"\r\n\r\ncalm,en' in body
    assert sample.read_bytes() in body
    assert (uploaded.id, uploaded.filename, uploaded.state) == (11, "me.mp3", "queued")


def test_upload_too_large_shows_burkis_message(mock, client):
    mock.post(f"{BASE}/api/v1/assistants/3/voice-samples/upload").respond(
        400, json={"detail": "File too large (max 50MB)"}
    )

    with pytest.raises(BadRequest, match=r"File too large \(max 50MB\)"):
        client.upload_voice_sample(3, io.BytesIO(b"x"), filename="big.wav")


def test_create_cloned_voice_sends_only_given_fields(mock, client):
    route = mock.post(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(
        json={
            "success": True,
            "cloned_voice": {
                "id": 5,
                "name": "Me",
                "provider": "resemble",
                "provider_voice_id": "r-1",
                "status": "processing",
                "created_at": "2025-01-15T10:30:00Z",
            },
        }
    )

    voice = client.create_cloned_voice(3, 11, "resemble", "Me", tags=["calm"])

    assert json.loads(route.calls.last.request.content) == {
        "voice_sample_id": 11,
        "provider": "resemble",
        "name": "Me",
        "tags": ["calm"],
    }
    assert voice.id == 5 and voice.state == "processing"


def test_create_cloned_voice_is_not_retried_on_429(mock, client, sleeps):
    route = mock.post(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(
        429, headers={"Retry-After": "5"}, json={"detail": "Too many requests"}
    )

    with pytest.raises(RateLimited) as caught:
        client.create_cloned_voice(3, 11, "elevenlabs", "Me")

    assert route.call_count == 1 and sleeps == []
    assert caught.value.retry_after == 5.0


def test_success_false_is_a_bad_request(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/3/voice-samples/list").respond(
        json={"success": False, "detail": "Assistant has no samples bucket"}
    )

    with pytest.raises(BadRequest, match="no samples bucket"):
        client.list_voice_samples(3)


def test_answer_without_the_expected_key_is_a_protocol_error(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/3/voice-cloning/providers").respond(json={"success": True})

    with pytest.raises(ProtocolError):
        client.list_cloning_providers(3)


def test_cloning_providers_read_their_requirements(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/3/voice-cloning/providers").respond(
        json={
            "success": True,
            "providers": [
                {
                    "provider": "elevenlabs",
                    "name": "ElevenLabs",
                    "requirements": {
                        "formats": ["mp3", "wav"],
                        "min_duration": 10,
                        "max_duration": 300,
                        "max_size": 26214400,
                        "quality_requirements": "clean speech",
                    },
                }
            ],
        }
    )

    [provider] = client.list_cloning_providers(3)

    assert provider.formats == ("mp3", "wav")
    assert (provider.min_duration, provider.max_duration, provider.max_size) == (
        10,
        300,
        26214400,
    )


def test_one_assistant_is_read_from_burkis_bare_answer(mock, client):
    route = mock.get(f"{BASE}/api/v1/assistants/4").respond(
        json={"id": 4, "name": "Night desk", "organization_id": 2, "is_active": True}
    )

    assistant = client.get_assistant(4)

    assert route.calls.last.request.headers["Authorization"] == f"Bearer {KEY}"
    assert (assistant.id, assistant.name) == (4, "Night desk")
    assert assistant.raw["organization_id"] == 2


def test_an_assistant_deleted_at_burki_is_not_found(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/4").respond(
        404, json={"detail": "Assistant with ID 4 not found in your organization"}
    )

    with pytest.raises(NotFound, match="not found in your organization"):
        client.get_assistant(4)


def test_every_cloned_voice_of_the_organisation_comes_from_one_call(mock, client):
    organisation = mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(
        json=organisation_answer(3, 8)
    )
    per_assistant = mock.get(url__regex=rf"{BASE}/api/v1/assistants/\d+/cloned-voices")

    found = client.all_cloned_voices([3], status="ready", provider="elevenlabs")

    assert found.organisation_wide is True and per_assistant.call_count == 0
    assert dict(organisation.calls.last.request.url.params) == {
        "status": "ready",
        "provider": "elevenlabs",
    }
    # Assistant 8 is nobody's pick, and its voice is listed all the same.
    assert [(v.id, v.assistant_id) for v in found.voices] == [(1, 3), (2, 8)]
    assert found.voices[0].quality_band == "excellent"


def test_the_organisation_list_sends_no_filter_unless_asked(mock, client):
    route = mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(
        json=organisation_answer(1, 1)
    )

    assert len(client.list_organisation_cloned_voices()) == 2
    assert dict(route.calls.last.request.url.params) == {}


REFUSALS = {
    404: {"detail": "Not Found"},
    405: {"detail": "Method Not Allowed"},
    # A Burki whose `/{assistant_id}` route comes first reads the word as an id.
    422: {
        "detail": [
            {
                "loc": ["path", "assistant_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            }
        ]
    },
}


@pytest.mark.parametrize("status", sorted(REFUSALS))
def test_a_burki_without_the_organisation_list_falls_back_to_the_assistants(mock, client, status):
    mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(status, json=REFUSALS[status])
    seed = example("burki_cloned_voices.json")
    mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(json=seed)
    mock.get(f"{BASE}/api/v1/assistants/4/cloned-voices").respond(
        json={"success": True, "cloned_voices": [{**seed["cloned_voices"][0], "id": 9}]}
    )

    found = client.all_cloned_voices([3, 4])

    assert found.organisation_wide is False
    assert [(v.id, v.assistant_id) for v in found.voices] == [(1, 3), (2, 3), (9, 4)]


def test_the_refusal_is_remembered_for_that_base_url_and_key(mock, client, sleep):
    organisation = mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(
        404, json=REFUSALS[404]
    )
    assistant = mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(
        json=example("burki_cloned_voices.json")
    )

    client.all_cloned_voices([3])
    # A new client for the same account, as every sync makes, remembers it too.
    again = BurkiClient(BASE, KEY, sleep=sleep).all_cloned_voices([3])
    assert organisation.call_count == 1 and assistant.call_count == 2
    assert again.organisation_wide is False
    # Another key may belong to another Burki organisation: it is asked afresh.
    BurkiClient(BASE, "another-key-0000", sleep=sleep).all_cloned_voices([3])
    assert organisation.call_count == 2


def test_a_remembered_refusal_is_tried_again_once_it_lapses(mock, client, monkeypatch):
    organisation = mock.get(f"{BASE}/api/v1/assistants/cloned-voices")
    organisation.side_effect = [
        httpx.Response(404, json=REFUSALS[404]),
        httpx.Response(200, json=organisation_answer(3, 3)),
    ]
    mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(
        json=example("burki_cloned_voices.json")
    )
    monkeypatch.setattr(burki, "REFUSAL_MEMORY", -1.0)

    assert client.all_cloned_voices([3]).organisation_wide is False
    assert client.all_cloned_voices([3]).organisation_wide is True


def test_a_refusal_of_our_filter_is_not_taken_for_a_missing_list(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(
        422,
        json={
            "detail": [{"loc": ["query", "status"], "msg": "Input should be ...", "type": "enum"}]
        },
    )
    per_assistant = mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices")

    with pytest.raises(BadRequest, match="status"):
        client.all_cloned_voices([3], status="gone")
    assert per_assistant.call_count == 0


def test_an_unavailable_burki_fails_the_listing_instead_of_falling_back(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(503, json={"detail": "down"})
    per_assistant = mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices")

    with pytest.raises(Unavailable):
        client.all_cloned_voices([3])
    assert per_assistant.call_count == 0
    assert burki._organisation_list_refused == {}


def test_the_fallback_skips_an_assistant_burki_deleted_and_names_it(mock, client):
    mock.get(f"{BASE}/api/v1/assistants/cloned-voices").respond(404, json=REFUSALS[404])
    mock.get(f"{BASE}/api/v1/assistants/3/cloned-voices").respond(
        json=example("burki_cloned_voices.json")
    )
    mock.get(f"{BASE}/api/v1/assistants/5/cloned-voices").respond(
        404, json={"detail": "Assistant not found"}
    )

    found = client.all_cloned_voices([5, 3])

    assert found.missing_assistants == (5,)
    assert {v.assistant_id for v in found.voices} == {3}


SAMPLE = {"id": 1, "status": "ready", "original_filename": "a.wav", "tags": "x,y"}
CALLS = {
    "list_assistants": (lambda c: c.list_assistants(), [{"id": 1}]),
    "get_assistant": (lambda c: c.get_assistant(9), {"id": 9, "name": "Front desk"}),
    "list_organisation_cloned_voices": (
        lambda c: c.list_organisation_cloned_voices(),
        organisation_answer(9, 9),
    ),
    "list_cloned_voices": (lambda c: c.list_cloned_voices(9), example("burki_cloned_voices.json")),
    "create_cloned_voice": (
        lambda c: c.create_cloned_voice(9, 1, "elevenlabs", "n"),
        {"success": True, "cloned_voice": {"id": 2, "status": "processing"}},
    ),
    "upload_voice_sample": (
        lambda c: c.upload_voice_sample(9, io.BytesIO(b"RIFF"), filename="a.wav"),
        {"success": True, "voice_sample": SAMPLE},
    ),
    "list_voice_samples": (
        lambda c: c.list_voice_samples(9, status="ready"),
        {"success": True, "voice_samples": [SAMPLE]},
    ),
    "list_cloning_providers": (
        lambda c: c.list_cloning_providers(9),
        {"success": True, "providers": [{"provider": "resemble"}]},
    ),
}


def test_every_endpoint_has_a_call_here():
    assert set(CALLS) == set(burki.ENDPOINTS.values())


@pytest.mark.parametrize(("route", "name"), list(burki.ENDPOINTS.items()), ids=str)
def test_every_endpoint_is_called_by_its_method(mock, client, route, name):
    method, template = route
    path = re.sub(r"\{[^}]+\}", "9", template)
    call, answer = CALLS[name]
    upstream = mock.route(method=method, url=f"{BASE}{path}").respond(json=answer)

    result = call(client)

    assert upstream.call_count == 1
    assert result
