"""RespeecherClient against the seed examples and the contract, at the HTTP boundary (respx)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime

import httpx
import pytest

from providers import respeecher
from providers.errors import AuthError, BadRequest, NotFound, ProtocolError
from providers.respeecher import Conversion, RespeecherClient
from providers.tests.examples import example

BASE = "https://respeecher.test"
KEY = "rs-key-0123456789abcdef"
UUID = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def client(sleep):
    return RespeecherClient(BASE, KEY, sleep=sleep)


def test_projects_list_reads_the_seed_example(mock, client):
    payload = example("respeecher_projects_list.json")
    route = mock.get(f"{BASE}/api/projects").respond(json=payload)

    page = client.list_projects(limit=10, offset=20, sort="name", direction="asc")

    sent = route.calls.last.request
    assert sent.headers["api-key"] == KEY
    assert dict(sent.url.params) == {
        "limit": "10",
        "offset": "20",
        "sort": "name",
        "direction": "asc",
    }
    [project] = page.items
    assert page.total == 0  # the seed's own pagination says count 0
    assert project.id == UUID and project.name == "string" and project.active is True
    assert project.created_at == datetime(2023, 11, 7, 20, 8, 17, 885000, tzinfo=UTC)
    assert project.raw == payload["list"][0]


def test_iter_projects_stops_at_the_total(mock, client):
    route = mock.get(f"{BASE}/api/projects").respond(json=example("respeecher_projects_list.json"))

    assert [p.id for p in client.iter_projects()] == [UUID]
    assert route.call_count == 1


def test_voices_are_paged_lazily_by_offset(mock, client):
    voice = example("respeecher_voices_list.json")["list"][0]
    voices = [{**voice, "id": f"v{i}"} for i in range(5)]

    def handler(request):
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        return httpx.Response(
            200,
            json={
                "list": voices[offset : offset + limit],
                "pagination": {"count": len(voices), "limit": limit, "offset": offset},
            },
        )

    route = mock.get(f"{BASE}/api/v2/voices").mock(side_effect=handler)

    iterator = client.iter_voices(gender="female", page_size=2)
    first = next(iterator)
    assert route.call_count == 1
    ids = [first.id] + [v.id for v in iterator]

    assert ids == ["v0", "v1", "v2", "v3", "v4"]
    assert [c.request.url.params["offset"] for c in route.calls] == ["0", "2", "4"]
    assert all(c.request.url.params["gender"] == "female" for c in route.calls)


def test_voices_list_reads_accents_and_narration_styles(mock, client):
    payload = example("respeecher_voices_list.json")
    mock.get(f"{BASE}/api/v2/voices").respond(json=payload)

    [voice] = client.list_voices(visibility="public").items

    assert (voice.gender, voice.age_group, voice.pitch_group) == ("male", "child", "low")
    assert voice.accents[0].id == UUID and voice.accents[0].locale == "string"
    assert voice.narration_styles[0].is_default is True
    assert voice.raw == payload["list"][0]


def test_voice_search_reads_the_bare_array(mock, client):
    payload = example("respeecher_voices_search.json")
    route = mock.get(f"{BASE}/api/v2/voices/search").respond(json=payload)

    [voice] = client.search_voices("str", limit=5)

    assert dict(route.calls.last.request.url.params) == {"name": "str", "limit": "5"}
    assert voice.id == UUID and voice.species == "human"


def test_voice_settings_send_the_seed_request(mock, client):
    request = example("respeecher_voice_settings_request.json")
    route = mock.post(f"{BASE}/api/v2/voices/settings").respond(
        json=example("respeecher_voices_search.json")[0]
    )

    voice = client.save_voice_settings(
        request["voice_id"],
        narration_style_id=request["narration_style_id"],
        accent_id=request["accent_id"],
        semitones_correction=request["semitones_correction"],
    )

    assert json.loads(route.calls.last.request.content) == request
    assert voice.id == UUID


def test_folders_read_the_seed_examples(mock, client):
    mock.get(f"{BASE}/api/folders").respond(json=example("respeecher_folders_list.json"))
    created = mock.post(f"{BASE}/api/folders").respond(
        json=example("respeecher_folder_created.json")
    )
    mock.get(f"{BASE}/api/folders/{UUID}").respond(json=example("respeecher_folder_detail.json"))

    [listed] = client.list_folders(UUID).items
    made = client.create_folder(UUID, "Takes")
    fetched = client.get_folder(UUID)

    assert listed.project_id == UUID and listed.parent_id == UUID
    assert json.loads(created.calls.last.request.content) == {"project_id": UUID, "name": "Takes"}
    assert made.created_at == datetime(2023, 10, 8, 16, 0, 49, 476000, tzinfo=UTC)
    assert fetched.created_at == datetime(2023, 10, 8, 16, 8, 34, 131000, tzinfo=UTC)


def test_recordings_list_reads_the_seed_example(mock, client):
    payload = example("respeecher_recordings_list.json")
    route = mock.get(f"{BASE}/api/recordings").respond(json=payload)

    [recording] = client.list_recordings(folder_id=UUID).items

    assert route.calls.last.request.url.params["folder_id"] == UUID
    assert recording.status == "done" and recording.state == "completed"
    assert recording.type == "original" and recording.starred is False and recording.tts is True
    # Seed 003's placeholder is read as what the real `url` is: a path on the gateway.
    assert recording.url == f"{BASE}/string" and recording.waveform_url == f"{BASE}/string"
    assert recording.raw["url"] == "string"
    assert recording.raw["note"] == {"id": "string", "text": "string", "active": True}


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("processing", "processing"),
        ("postprocessing", "processing"),  # still running (Respeecher's official client)
        ("done", "completed"),
        ("error", "failed"),
    ],
)
def test_recording_states_are_normalised(mock, client, status, state):
    item = {**example("respeecher_recording_created.json"), "state": status}
    mock.get(f"{BASE}/api/recordings/{UUID}").respond(json=item)

    assert client.get_recording(UUID).state == state


def test_upload_recording_streams_the_file_as_multipart(mock, client, tmp_path):
    audio = tmp_path / "take1.wav"
    audio.write_bytes(b"RIFF" + b"\x01" * 300_000)
    route = mock.post(f"{BASE}/api/recordings").respond(
        json=example("respeecher_recording_created.json")
    )

    recording = client.upload_recording(UUID, audio, label="Take 1")

    sent = route.calls.last.request
    body = sent.read()
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="parent_folder_id"\r\n\r\n' + UUID.encode() in body
    assert b'name="microphone"\r\n\r\nfile' in body
    assert b'name="label"\r\n\r\nTake 1' in body
    assert b'name="data"; filename="take1.wav"' in body
    assert audio.read_bytes() in body
    assert recording.id == UUID


def test_upload_recording_sends_the_microphone_it_is_given(mock, client, tmp_path):
    audio = tmp_path / "take1.wav"
    audio.write_bytes(b"RIFF" + b"\x01" * 100)
    route = mock.post(f"{BASE}/api/recordings").respond(
        json=example("respeecher_recording_created.json")
    )

    client.upload_recording(UUID, audio, microphone="USB Studio Mic (0d8c:0014)")

    body = route.calls.last.request.read()
    assert b'name="microphone"\r\n\r\nUSB Studio Mic (0d8c:0014)' in body


class _ReadSizes(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.sizes: list[int] = []
        self.name = "big.wav"

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(-1 if size is None else size)
        return super().read(size)


def test_upload_reads_the_file_in_chunks_not_whole(mock, client):
    handle = _ReadSizes(b"\x00" * 1_000_000)
    mock.post(f"{BASE}/api/calibration").respond(
        json=example("respeecher_calibration_created.json")
    )

    calibration = client.create_calibration("studio mic", handle)

    assert handle.sizes and all(0 < size < 1_000_000 for size in handle.sizes)
    assert calibration.status == "processing" and calibration.enabled is True


def test_calibration_detail_reads_the_seed_example(mock, client):
    payload = example("respeecher_calibration_detail.json")
    mock.get(f"{BASE}/api/calibration/c1").respond(json=payload)

    calibration = client.get_calibration("c1")

    assert calibration.id == "string" and calibration.state == "processing"
    assert calibration.f0 == 0 and calibration.algorithm == "string"
    assert calibration.calibrated_at == datetime(2022, 6, 27, 14, 21, 43, 569000, tzinfo=UTC)


def test_tts_recording_sends_the_seed_request(mock, client):
    request = example("respeecher_recording_tts_v2_request.json")
    route = mock.post(f"{BASE}/api/v2/recordings/tts").respond(
        json=example("respeecher_recording_created.json")
    )

    recording = client.create_tts_recording(
        request["parent_folder_id"],
        request["text"],
        text_language=request["text_language"],
        label=request["label"],
    )

    assert json.loads(route.calls.last.request.content) == request
    assert recording.parent_folder_id == UUID


def test_deprecated_tts_recording_sends_the_seed_request(mock, client):
    request = example("respeecher_recording_tts_v1_request.json")
    route = mock.post(f"{BASE}/api/recordings/tts").respond(
        json=example("respeecher_recording_created.json")
    )

    client.create_tts_recording_v1(
        request["project_id"],
        request["parent_folder_id"],
        request["voice_id"],
        request["text"],
        label=request["label"],
    )

    assert json.loads(route.calls.last.request.content) == request


def test_order_sends_the_seed_request_and_reads_the_item_array(mock, client):
    request = example("respeecher_order_request.json")
    conversion = request["conversions"][0]
    # The seed shows no order response; this follows the documented item fields.
    answer = [
        {
            "id": "o1",
            "user_id": "u1",
            "original_id": UUID,
            "conversion_id": "r2",
            "tracking_id": "t1",
            "state": "pre_processing",
            "created_at": "2024-01-01T00:00:00Z",
            "closed_at": None,
        }
    ]
    route = mock.post(f"{BASE}/api/v2/orders").respond(json=answer)

    [item] = client.create_order(
        request["original_id"],
        [Conversion(**conversion)],
        calibration_id=request["calibration_id"],
        use_calibration=request["use_calibration"],
    )

    assert json.loads(route.calls.last.request.content) == request
    assert item.conversion_id == "r2"
    assert item.status == "pre_processing" and item.state == "processing"
    assert item.closed_at is None


def test_order_is_not_retried_after_a_read_timeout(mock, client):
    route = mock.post(f"{BASE}/api/v2/orders").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(Exception, match="did not answer in time"):
        client.create_order(UUID, [Conversion(voice_id=UUID)])

    assert route.call_count == 1


def test_stats_read_the_seed_examples(mock, client):
    mock.get(f"{BASE}/api/stats").respond(json=example("respeecher_stats.json"))
    mock.get(f"{BASE}/api/stats/projects").respond(json=example("respeecher_stats_projects.json"))
    mock.get(f"{BASE}/api/stats/folders").respond(json=example("respeecher_stats_folders.json"))

    account = client.account_stats()
    [project] = client.project_stats()
    [folder] = client.folder_stats()

    assert account.conversions.total == 0 and account.time_converted_total == 0
    assert account.raw["time_converted"]["previous_monthes"][0]["month"] == "2023-11-08"
    assert [(m.month, m.seconds) for m in account.previous_months] == [("2023-11-08", 0)]
    assert project.project_id == UUID and project.conversions.in_progress == 0
    assert folder.folder_id == UUID and folder.conversions.failed == 0


def test_tts_voices_read_the_seed_example(mock, client):
    mock.get(f"{BASE}/api/tts-voices").respond(json=example("respeecher_tts_voices.json"))

    [voice] = client.list_tts_voices()

    assert (voice.id, voice.visibility, voice.is_default) == (UUID, "public", True)


def test_export_streams_the_zip_with_its_filename(mock, client, tmp_path):
    body = b"PK\x03\x04" + bytes(range(256)) * 512
    route = mock.get(f"{BASE}/api/projects/{UUID}/export").respond(
        content=body,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": "attachment; filename=my-project.zip",
        },
    )

    result = client.export_project(UUID, tmp_path / "export.zip", starred_only=True)

    assert route.calls.last.request.url.params["starred_only"] == "true"
    assert result.filename == "my-project.zip"
    assert result.size == len(body) and result.sha256 == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "export.zip").read_bytes() == body


def test_an_export_is_streamed_chunk_by_chunk_with_its_name_and_length(mock, client):
    body = b"PK\x03\x04" + bytes(range(256)) * 1024
    route = mock.get(f"{BASE}/api/recordings/export").respond(
        content=body,
        headers={
            "Content-Type": "application/zip",
            "Content-Length": str(len(body)),
            "Content-Disposition": 'attachment; filename="recording-1.zip"',
        },
    )

    with client.stream_conversions_export(UUID, starred_only=True) as streamed:
        chunks = list(streamed.chunks())

    assert route.calls.last.request.url.params["original_id"] == UUID
    assert route.calls.last.request.url.params["starred_only"] == "true"
    assert streamed.filename == "recording-1.zip" and streamed.content_length == len(body)
    assert b"".join(chunks) == body and len(chunks) > 1


def test_a_refused_project_export_raises_before_anything_is_streamed(mock, client):
    mock.get(f"{BASE}/api/projects/{UUID}/export").respond(404, json={"detail": "No project"})

    with pytest.raises(NotFound), client.stream_project_export(UUID):
        pass


def test_export_to_a_file_object(mock, client):
    mock.get(f"{BASE}/api/recordings/export").respond(content=b"zipzip")
    out = io.BytesIO()

    result = client.export_conversions(UUID, out)

    assert out.getvalue() == b"zipzip" and result.size == 6 and result.path is None


def test_422_detail_list_becomes_field_errors(mock, client):
    detail = [{"loc": ["body", "name"], "msg": "field required", "type": "value_error.missing"}]
    mock.post(f"{BASE}/api/projects").respond(422, json={"detail": detail})

    with pytest.raises(BadRequest) as caught:
        client.create_project("", owner=UUID)

    assert caught.value.field_errors == {"name": ["field required"]}
    assert caught.value.provider == "Respeecher"


def test_404_detail_string_is_not_found_with_the_message(mock, client):
    mock.get(f"{BASE}/api/recordings/nope").respond(404, json={"detail": "Recording not found"})

    with pytest.raises(NotFound, match="Recording not found"):
        client.get_recording("nope")


def test_bad_key_is_an_auth_error(mock, client):
    mock.get(f"{BASE}/api/credits").respond(401, json={"detail": "Invalid API key"})

    with pytest.raises(AuthError):
        client.credits()


@pytest.mark.parametrize(("payload", "amount"), [({"credits": 12.5}, 12.5), (40, 40.0)])
def test_credits_read_an_object_or_a_bare_number(mock, client, payload, amount):
    mock.get(f"{BASE}/api/credits").respond(json=payload)

    assert client.check().amount == amount


RECORDING = example("respeecher_recording_created.json")
VOICE = example("respeecher_voices_search.json")[0]
CALIBRATION = example("respeecher_calibration_detail.json")
NOTE = {"id": "n1", "text": "retake", "active": True}
# `POST /api/auth`'s answer, in the shape of Respeecher's official Python client.
USER = {
    "id": "9f0c4c1e-7d2b-4e55-9a61-5b3b1c2d8e70",
    "email": "studio@example.com",
    "username": "studio",
    "verified": True,
    "roles": ["user"],
}


# One call per ENDPOINTS entry, answered with the seed's shape where it has one.
def _login(client):
    """Sign in; the plain answer here sets no session cookie, which `login` refuses after
    the call was made (the session flow itself: test_respeecher_login.py)."""
    with pytest.raises(ProtocolError):
        type(client).login(BASE, "studio@example.com", "a-password")


CALLS = {
    "create_api_key": (lambda c: c.create_api_key(), {"api_key": "new"}),
    "delete_api_key": (lambda c: c.delete_api_key(), None),
    "credits": (lambda c: c.credits(), {"credits": 1}),
    "account_stats": (lambda c: c.account_stats(), example("respeecher_stats.json")),
    "project_stats": (lambda c: c.project_stats(), example("respeecher_stats_projects.json")),
    "folder_stats": (lambda c: c.folder_stats(), example("respeecher_stats_folders.json")),
    "list_projects": (lambda c: c.list_projects(), example("respeecher_projects_list.json")),
    "create_project": (
        lambda c: c.create_project("p", owner=UUID),
        example("respeecher_project_created.json"),
    ),
    "me": (lambda c: c.me(), USER),
    "login": (_login, {"user": USER, "csrf_token": "t"}),
    "logout": (lambda c: c.logout(), {}),
    "rename_project": (
        lambda c: c.rename_project("ID1", "q"),
        example("respeecher_project_created.json"),
    ),
    "delete_project": (lambda c: c.delete_project("ID1"), None),
    "get_project_by_url": (
        lambda c: c.get_project_by_url("string"),
        example("respeecher_project_created.json"),
    ),
    "export_project": (lambda c: c.export_project("ID1", io.BytesIO()), None),
    "list_folders": (lambda c: c.list_folders("ID1"), example("respeecher_folders_list.json")),
    "create_folder": (
        lambda c: c.create_folder("p", "f"),
        example("respeecher_folder_created.json"),
    ),
    "get_folder": (lambda c: c.get_folder("ID1"), example("respeecher_folder_detail.json")),
    "rename_folder": (
        lambda c: c.rename_folder("ID1", "g"),
        example("respeecher_folder_detail.json"),
    ),
    "delete_folder": (lambda c: c.delete_folder("ID1"), None),
    "list_recordings": (
        lambda c: c.list_recordings(project_id="p"),
        example("respeecher_recordings_list.json"),
    ),
    "list_originals": (
        lambda c: c.list_originals("f"),
        example("respeecher_recordings_list.json"),
    ),
    "list_conversions": (
        lambda c: c.list_conversions("o"),
        example("respeecher_recordings_list.json"),
    ),
    "upload_recording": (lambda c: c.upload_recording("f", io.BytesIO(b"RIFF")), RECORDING),
    "get_recording": (lambda c: c.get_recording("ID1"), RECORDING),
    "update_recording": (lambda c: c.update_recording("ID1", starred=True), RECORDING),
    "replace_recording": (lambda c: c.replace_recording("ID1", label="l"), RECORDING),
    "delete_recording": (lambda c: c.delete_recording("ID1"), RECORDING),
    "export_conversions": (lambda c: c.export_conversions("o", io.BytesIO()), None),
    "create_tts_recording": (lambda c: c.create_tts_recording("f", "hello"), RECORDING),
    "create_tts_recording_v1": (
        lambda c: c.create_tts_recording_v1("p", "f", "v", "hello"),
        RECORDING,
    ),
    "list_tts_voices": (lambda c: c.list_tts_voices(), example("respeecher_tts_voices.json")),
    "create_order": (
        lambda c: c.create_order("o", [Conversion(voice_id="v")]),
        [{"id": "o1", "state": "new"}],
    ),
    "retry_order": (lambda c: c.retry_order("ID1"), [{"id": "o1", "state": "new"}]),
    "list_voices": (lambda c: c.list_voices(), example("respeecher_voices_list.json")),
    "search_voices": (lambda c: c.search_voices("a"), example("respeecher_voices_search.json")),
    "favorite_voice": (lambda c: c.favorite_voice("ID1"), VOICE),
    "save_voice_settings": (lambda c: c.save_voice_settings("v", accent_id="a"), VOICE),
    "list_accent_samples": (lambda c: c.list_accent_samples("a"), [{"url": "x"}]),
    "create_calibration": (lambda c: c.create_calibration("n", io.BytesIO(b"RIFF")), CALIBRATION),
    "list_calibrations": (lambda c: c.list_calibrations(), [CALIBRATION]),
    "get_calibration": (lambda c: c.get_calibration("ID1"), CALIBRATION),
    "delete_calibration": (lambda c: c.delete_calibration("ID1"), CALIBRATION),
    "enable_calibration": (lambda c: c.enable_calibration("ID1"), CALIBRATION),
    "use_auto_calibration": (lambda c: c.use_auto_calibration(), None),
    "create_note": (lambda c: c.create_note("r", "retake"), NOTE),
    "update_note": (lambda c: c.update_note("n1", "retake"), NOTE),
    "delete_note": (lambda c: c.delete_note("n1"), NOTE),
}


def test_every_endpoint_has_a_call_here():
    assert set(CALLS) == set(respeecher.ENDPOINTS.values())


@pytest.mark.parametrize(("route", "name"), list(respeecher.ENDPOINTS.items()), ids=str)
def test_every_endpoint_is_called_by_its_method(mock, client, route, name):
    method, template = route
    path = re.sub(r"\{[^}]+\}", "ID1", template)
    call, answer = CALLS[name]
    response = httpx.Response(200, json=answer) if answer is not None else httpx.Response(204)
    upstream = mock.route(method=method, url=f"{BASE}{path}").mock(return_value=response)

    call(client)

    assert upstream.call_count == 1


def test_unstarring_a_voice_says_so_in_the_body(mock, client):
    payload = example("respeecher_voices_list.json")["list"][0]
    route = mock.post(f"{BASE}/api/v2/voices/favorite/{UUID}").respond(json=payload)
    client.favorite_voice(UUID)
    assert route.calls.last.request.content == b""
    client.favorite_voice(UUID, favorite=False)
    assert json.loads(route.calls.last.request.content) == {"favorite": False}


# Facts from Respeecher's official Python client -----------------------------------------


def test_a_conversion_typed_converted_is_a_conversion(mock, client):
    # The official client's Recording.type is an enum of `original` and `converted`.
    converted = {**RECORDING, "type": "converted", "original_id": UUID}
    mock.get(f"{BASE}/api/recordings/conversions").respond(
        json={"list": [converted, {**converted, "type": "conversion"}], "pagination": {}}
    )
    recordings = client.list_conversions(UUID).items
    assert [r.is_conversion for r in recordings] == [True, True]
    assert client._recording(RECORDING).is_conversion is False


def test_a_relative_recording_url_is_a_path_on_the_gateway(mock):
    # The official client downloads `{gateway}{url}`; a base URL with a path keeps it.
    client = respeecher.RespeecherClient("https://gw.example.test/respeecher", "k" * 12)
    item = {**RECORDING, "url": "/files/r1.wav", "waveform_url": "/files/r1.png"}
    mock.get("https://gw.example.test/respeecher/api/recordings/r1").respond(json=item)
    audio = mock.get("https://gw.example.test/respeecher/files/r1.wav").respond(
        content=b"RIFF....WAVE", headers={"Content-Type": "audio/wav"}
    )
    recording = client.get_recording("r1")
    assert recording.url == "https://gw.example.test/respeecher/files/r1.wav"
    assert recording.waveform_url == "https://gw.example.test/respeecher/files/r1.png"
    import io

    client.download(recording.url, io.BytesIO())
    assert audio.calls.last.request.headers["api-key"] == "k" * 12  # the gateway's own


def test_narration_styles_carry_their_name_and_tags(mock, client):
    style = {"id": UUID, "name": "Storyteller", "is_default": True, "tags": [{"name": "warm"}]}
    voice = {**VOICE, "narration_styles": [style, {"id": "s2", "info": {"name": "Seed style"}}]}
    mock.get(f"{BASE}/api/v2/voices").respond(json={"list": [voice], "pagination": {}})
    [read] = client.list_voices().items
    assert [(n.name, n.tags, n.is_default) for n in read.narration_styles] == [
        ("Storyteller", ("warm",), True),
        ("Seed style", (), None),
    ]


def test_auth_says_who_the_key_belongs_to(mock, client):
    route = mock.post(f"{BASE}/api/auth").respond(json=USER)
    user = client.me()
    assert route.calls.last.request.headers["api-key"]
    assert (user.id, user.username, user.verified, user.roles) == (
        USER["id"],
        "studio",
        True,
        ("user",),
    )


def test_a_new_project_is_owned_by_the_signed_in_user(mock, client):
    mock.post(f"{BASE}/api/auth").respond(json=USER)
    create = mock.post(f"{BASE}/api/projects").respond(
        json=example("respeecher_project_created.json")
    )
    client.create_project("Trailer")
    assert json.loads(create.calls.last.request.content) == {"name": "Trailer", "owner": USER["id"]}


def test_a_folder_is_created_with_its_name_and_project(mock, client):
    route = mock.post(f"{BASE}/api/folders").respond(json=example("respeecher_folder_created.json"))
    client.create_folder(UUID, "Takes")
    assert json.loads(route.calls.last.request.content) == {"project_id": UUID, "name": "Takes"}
