"""After a reset the sandbox answers the seed documents' examples field for field.

The expected payloads are the verbatim copies in docs/upstream/examples/, not the
sandbox's own seed table, so the two cannot drift apart together.
"""

from __future__ import annotations

import uuid
from typing import Any

from .helpers import example

SEED_ID = "00000000-0000-0000-0000-000000000001"


def same_shape(actual: Any, expected: Any) -> bool:
    """Same keys all the way down, and the same JSON types where the example has a value."""
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same_shape(actual[k], expected[k]) for k in expected)
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(same_shape(a, expected[0]) for a in actual)
    if isinstance(expected, bool):
        return isinstance(actual, bool)
    if isinstance(expected, int | float):
        return isinstance(actual, int | float) and not isinstance(actual, bool)
    return isinstance(actual, type(expected))


def without(record: dict, *keys: str) -> dict:
    return {k: v for k, v in record.items() if k not in keys}


def test_a2e_completed_voices_are_the_seed_example_byte_for_value(sandbox):
    response = sandbox.a2e.get("/api/v1/userVoice/completedRecord")
    assert response.json() == example("a2e_voice_completed_record.json")


def test_a2e_seed_voice_detail_is_the_example_item(sandbox):
    item = example("a2e_voice_completed_record.json")["data"][0]
    assert sandbox.a2e.get(f"/api/v1/userVoice/{item['_id']}").json() == {"code": 0, "data": item}


def test_a2e_dubbing_detail_keeps_faild_message_and___v(sandbox):
    expected = example("a2e_dubbing_detail.json")
    response = sandbox.a2e.get(f"/api/v1/userDubbing/{expected['data']['_id']}")
    assert response.json() == expected


def test_a2e_speak_answers_the_seed_shape_with_a_fresh_trace_id(sandbox):
    room = sandbox.a2e.post(
        "/api/v1/streaming-avatar/agora-token",
        json={
            "avatar_id": sandbox.a2e.get("/api/v1/streaming-avatar/all_avatars").json()["data"][0][
                "_id"
            ]
        },
    ).json()["data"]
    request = example("a2e_streaming_speak_request.json") | {"channel": room["channel"]}
    body = sandbox.a2e.post("/api/v1/streaming-avatar/speak", json=request).json()
    expected = example("a2e_streaming_speak.json")
    assert without(body, "trace_id") == without(expected, "trace_id")
    assert uuid.UUID(body["trace_id"])


def test_respeecher_projects_list_holds_the_seed_project(sandbox):
    expected = example("respeecher_projects_list.json")
    body = sandbox.respeecher.get("/api/projects").json()
    assert body["list"] == expected["list"]
    assert body["pagination"].keys() == expected["pagination"].keys()
    assert body["pagination"]["count"] == 1


def test_respeecher_project_by_url_is_the_seed_project(sandbox):
    expected = example("respeecher_projects_list.json")["list"][0]
    body = sandbox.respeecher.get("/api/projects/by-url", params={"project_url": "string"}).json()
    assert body == expected
    created = example("respeecher_project_created.json")
    # The seed prints the same project with another timestamp in its create example.
    assert without(body, "created_at", "last_recording_at") == without(
        created, "created_at", "last_recording_at"
    )


def test_respeecher_folders_list_and_detail_hold_the_seed_folder(sandbox):
    listed = example("respeecher_folders_list.json")
    body = sandbox.respeecher.get("/api/folders", params={"project_id": SEED_ID}).json()
    assert body["list"] == listed["list"]
    assert body["pagination"].keys() == listed["pagination"].keys()
    detail = sandbox.respeecher.get(f"/api/folders/{SEED_ID}").json()
    assert detail == listed["list"][0]
    # The seed's detail and create examples differ from its list example only in created_at.
    for name in ("respeecher_folder_detail.json", "respeecher_folder_created.json"):
        assert without(detail, "created_at") == without(example(name), "created_at")


