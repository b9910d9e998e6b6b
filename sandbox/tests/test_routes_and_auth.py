"""Every contract endpoint has a route, and each provider refuses bad credentials its own way."""

from __future__ import annotations

import httpx
import pytest

from sandbox.server import ROUTES

from .conftest import RESPEECHER_KEY

# The endpoint tables of docs/upstream/{a2e,respeecher,burki}.md, row by row.
CONTRACT = {
    ("a2e", "GET", "/api/v1/userVoice/completedRecord"),
    ("a2e", "GET", "/api/v1/userVoice/processingRecord"),
    ("a2e", "POST", "/api/v1/userVoice/training"),
    ("a2e", "GET", "/api/v1/userVoice/{_id}"),
    ("a2e", "DELETE", "/api/v1/userVoice/{_id}"),
    ("a2e", "GET", "/api/v1/anchor/voice_list"),
    ("a2e", "POST", "/api/v1/anchor/voice_list"),
    ("a2e", "POST", "/api/v1/video/send_tts"),
    ("a2e", "POST", "/api/v1/userDubbing/startDubbing"),
    ("a2e", "GET", "/api/v1/userDubbing/allRecords"),
    ("a2e", "GET", "/api/v1/userDubbing/processingRecord"),
    ("a2e", "GET", "/api/v1/userDubbing/{_id}"),
    ("a2e", "DELETE", "/api/v1/userDubbing/{_id}"),
    ("a2e", "GET", "/api/v1/streaming-avatar/all_avatars"),
    ("a2e", "POST", "/api/v1/streaming-avatar/agora-token"),
    ("a2e", "POST", "/api/v1/streaming-avatar/set-qa-context"),
    ("a2e", "GET", "/api/v1/streaming-avatar/get-qa-context"),
    ("a2e", "POST", "/api/v1/streaming-avatar/ask"),
    ("a2e", "POST", "/api/v1/streaming-avatar/speak"),
    ("a2e", "POST", "/api/v1/streaming-avatar/leave"),
    ("a2e", "GET", "/api/v1/user/remainingCoins"),
    ("a2e", "GET", "/api/v1/anchor/language_list"),
    ("a2e", "POST", "/api/v1/anchor/language_list"),
    ("a2e", "POST", "/api/v1/tos/transferToStorage"),
    ("respeecher", "POST", "/api/api-key"),
    ("respeecher", "DELETE", "/api/api-key"),
    ("respeecher", "POST", "/api/login"),
    ("respeecher", "POST", "/api/logout"),
    ("respeecher", "GET", "/api/credits"),
    ("respeecher", "GET", "/api/stats"),
    ("respeecher", "GET", "/api/stats/projects"),
    ("respeecher", "GET", "/api/stats/folders"),
    ("respeecher", "GET", "/api/projects"),
    ("respeecher", "POST", "/api/projects"),
    ("respeecher", "PATCH", "/api/projects/{project_id}"),
    ("respeecher", "DELETE", "/api/projects/{project_id}"),
    ("respeecher", "GET", "/api/projects/by-url"),
    ("respeecher", "GET", "/api/projects/{project_id}/export"),
    ("respeecher", "GET", "/api/folders"),
    ("respeecher", "POST", "/api/folders"),
    ("respeecher", "GET", "/api/folders/{folder_id}"),
    ("respeecher", "PATCH", "/api/folders/{folder_id}"),
    ("respeecher", "DELETE", "/api/folders/{folder_id}"),
    ("respeecher", "GET", "/api/recordings"),
    ("respeecher", "GET", "/api/recordings/originals"),
    ("respeecher", "GET", "/api/recordings/conversions"),
    ("respeecher", "POST", "/api/recordings"),
    ("respeecher", "GET", "/api/recordings/{recording_id}"),
    ("respeecher", "PATCH", "/api/recordings/{recording_id}"),
    ("respeecher", "PUT", "/api/recordings/{recording_id}"),
    ("respeecher", "DELETE", "/api/recordings/{recording_id}"),
    ("respeecher", "GET", "/api/recordings/export"),
    ("respeecher", "POST", "/api/recordings/tts"),
    ("respeecher", "POST", "/api/v2/recordings/tts"),
    ("respeecher", "GET", "/api/tts-voices"),
    ("respeecher", "POST", "/api/v2/orders"),
    ("respeecher", "POST", "/api/v2/orders/retry/{recording_id}"),
    ("respeecher", "GET", "/api/v2/voices"),
    ("respeecher", "GET", "/api/v2/voices/search"),
    ("respeecher", "POST", "/api/v2/voices/favorite/{voice_id}"),
    ("respeecher", "POST", "/api/v2/voices/settings"),
    ("respeecher", "GET", "/api/v2/accents/samples"),
    ("respeecher", "POST", "/api/calibration"),
    ("respeecher", "GET", "/api/calibration"),
    ("respeecher", "GET", "/api/calibration/{calibration_id}"),
    ("respeecher", "DELETE", "/api/calibration/{calibration_id}"),
    ("respeecher", "PUT", "/api/calibration/{calibration_id}/enable"),
    ("respeecher", "POST", "/api/calibration/auto"),
    ("respeecher", "POST", "/api/notes"),
    ("respeecher", "PUT", "/api/notes"),
    ("respeecher", "DELETE", "/api/notes"),
    ("respeecher", "POST", "/api/auth"),
    ("respeecher", "GET", "/media/{name:path}"),
    ("burki", "GET", "/api/v1/assistants"),
    ("burki", "GET", "/api/v1/assistants/{assistant_id}"),
    ("burki", "GET", "/api/v1/assistants/cloned-voices"),
    ("burki", "GET", "/api/v1/assistants/{assistant_id}/cloned-voices"),
    ("burki", "POST", "/api/v1/assistants/{assistant_id}/voice-samples/upload"),
    ("burki", "GET", "/api/v1/assistants/{assistant_id}/voice-samples/list"),
    ("burki", "POST", "/api/v1/assistants/{assistant_id}/cloned-voices"),
    ("burki", "GET", "/api/v1/assistants/{assistant_id}/voice-cloning/providers"),
}


