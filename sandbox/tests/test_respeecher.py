"""Respeecher: the recordings tree, uploads, TTS, orders and conversions, voices, calibration."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from .conftest import FAST, wait_until
from .helpers import tone, wav_seconds

SEED_ID = "00000000-0000-0000-0000-000000000001"


def make_folder(sandbox) -> dict:
    project = sandbox.respeecher.post("/api/projects", json={"name": "Audiobook"}).json()
    folder = sandbox.respeecher.post(
        "/api/folders", json={"name": "Chapter 1", "project_id": project["id"]}
    ).json()
    return folder


def upload(
    sandbox, folder_id: str, data: bytes, filename="take.wav", label="Take 1", microphone="file"
):
    return sandbox.respeecher.post(
        "/api/recordings",
        data={"parent_folder_id": folder_id, "microphone": microphone, "label": label},
        files={"data": (filename, data, "audio/wav")},
    )


def order(sandbox, original_id: str, *voices: str, **extra):
    conversions = [{"voice_id": v, "narration_style_id": SEED_ID} for v in voices]
    return sandbox.respeecher.post(
        "/api/v2/orders", json={"original_id": original_id, "conversions": conversions, **extra}
    )


def recording(sandbox, recording_id: str) -> dict:
    return sandbox.respeecher.get(f"/api/recordings/{recording_id}").json()


def test_project_create_rename_find_by_url_and_delete(sandbox):
    project = sandbox.respeecher.post("/api/projects", json={"name": "Radio Play"}).json()
    assert project["slug"] == "radio-play"
    renamed = sandbox.respeecher.patch(f"/api/projects/{project['id']}", json={"name": "Radio"})
    assert renamed.json()["name"] == "Radio"
    found = sandbox.respeecher.get("/api/projects/by-url", params={"project_url": project["url"]})
    assert found.json()["id"] == project["id"]
    assert sandbox.respeecher.delete(f"/api/projects/{project['id']}").status_code == 200
    listed = sandbox.respeecher.get("/api/projects").json()["list"]
    assert project["id"] not in [p["id"] for p in listed]


def test_projects_page_with_limit_offset_sort_and_direction(sandbox):
    sandbox.seed("respeecher.project", 30)
    first = sandbox.respeecher.get("/api/projects", params={"limit": 10, "offset": 0}).json()
    assert len(first["list"]) == 10
    assert first["pagination"] == {"count": 31, "limit": 10, "offset": 0}
    last = sandbox.respeecher.get("/api/projects", params={"limit": 10, "offset": 30}).json()
    assert len(last["list"]) == 1
    by_name = sandbox.respeecher.get(
        "/api/projects", params={"sort": "name", "direction": "desc", "limit": 100}
    ).json()["list"]
    names = [p["name"].lower() for p in by_name]
    assert names == sorted(names, reverse=True)


def test_bad_paging_parameters_are_422_with_the_detail_list(sandbox):
    response = sandbox.respeecher.get("/api/projects", params={"limit": "many"})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", "limit"] and problem["type"] == "int_parsing"
    assert sandbox.respeecher.get("/api/projects", params={"direction": "up"}).status_code == 422


def test_folders_need_a_project_id_and_a_folder_lives_in_its_project(sandbox):
    missing = sandbox.respeecher.get("/api/folders")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "project_id"]
    folder = make_folder(sandbox)
    listed = sandbox.respeecher.get("/api/folders", params={"project_id": folder["project_id"]})
    assert [f["id"] for f in listed.json()["list"]] == [folder["id"]]
    renamed = sandbox.respeecher.patch(f"/api/folders/{folder['id']}", json={"name": "Ch. 1"})
    assert renamed.json()["name"] == "Ch. 1"
    assert sandbox.respeecher.delete(f"/api/folders/{folder['id']}").status_code == 200
    assert sandbox.respeecher.get(f"/api/folders/{folder['id']}").status_code == 404


def test_a_malformed_id_in_the_path_is_422_uuid_parsing(sandbox):
    response = sandbox.respeecher.get("/api/folders/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "uuid_parsing"


def test_uploaded_recording_is_listed_served_and_measured(sandbox):
    folder = make_folder(sandbox)
    created = upload(sandbox, folder["id"], tone(3)).json()
    assert created["type"] == "original" and created["state"] == "done"
    assert created["duration"] == pytest.approx(3)
    assert created["file_name"] == "take.wav" and created["size"] == len(tone(3))
    assert sandbox.respeecher.get(created["url"]).content == tone(3)
    assert sandbox.respeecher.get(created["waveform_url"]).content[:8] == b"\x89PNG\r\n\x1a\n"
    originals = sandbox.respeecher.get(
        "/api/recordings/originals", params={"folder_id": folder["id"]}
    )
    assert [r["id"] for r in originals.json()["list"]] == [created["id"]]
    by_project = sandbox.respeecher.get(
        "/api/recordings", params={"project_id": folder["project_id"]}
    )
    assert by_project.json()["pagination"]["count"] == 1


def test_an_upload_keeps_its_microphone_and_the_log_keeps_its_form(sandbox):
    folder = make_folder(sandbox)
    sandbox.http.delete("/_sandbox/requests")
    created = upload(sandbox, folder["id"], tone(2), microphone="USB Studio Mic").json()
    assert recording(sandbox, created["id"])["microphone"] == "USB Studio Mic"
    logged = sandbox.http.get("/_sandbox/requests", params={"method": "POST"}).json()
    [entry] = logged["requests"]
    assert entry["form"] == {
        "parent_folder_id": folder["id"],
        "microphone": "USB Studio Mic",
        "label": "Take 1",
    }
    assert entry["files"] == {"data": {"name": "take.wav", "size": len(tone(2))}}


def test_upload_that_is_not_audio_is_422(sandbox):
    folder = make_folder(sandbox)
    response = upload(sandbox, folder["id"], b"%PDF-1.7 not audio", filename="doc.pdf")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "data"]


def test_label_over_40_characters_is_422(sandbox):
    folder = make_folder(sandbox)
    response = upload(sandbox, folder["id"], tone(1), label="x" * 41)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_too_long"


def test_recording_patch_put_and_delete(sandbox):
    folder = make_folder(sandbox)
    rec = upload(sandbox, folder["id"], tone(1)).json()
    starred = sandbox.respeecher.patch(f"/api/recordings/{rec['id']}", json={"starred": True})
    assert starred.json()["starred"] is True and starred.json()["label"] == "Take 1"
    assert (
        sandbox.respeecher.put(f"/api/recordings/{rec['id']}", json={"label": "x"}).status_code
        == 422
    )
    put = sandbox.respeecher.put(
        f"/api/recordings/{rec['id']}", json={"label": "B", "starred": False}
    )
    assert put.json()["label"] == "B" and put.json()["starred"] is False
    assert sandbox.respeecher.delete(f"/api/recordings/{rec['id']}").status_code == 200
    assert sandbox.respeecher.get(f"/api/recordings/{rec['id']}").status_code == 404


def test_tts_original_goes_from_processing_to_done_with_spoken_audio(sandbox):
    sandbox.config(tts_engine="tone")
    folder = make_folder(sandbox)
    created = sandbox.respeecher.post(
        "/api/v2/recordings/tts", json={"parent_folder_id": folder["id"], "text": "Hello there"}
    ).json()
    assert created["state"] == "processing" and created["tts"] is True
    sandbox.config(speed=FAST)
    done = wait_until(lambda: recording(sandbox, created["id"]), lambda r: r["state"] == "done")
    assert wav_seconds(sandbox.respeecher.get(done["url"]).content) > 0


def test_tts_v1_needs_a_known_tts_voice(sandbox):
    folder = make_folder(sandbox)
    body = {"parent_folder_id": folder["id"], "text": "Hi", "voice_id": SEED_ID, "label": "v1"}
    assert (
        sandbox.respeecher.post("/api/recordings/tts", json=body).json()["tts_voice_id"] == SEED_ID
    )
    body["voice_id"] = "00000000-0000-0000-0000-000000000999"
    assert sandbox.respeecher.post("/api/recordings/tts", json=body).status_code == 404


def test_order_creates_conversions_that_finish_done_with_a_wav(sandbox):
    folder = make_folder(sandbox)
    original = upload(sandbox, folder["id"], tone(2)).json()
    voices = sandbox.seed("respeecher.voice", 2)["ids"]
    orders = order(sandbox, original["id"], *voices).json()
    assert [o["state"] for o in orders] == ["new", "new"]
    assert {"id", "original_id", "conversion_id", "tracking_id", "created_at"} <= orders[0].keys()
    conversion_ids = [o["conversion_id"] for o in orders]
    listed = sandbox.respeecher.get(
        "/api/recordings/conversions", params={"original_id": original["id"]}
    )
    assert sorted(r["id"] for r in listed.json()["list"]) == sorted(conversion_ids)
    assert all(r["state"] == "processing" for r in listed.json()["list"])
    assert all(r["type"] == "converted" for r in listed.json()["list"])
    sandbox.config(speed=FAST)
    for cid in conversion_ids:
        done = wait_until(lambda c=cid: recording(sandbox, c), lambda r: r["state"] == "done")
        assert done["process_stage"] == "done" and done["converted_at"]
        assert wav_seconds(sandbox.respeecher.get(done["url"]).content) == pytest.approx(2)


def test_conversions_fail_with_an_error_at_fail_rate_one_and_can_be_retried(sandbox):
    folder = make_folder(sandbox)
    original = upload(sandbox, folder["id"], tone(1)).json()
    sandbox.config(speed=FAST, fail_rate=1.0)
    [placed] = order(sandbox, original["id"], SEED_ID).json()
    failed = wait_until(
        lambda: recording(sandbox, placed["conversion_id"]), lambda r: r["state"] == "error"
    )
    assert failed["error"]
    sandbox.config(fail_rate=0.0)
    [retried] = sandbox.respeecher.post(f"/api/v2/orders/retry/{original['id']}").json()
    assert retried["conversion_id"] == placed["conversion_id"] and retried["state"] == "new"
    wait_until(lambda: recording(sandbox, placed["conversion_id"]), lambda r: r["state"] == "done")
    nothing = sandbox.respeecher.post(f"/api/v2/orders/retry/{original['id']}")
    assert nothing.status_code == 400
    assert nothing.json() == {"detail": "Nothing to retry: no failed conversion"}
    # Seed 003: the id is the original's; a conversion's is refused.
    by_conversion = sandbox.respeecher.post(f"/api/v2/orders/retry/{placed['conversion_id']}")
    assert by_conversion.status_code == 400


def test_order_for_a_tts_original_needs_a_narration_style(sandbox):
    folder = make_folder(sandbox)
    tts = sandbox.respeecher.post(
        "/api/v2/recordings/tts", json={"parent_folder_id": folder["id"], "text": "Hi"}
    ).json()
    response = sandbox.respeecher.post(
        "/api/v2/orders", json={"original_id": tts["id"], "conversions": [{"voice_id": SEED_ID}]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "narration_style_id"


def test_stats_count_conversions_by_state(sandbox):
    folder = make_folder(sandbox)
    original = upload(sandbox, folder["id"], tone(4)).json()
    sandbox.config(speed=FAST)
    [placed] = order(sandbox, original["id"], SEED_ID).json()
    wait_until(lambda: recording(sandbox, placed["conversion_id"]), lambda r: r["state"] == "done")
    stats = sandbox.respeecher.get("/api/stats").json()
    assert stats["conversions"] == {"total": 1, "completed": 1, "in_progress": 0, "failed": 0}
    assert stats["time_converted"]["total"] == pytest.approx(4)
    folders = sandbox.respeecher.get(
        "/api/stats/folders", params={"folder_id": folder["id"]}
    ).json()
    assert folders == [
        {
            "folder_id": folder["id"],
            "stats": {"total": 1, "completed": 1, "in_progress": 0, "failed": 0},
        }
    ]
    credits = sandbox.respeecher.get("/api/credits").json()["credits"]
    assert credits == pytest.approx(3600 - 4)


def test_project_export_is_a_streamed_zip_of_its_recordings(sandbox):
    folder = make_folder(sandbox)
    first = upload(sandbox, folder["id"], tone(1), filename="a.wav").json()
    upload(sandbox, folder["id"], tone(2), filename="b.wav")
    sandbox.respeecher.patch(f"/api/recordings/{first['id']}", json={"starred": True})
    response = sandbox.respeecher.get(f"/api/projects/{folder['project_id']}/export")
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    audio = [n for n in archive.namelist() if n.endswith(".wav")]
    assert len(audio) == 2
    starred = sandbox.respeecher.get(
        f"/api/projects/{folder['project_id']}/export", params={"starred_only": "true"}
    )
    starred_audio = [
        n for n in zipfile.ZipFile(io.BytesIO(starred.content)).namelist() if n.endswith(".wav")
    ]
    assert starred_audio == [f"Chapter 1/{first['id']}.wav"]


def test_an_export_announces_its_length_and_a_seeded_padding_makes_it_large(sandbox):
    padding = 5 * 1024 * 1024 + 3
    [project_id] = sandbox.seed("respeecher.project", 1, export_padding_bytes=padding)["ids"]
    folder = sandbox.seed("respeecher.folder", 1, project_id=project_id)["ids"][0]
    sandbox.seed("respeecher.recording", 2, folder_id=folder)
    with sandbox.respeecher.stream("GET", f"/api/projects/{project_id}/export") as response:
        body = b"".join(response.iter_bytes())
    assert int(response.headers["content-length"]) == len(body) > padding
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert archive.getinfo("padding.bin").file_size == padding
    assert len([n for n in archive.namelist() if n.endswith(".wav")]) == 2


def test_a_padding_that_is_not_a_byte_count_is_refused(sandbox):
    response = sandbox.http.post(
        "/_sandbox/seed",
        json={"kind": "respeecher.project", "count": 1, "export_padding_bytes": -1},
    )
    assert response.status_code == 400 and "export_padding_bytes" in response.text


def test_recording_export_holds_the_original_and_its_conversions(sandbox):
    folder = make_folder(sandbox)
    original = upload(sandbox, folder["id"], tone(1)).json()
    sandbox.config(speed=FAST)
    [placed] = order(sandbox, original["id"], SEED_ID).json()
    wait_until(lambda: recording(sandbox, placed["conversion_id"]), lambda r: r["state"] == "done")
    response = sandbox.respeecher.get(
        "/api/recordings/export", params={"original_id": original["id"]}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    names = archive.namelist()
    assert any("conversions/" in n for n in names) and "manifest.json" in names
    converted = next(n for n in names if "conversions/" in n)
    assert wav_seconds(archive.read(converted)) == pytest.approx(1)


def test_voices_filter_by_every_documented_field(sandbox):
    sandbox.seed("respeecher.voice", 5, gender="female", age_group="senior", visibility="paid")
    sandbox.seed("respeecher.voice", 7, gender="male", age_group="young", visibility="public")
    females = sandbox.respeecher.get("/api/v2/voices", params={"gender": "female"}).json()
    assert females["pagination"]["count"] == 5
    assert all(v["gender"] == "female" for v in females["list"])
    both = sandbox.respeecher.get(
        "/api/v2/voices", params={"visibility": "public", "age_group": "young", "limit": 3}
    ).json()
    assert both["pagination"] == {"count": 7, "limit": 3, "offset": 0} and len(both["list"]) == 3


def test_voices_default_to_25_per_page_and_sort_by_rating(sandbox):
    sandbox.seed("respeecher.voice", 40)
    page = sandbox.respeecher.get("/api/v2/voices").json()
    assert len(page["list"]) == 25 and page["pagination"]["count"] == 41
    by_rating = sandbox.respeecher.get(
        "/api/v2/voices", params={"sort": "rating", "direction": "desc", "limit": 100}
    ).json()["list"]
    ratings = [v["rating"] for v in by_rating]
    assert ratings == sorted(ratings, reverse=True)


def test_voice_search_favorite_and_settings(sandbox):
    sandbox.seed("respeecher.voice", 3, name_prefix="Narrator")
    found = sandbox.respeecher.get(
        "/api/v2/voices/search", params={"name": "narr", "limit": 2}
    ).json()
    assert len(found) == 2 and all("Narrator" in v["name"] for v in found)
    voice = found[0]
    assert (
        sandbox.respeecher.post(f"/api/v2/voices/favorite/{voice['id']}").json()["favorite"] is True
    )
    accent = voice["accents"][0]["id"]
    updated = sandbox.respeecher.post(
        "/api/v2/voices/settings",
        json={"voice_id": voice["id"], "accent_id": accent, "semitones_correction": 2},
    ).json()
    assert updated["accents"][0]["settings"] == {"favorite": True, "semitones_correction": 2}
    samples = sandbox.respeecher.get("/api/v2/accents/samples", params={"accent_id": accent}).json()
    assert sandbox.http.get(samples[0]["url"]).content[:4] == b"RIFF"


def test_calibration_is_created_processed_enabled_and_deleted(sandbox):
    created = sandbox.respeecher.post(
        "/api/calibration",
        data={"name": "My mic"},
        files={"data": ("cal.wav", tone(2), "audio/wav")},
    ).json()
    assert created["state"] == "processing" and created["enabled"] is False
    sandbox.config(speed=FAST)
    done = wait_until(
        lambda: sandbox.respeecher.get(f"/api/calibration/{created['id']}").json(),
        lambda c: c["state"] == "done",
    )
    assert done["f0"] > 0 and done["calibrated_at"]
    enabled = sandbox.respeecher.put(f"/api/calibration/{created['id']}/enable").json()
    assert enabled["enabled"] is True
    others = [
        c for c in sandbox.respeecher.get("/api/calibration").json() if c["id"] != created["id"]
    ]
    assert all(c["enabled"] is False for c in others)
    sandbox.respeecher.post("/api/calibration/auto")
    assert all(c["enabled"] is False for c in sandbox.respeecher.get("/api/calibration").json())
    assert (
        sandbox.respeecher.delete(f"/api/calibration/{created['id']}").json()["id"] == created["id"]
    )
    assert sandbox.respeecher.get(f"/api/calibration/{created['id']}").status_code == 404


def test_notes_attach_to_a_recording_and_go_away(sandbox):
    folder = make_folder(sandbox)
    rec = upload(sandbox, folder["id"], tone(1)).json()
    note = sandbox.respeecher.post(
        "/api/notes", json={"recording_id": rec["id"], "text": "Breath"}
    ).json()
    assert recording(sandbox, rec["id"])["note"] == note
    updated = sandbox.respeecher.put(
        "/api/notes", json={"id": note["id"], "text": "Re-take"}
    ).json()
    assert updated["text"] == "Re-take"
    sandbox.respeecher.request("DELETE", "/api/notes", json={"id": note["id"]})
    assert recording(sandbox, rec["id"])["note"] is None


def test_conversion_uses_the_enabled_calibration_unless_told_otherwise(sandbox):
    folder = make_folder(sandbox)
    original = upload(sandbox, folder["id"], tone(1)).json()
    [by_default] = order(sandbox, original["id"], SEED_ID).json()
    assert by_default["calibration_id"] == "string"  # the seed calibration is the enabled one
    sandbox.respeecher.post("/api/calibration/auto")
    [auto] = order(sandbox, original["id"], SEED_ID).json()
    assert auto["calibration_id"] is None


# What Respeecher's official Python client expects of the real service ---------------------


def test_a_recording_url_is_a_path_on_the_gateway_only(sandbox):
    # The official client downloads `{gateway}{url}`: nothing else answers that path.
    created = upload(sandbox, make_folder(sandbox)["id"], tone(1)).json()
    assert created["url"].startswith("/media/") and "://" not in created["url"]
    assert sandbox.http.get(created["url"]).status_code == 404  # the sandbox's root
    assert sandbox.respeecher.get(created["url"]).content == tone(1)
    bare = httpx.get(sandbox.url + "/respeecher" + created["url"])
    assert bare.status_code == 401  # the gateway's own files need the key too


def test_tts_and_conversions_pass_through_postprocessing_before_done(sandbox):
    sandbox.config(tts_engine="tone", speed=5.0)  # 1 s, postprocessing in its last 0.3 s
    folder = make_folder(sandbox)
    created = sandbox.respeecher.post(
        "/api/v2/recordings/tts", json={"parent_folder_id": folder["id"], "text": "Hi"}
    ).json()
    states = []

    def state():
        value = recording(sandbox, created["id"])["state"]
        if not states or states[-1] != value:
            states.append(value)
        return value

    wait_until(state, lambda s: s == "done")
    assert states == ["processing", "postprocessing", "done"]


def test_auth_answers_the_user_who_owns_new_projects(sandbox):
    user = sandbox.respeecher.post("/api/auth").json()
    assert set(user) == {"id", "email", "username", "verified", "roles"}
    project = sandbox.respeecher.post(
        "/api/projects", json={"name": "Dub", "owner": user["id"]}
    ).json()
    assert project["owner"] == user["id"]
    assert httpx.post(sandbox.url + "/respeecher/api/auth").status_code == 401


def test_most_marketplace_voices_have_tagged_styles_one_the_default(sandbox):
    ids = set(sandbox.seed("respeecher.voice", 14)["ids"])
    voices = [
        v
        for v in sandbox.respeecher.get("/api/v2/voices", params={"limit": 100}).json()["list"]
        if v["id"] in ids
    ]
    styled = [v for v in voices if v["narration_styles"]]
    assert 0.5 <= len(styled) / len(voices) < 1  # some voices only convert speech
    for voice in styled:
        styles = voice["narration_styles"]
        assert 1 <= len(styles) <= 4
        assert sum(s["is_default"] for s in styles) == 1
        assert all(s["name"] and s["tags"] and all(t["name"] for t in s["tags"]) for s in styles)
    assert max(len(v["narration_styles"]) for v in voices) > 1
