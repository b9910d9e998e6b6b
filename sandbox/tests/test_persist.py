"""A sandbox given a state folder (`make run`'s var/sandbox) keeps its records and media
across a restart, so links made before it still answer; the tests' sandboxes keep nothing."""

from __future__ import annotations

import pickle

import httpx

from sandbox import media, persist
from sandbox.server import run_in_thread
from sandbox.state import Options, Store
from sandbox.tests.conftest import wait_until

A2E = {"Authorization": "Bearer sandbox-a2e"}
RESPEECHER = {"api-key": "sandbox-respeecher"}


def _start(folder, **options):
    return run_in_thread(port=0, world="demo", tts_engine="tone", state_dir=str(folder), **options)


def test_records_and_media_made_before_a_restart_are_there_after_it(tmp_path):
    url, stop = _start(tmp_path)
    with httpx.Client(base_url=url) as client:
        wav = b"RIFF" + b"\0" * 4 + b"WAVEfmt " + b"\0" * 64
        link = client.put(
            "/_sandbox/files/greeting.wav", content=wav, headers={"content-type": "audio/wav"}
        ).json()["url"]
        project = client.post(
            "/respeecher/api/projects", json={"name": "Winter audiobook"}, headers=RESPEECHER
        ).json()
        assert project["name"] == "Winter audiobook"
        tts = client.post(
            "/a2e/api/v1/video/send_tts",
            json={"msg": "Hello again", "tts_id": _a2e_tts_voice(client), "speechRate": 1},
            headers=A2E,
        ).json()["data"]
    stop()

    url, stop = _start(tmp_path)  # the same port is not needed: the paths are kept
    try:
        with httpx.Client(base_url=url) as client:
            assert client.get(httpx.URL(link).path).content == wav
            listed = client.get("/respeecher/api/projects", headers=RESPEECHER).json()["list"]
            assert project["id"] in {p["id"] for p in listed}
            assert client.get(httpx.URL(tts).path).status_code == 200
    finally:
        stop()


def _a2e_tts_voice(client) -> str:
    voices = client.get("/a2e/api/v1/anchor/voice_list", headers=A2E).json()["data"]
    return voices[0]["children"][0]["value"]


def test_a_job_running_at_the_stop_is_found_finished_with_its_result(tmp_path):
    url, stop = _start(tmp_path, speed=0.001)  # nothing finishes by itself here
    with httpx.Client(base_url=url) as client:
        source = client.put(
            "/_sandbox/files/clip.wav",
            content=media.tone_wav(2),
            headers={"content-type": "audio/wav"},
        ).json()["url"]
        started = client.post(
            "/a2e/api/v1/userDubbing/startDubbing",
            json={"name": "Winter promo", "source_url": source, "target_lang": "es"},
            headers=A2E,
        ).json()["data"]
        assert started["current_status"] == "initialized"
        # Its source downloaded (the sandbox fetches it from itself), it is under way.
        wait_until(
            lambda: client.get(f"/a2e/api/v1/userDubbing/{started['_id']}", headers=A2E),
            lambda answer: answer.json()["data"]["duration"] > 0,
        )
    stop()

    url, stop = _start(tmp_path)
    try:
        with httpx.Client(base_url=url) as client:
            got = client.get(f"/a2e/api/v1/userDubbing/{started['_id']}", headers=A2E).json()
            assert got["data"]["current_status"] == "completed"
            assert client.get(httpx.URL(got["data"]["result_url"]).path).status_code == 200
    finally:
        stop()


def test_a_save_of_another_world_or_format_is_not_loaded(tmp_path):
    store = Store(Options(world="demo", tts_engine="tone"))
    persist.save(store, tmp_path)
    assert not persist.load(Store(Options(world="examples")), tmp_path)
    snapshot = pickle.loads((tmp_path / persist.STATE).read_bytes())  # noqa: S301
    snapshot["version"] = persist.VERSION + 1
    (tmp_path / persist.STATE).write_bytes(pickle.dumps(snapshot))
    assert not persist.load(Store(Options(world="demo", tts_engine="tone")), tmp_path)


def test_a_save_writes_each_file_once_and_drops_files_no_longer_held(tmp_path):
    store = Store(Options(world="demo", tts_engine="tone"))
    store.put_file("uploads/a.wav", "audio/wav", b"one")
    persist.save(store, tmp_path)
    blobs = {p.name for p in (tmp_path / persist.FILES).iterdir()}
    del store.files["uploads/a.wav"]
    persist.save(store, tmp_path)
    after = {p.name for p in (tmp_path / persist.FILES).iterdir()}
    assert len(after) == len(blobs) - 1
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_tests_sandboxes_keep_nothing(sandbox, tmp_path):
    assert sandbox.http.get("/_sandbox").json()["world"] == "examples"
    assert not list(tmp_path.iterdir())