def test_every_contract_endpoint_has_a_sandbox_route():
    assert CONTRACT - set(ROUTES) == set()


def test_sandbox_serves_no_route_outside_the_contracts():
    assert set(ROUTES) - CONTRACT == set()


def test_control_api_lists_the_same_route_table(sandbox):
    listed = {
        (r["provider"], r["method"], r["path"]) for r in sandbox.http.get("/_sandbox/routes").json()
    }
    assert listed == set(ROUTES)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/a2e/api/v1/userVoice/completedRecord", {}),
        ("/a2e/api/v1/userVoice/completedRecord", {"Authorization": "Bearer wrong"}),
        ("/a2e/api/v1/userVoice/completedRecord", {"Authorization": "Basic c2FuZGJveA=="}),
    ],
)
def test_a2e_refuses_bad_tokens_with_401_and_a_nonzero_code(sandbox, path, headers):
    response = sandbox.http.get(path, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] != 0
    assert isinstance(body["msg"], str) and body["msg"]


@pytest.mark.parametrize("headers", [{}, {"api-key": "wrong"}])
def test_respeecher_refuses_bad_keys_with_401_detail(sandbox, headers):
    response = sandbox.http.get("/respeecher/api/projects", headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_burki_refuses_bad_keys_with_401_detail(sandbox, headers):
    response = sandbox.http.get("/burki/api/v1/assistants", headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


def test_a_provider_token_does_not_open_another_provider(sandbox):
    response = sandbox.http.get(
        "/burki/api/v1/assistants", headers={"Authorization": sandbox.a2e.headers["Authorization"]}
    )
    assert response.status_code == 401


def test_unknown_path_is_404_and_wrong_method_405_in_the_providers_shape(sandbox):
    missing = sandbox.a2e.get("/api/v1/nothing/here")
    assert missing.status_code == 404 and missing.json()["code"] != 0
    wrong = sandbox.respeecher.delete("/api/credits")
    assert wrong.status_code == 405 and "detail" in wrong.json()


def test_respeecher_session_login_needs_the_csrf_header_for_writes(sandbox):
    session = httpx.Client(base_url=sandbox.url + "/respeecher")
    try:
        refused = session.post("/api/login", json={"email": "a@b.c", "password": "nope"})
        assert refused.status_code == 401
        login = session.post("/api/login", json={"email": "a@b.c", "password": RESPEECHER_KEY})
        assert login.status_code == 200
        csrf = login.json()["csrf_token"]
        assert login.json()["user"]["email"] == "a@b.c"
        assert session.get("/api/projects").status_code == 200
        assert session.post("/api/projects", json={"name": "x"}).status_code == 403
        created = session.post("/api/projects", json={"name": "x"}, headers={"X-Csrf-Token": csrf})
        assert created.status_code == 200
        assert session.post("/api/logout", headers={"X-Csrf-Token": csrf}).status_code == 200
        assert session.get("/api/projects").status_code == 401
    finally:
        session.close()


def test_respeecher_new_api_key_works_and_deleting_it_revokes_it(sandbox):
    key = sandbox.respeecher.post("/api/api-key").json()["api_key"]
    fresh = {"api-key": key}
    assert sandbox.respeecher.get("/api/credits", headers=fresh).status_code == 200
    assert sandbox.respeecher.delete("/api/api-key", headers=fresh).status_code == 200
    assert sandbox.respeecher.get("/api/credits", headers=fresh).status_code == 401
    assert sandbox.respeecher.get("/api/credits").status_code == 200