def test_respeecher_recordings_list_and_detail_hold_the_seed_recording(sandbox):
    listed = example("respeecher_recordings_list.json")
    body = sandbox.respeecher.get("/api/recordings", params={"folder_id": SEED_ID}).json()
    assert body["list"] == listed["list"]
    originals = sandbox.respeecher.get("/api/recordings/originals", params={"folder_id": SEED_ID})
    assert originals.json()["list"] == listed["list"]
    detail = sandbox.respeecher.get(f"/api/recordings/{SEED_ID}").json()
    assert detail == listed["list"][0]
    stamps = ("created_at", "converted_at")
    assert without(detail, *stamps) == without(
        example("respeecher_recording_created.json"), *stamps
    )


def test_respeecher_calibration_detail_is_the_seed_example(sandbox):
    expected = example("respeecher_calibration_detail.json")
    assert sandbox.respeecher.get(f"/api/calibration/{expected['id']}").json() == expected
    assert sandbox.respeecher.get("/api/calibration").json() == [expected]


def test_respeecher_tts_voices_are_the_seed_example(sandbox):
    assert sandbox.respeecher.get("/api/tts-voices").json() == example("respeecher_tts_voices.json")


def _with_style_tags(voices: list[dict]) -> list[dict]:
    """Seed 003's voices with what Respeecher's official client also needs of each
    narration style: its `name` at the top and its `tags` (the seed has `info.name`)."""
    for voice in voices:
        for style in voice["narration_styles"]:
            style.update(name=style["info"]["name"], tags=[{"name": "string"}])
    return voices


def test_respeecher_voices_list_and_search_hold_the_seed_voice(sandbox):
    listed = example("respeecher_voices_list.json")
    body = sandbox.respeecher.get("/api/v2/voices").json()
    assert body["list"] == _with_style_tags(listed["list"])
    assert body["pagination"].keys() == listed["pagination"].keys()
    search = sandbox.respeecher.get("/api/v2/voices/search", params={"name": "string"}).json()
    assert search == _with_style_tags(example("respeecher_voices_search.json"))


def test_respeecher_stats_answer_the_seed_shapes_once_something_was_converted(sandbox):
    sandbox.config(speed=100_000)
    original = sandbox.respeecher.post(
        "/api/v2/recordings/tts", json={"parent_folder_id": SEED_ID, "text": "Hello"}
    ).json()
    sandbox.respeecher.post(
        "/api/v2/orders",
        json={
            "original_id": original["id"],
            "conversions": [{"voice_id": SEED_ID, "narration_style_id": SEED_ID}],
        },
    )
    stats = sandbox.respeecher.get("/api/stats").json()
    assert same_shape(stats, example("respeecher_stats.json"))
    projects = sandbox.respeecher.get("/api/stats/projects").json()
    assert same_shape(projects, example("respeecher_stats_projects.json"))
    folders = sandbox.respeecher.get("/api/stats/folders").json()
    assert same_shape(folders, example("respeecher_stats_folders.json"))


def test_respeecher_accepts_the_seed_request_examples(sandbox):
    tts = sandbox.respeecher.post(
        "/api/v2/recordings/tts", json=example("respeecher_recording_tts_v2_request.json")
    )
    assert tts.status_code == 200, tts.text
    v1 = sandbox.respeecher.post(
        "/api/recordings/tts", json=example("respeecher_recording_tts_v1_request.json")
    )
    assert v1.status_code == 200, v1.text
    order = example("respeecher_order_request.json") | {"original_id": tts.json()["id"]}
    order["calibration_id"] = "string"
    answer = sandbox.respeecher.post("/api/v2/orders", json=order)
    assert answer.status_code == 200, answer.text
    settings = sandbox.respeecher.post(
        "/api/v2/voices/settings", json=example("respeecher_voice_settings_request.json")
    )
    assert settings.status_code == 200, settings.text


def test_burki_cloned_voices_are_the_constructed_example(sandbox):
    body = sandbox.burki.get("/api/v1/assistants/1/cloned-voices").json()
    assert body == example("burki_cloned_voices.json")


def test_burki_organisation_list_is_the_same_example_naming_its_assistant(sandbox):
    body = sandbox.burki.get("/api/v1/assistants/cloned-voices").json()
    seeded = example("burki_cloned_voices.json")["cloned_voices"]
    assert body == {"cloned_voices": [{**v, "assistant_id": 1} for v in seeded]}
