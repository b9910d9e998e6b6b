"""The world `make run` shows (`--world demo`): a team's work with names a person would
give it, none of the seed documents' example text, and the examples one seed away."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from sandbox import __main__ as cli
from sandbox import seeds
from sandbox.server import run_in_thread
from sandbox.state import Options, Store

A2E = {"Authorization": "Bearer sandbox-a2e"}
RESPEECHER = {"api-key": "sandbox-respeecher"}
BURKI = {"Authorization": "Bearer sandbox-burki"}


def _records(store: Store) -> str:
    """Every record the three fakes hold, as one JSON text."""
    a2e, resp, burki = store.a2e, store.respeecher, store.burki
    return json.dumps(
        [
            a2e.voices,
            a2e.dubbings,
            resp.projects,
            resp.folders,
            resp.recordings,
            resp.voices,
            resp.tts_voices,
            resp.calibrations,
            list(burki.assistants.values()),
            [list(v.values()) for v in burki.voices.values()],
        ],
        ensure_ascii=False,
    )


def _example_texts() -> set[str]:
    """The names and free text of the seed documents' example records."""
    texts = {
        seeds.A2E_SEED_VOICE["name"],
        seeds.A2E_SEED_DUBBING["name"],
        seeds.RESPEECHER_SEED_PROJECT["name"],
        seeds.BURKI_SEED_ASSISTANT["name"],
        *(v["name"] for v in seeds.BURKI_SEED_VOICES),
    }
    return {f'"{t}"' for t in texts} | {seeds.R_ID, seeds.A2E_SEED_VOICE["_id"]}


def test_the_demo_world_holds_none_of_the_examples_text():
    text = _records(Store(Options(world="demo", tts_engine="tone")))
    assert [t for t in _example_texts() if t in text] == []
    assert '"string"' in _records(Store(Options(tts_engine="tone")))  # the tests' world


def test_the_demo_world_has_a_teams_work_in_every_provider():
    store = Store(Options(world="demo", tts_engine="tone"))
    assert {v["current_status"] for v in store.a2e.voices.values()} == {"completed"}
    assert {d["current_status"] for d in store.a2e.dubbings.values()} >= {"completed", "failed"}
    names = {p["name"] for p in store.respeecher.projects.values()}
    assert names == {"Northwind audiobook", "Spring campaign"}
    takes = store.respeecher.recordings.values()
    assert all(t["label"] and t["duration"] > 0 and t["text"] for t in takes)
    # Each take converted once, in one of the last four months, for the Usage page.
    conversions = [t for t in takes if t["type"] == "converted"]
    assert len(conversions) == len(takes) // 2
    assert len({c["converted_at"][:7] for c in conversions}) == 4
    # Burki's assistant 1, which `manage.py demo` follows.
    assert store.burki.assistants[1]["name"] == "Reception line"
    assert len(store.burki.voices[1]) == 3


@pytest.fixture(scope="module")
def demo() -> Iterator[httpx.Client]:
    url, stop = run_in_thread(port=0, world="demo", tts_engine="tone")
    with httpx.Client(base_url=url) as client:
        yield client
    stop()


def test_its_ids_are_fixed_so_a_fresh_start_lists_the_same_records():
    first = Store(Options(world="demo", tts_engine="tone"))
    second = Store(Options(world="demo", tts_engine="tone"))
    for table in ("voices", "dubbings"):
        assert set(getattr(first.a2e, table)) == set(getattr(second.a2e, table))
    for table in ("projects", "folders", "recordings", "voices", "tts_voices"):
        assert set(getattr(first.respeecher, table)) == set(getattr(second.respeecher, table))


def test_its_media_links_answer(demo):
    dubbings = demo.get("/a2e/api/v1/userDubbing/allRecords", headers=A2E).json()["data"]["rows"]
    done = [d for d in dubbings if d["current_status"] == "completed"]
    assert done and all(d["name"] != "test" for d in dubbings)
    # A2E's absolute URLs name the sandbox's own address (its port in run_in_thread is 0,
    # so only the path is asked here).
    path = httpx.URL(done[0]["result_url"]).path
    assert demo.get(path).status_code == 200
    projects = demo.get("/respeecher/api/projects", headers=RESPEECHER).json()["list"]
    query = {"project_id": projects[0]["id"]}
    takes = demo.get("/respeecher/api/recordings", params=query, headers=RESPEECHER).json()["list"]
    assert takes and demo.get(f"/respeecher{takes[0]['url']}", headers=RESPEECHER).is_success


def test_a_reset_returns_to_the_demo_world_and_the_examples_are_one_seed_away(demo):
    demo.post("/_sandbox/reset").raise_for_status()
    projects = demo.get("/respeecher/api/projects", headers=RESPEECHER).json()["list"]
    assert {p["name"] for p in projects} == {"Northwind audiobook", "Spring campaign"}

    answer = demo.post("/_sandbox/seed", json={"kind": "examples"}).json()
    assert answer == {"kind": "examples", "count": 11}
    projects = demo.get("/respeecher/api/projects", headers=RESPEECHER).json()["list"]
    assert projects == [seeds.RESPEECHER_SEED_PROJECT]
    voice = demo.get(f"/a2e/api/v1/userVoice/{seeds.A2E_SEED_VOICE['_id']}", headers=A2E)
    assert voice.json()["data"] == seeds.A2E_SEED_VOICE
    assistants = demo.get("/burki/api/v1/assistants", headers=BURKI).json()
    assert assistants == [seeds.BURKI_SEED_ASSISTANT]
    demo.post("/_sandbox/reset").raise_for_status()


def test_python_m_sandbox_takes_a_world(monkeypatch):
    started = []
    monkeypatch.setattr(cli, "run", lambda **options: started.append(options["world"]))
    cli.main([])
    cli.main(["--world", "demo"])
    assert started == ["examples", "demo"]


def test_python_m_sandbox_listens_where_its_url_points(monkeypatch):
    started = []
    monkeypatch.setattr(cli, "run", lambda **options: started.append(options))
    cli.main(["--url", "http://127.0.0.1:8799"])
    assert (started[0]["host"], started[0]["port"]) == ("127.0.0.1", 8799)
    assert "url" not in started[0]
    for bad in ("127.0.0.1:8799", "https://127.0.0.1:8799", "http://127.0.0.1", "http://h:x"):
        with pytest.raises(SystemExit):
            cli.main(["--url", bad])
