"""RespeecherClient against a live sandbox over loopback: every route, uploads to exports."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from providers import respeecher as respeecher_module
from providers.errors import AuthError, BadRequest, NotFound
from providers.records import COMPLETED, FAILED, PROCESSING, QUEUED
from providers.respeecher import Conversion, RespeecherClient

from .conftest import LIVE_RESPEECHER_KEY, module_coverage, poll, wav_bytes

pytestmark = pytest.mark.integration

SEED_ID = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def folder(respeecher):
    project = respeecher.create_project("Audiobook")
    return respeecher.create_folder(project.id, "Chapter 1")


@pytest.fixture
def take(tmp_path):
    """A real 2-second WAV on disk, as a user's upload would be."""
    path = tmp_path / "take.wav"
    path.write_bytes(wav_bytes(2))
    return path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_signing_in_makes_a_working_key_and_logs_out(sandbox, sleep):
    base = sandbox.url + "/respeecher"
    # The sandbox's one account takes any email, with its key as the password.
    with RespeecherClient.signed_in(base, "studio@example.com", LIVE_RESPEECHER_KEY) as session:
        key = session.create_api_key().key

    assert key and key != LIVE_RESPEECHER_KEY
    assert RespeecherClient(base, key, sleep=sleep).credits().amount == 3600
    with pytest.raises(AuthError):
        session.create_api_key()  # logged out: the session makes no more keys


def test_credits_and_account_stats_are_read(respeecher):
    assert respeecher.credits().amount == 3600
    assert respeecher.check().amount == 3600
    stats = respeecher.account_stats()
    assert stats.conversions.total is not None and stats.time_converted_total is not None


def test_a_new_api_key_works_until_it_deletes_itself(respeecher, sandbox, sleep):
    key = respeecher.create_api_key().key
    fresh = RespeecherClient(sandbox.url + "/respeecher", key, sleep=sleep)

    assert key and key != LIVE_RESPEECHER_KEY
    assert fresh.credits().amount == 3600
    fresh.delete_api_key()

    with pytest.raises(AuthError):
        fresh.credits()
    assert respeecher.credits().amount == 3600


def test_project_is_created_listed_renamed_found_by_url_and_deleted(respeecher, sandbox):
    sandbox.seed("respeecher.project", 12)

    created = respeecher.create_project("Radio Play")
    page = respeecher.list_projects(limit=5, offset=0, sort="name", direction="asc")
    walked = list(respeecher.iter_projects(page_size=5))
    renamed = respeecher.rename_project(created.id, "Radio")
    found = respeecher.get_project_by_url(created.url)
    respeecher.delete_project(created.id)

    assert page.total == 14 and len(page) == 5
    assert [p.name for p in page] == sorted((p.name for p in page), key=str.lower)
    assert len(walked) == 14 and len({p.id for p in walked}) == 14
    assert renamed.name == "Radio" and found.id == created.id
    assert created.id not in [p.id for p in respeecher.iter_projects()]
    with pytest.raises(NotFound):
        respeecher.get_project_by_url(created.url)


def test_folder_is_created_listed_fetched_renamed_and_deleted(respeecher):
    project = respeecher.create_project("Podcast")
    folders = [respeecher.create_folder(project.id, f"Episode {n}") for n in range(1, 4)]
    nested = respeecher.create_folder(project.id, "Outtakes", parent_id=folders[0].id)

    page = respeecher.list_folders(project.id, limit=2, direction="desc")
    walked = [f.id for f in respeecher.iter_folders(project.id, page_size=2)]
    renamed = respeecher.rename_folder(folders[1].id, "Episode Two")
    respeecher.delete_folder(folders[0].id)

    assert page.total == 4 and len(page) == 2
    assert walked == [*(f.id for f in folders), nested.id]
    assert respeecher.get_folder(folders[1].id).name == renamed.name == "Episode Two"
    assert nested.parent_id == folders[0].id
    # Deleting a folder takes its subfolders with it.
    assert [f.id for f in respeecher.iter_folders(project.id)] == [f.id for f in folders[1:]]


def test_uploaded_wav_is_an_original_listed_edited_downloaded_and_deleted(
    respeecher, folder, take, tmp_path, sandbox
):
    created = respeecher.upload_recording(folder.id, take, label="Take 1")

    assert created.state == COMPLETED and created.type == "original"
    assert created.file_name == "take.wav" and created.size == take.stat().st_size
    assert created.duration == pytest.approx(2)
    assert [r.id for r in respeecher.list_originals(folder.id)] == [created.id]
    assert [r.id for r in respeecher.iter_originals(folder.id)] == [created.id]
    assert [r.id for r in respeecher.list_recordings(folder_id=folder.id)] == [created.id]
    assert [r.id for r in respeecher.iter_recordings(project_id=folder.project_id)] == [created.id]
    starred = respeecher.update_recording(created.id, starred=True)
    replaced = respeecher.replace_recording(created.id, label="Take 1b", starred=False)
    assert starred.starred is True and replaced.label == "Take 1b" and replaced.starred is False
    saved = respeecher.download(created.url, tmp_path / "back.wav")
    assert saved.sha256 == sha256(take.read_bytes()) and saved.size == take.stat().st_size
    waveform = respeecher.download(created.waveform_url, tmp_path / "wave.png")
    assert (tmp_path / "wave.png").read_bytes()[:4] == b"\x89PNG" and waveform.size > 8
    respeecher.delete_recording(created.id)
    with pytest.raises(NotFound):
        respeecher.get_recording(created.id)


def test_upload_of_something_not_audio_is_a_bad_request_with_field_errors(
    respeecher, folder, tmp_path
):
    text = tmp_path / "notes.txt"
    text.write_bytes(b"not audio at all")

    with pytest.raises(BadRequest) as caught:
        respeecher.upload_recording(folder.id, text)

    assert caught.value.status_code == 422 and "data" in caught.value.field_errors


def test_tts_originals_v2_and_v1_finish_done_with_spoken_audio(respeecher, folder, tmp_path):
    [tts_voice] = [v for v in respeecher.list_tts_voices() if v.id == SEED_ID]

    v2 = respeecher.create_tts_recording(folder.id, "Hello there", text_language="en", label="v2")
    v1 = respeecher.create_tts_recording_v1(
        folder.project_id, folder.id, tts_voice.id, "Hello again", label="v1"
    )

    assert v2.state == v1.state == PROCESSING and v2.tts and v1.tts
    for started in (v2, v1):
        done = poll(
            lambda r=started: respeecher.get_recording(r.id), lambda r: r.state != PROCESSING
        )
        assert done.state == COMPLETED, done.error
        saved = respeecher.download(done.url, tmp_path / f"{done.id}.wav")
        assert saved.size > 44 and (tmp_path / f"{done.id}.wav").read_bytes()[:4] == b"RIFF"


def test_order_converts_an_original_to_done_and_the_conversions_download(
    respeecher, folder, take, tmp_path, sandbox
):
    original = respeecher.upload_recording(folder.id, take)
    voices = sandbox.seed("respeecher.voice", 2)["ids"]

    items = respeecher.create_order(
        original.id, [Conversion(voice_id=v, label=f"to {n}") for n, v in enumerate(voices)]
    )
    assert [i.state for i in items] == [QUEUED, QUEUED]
    conversions = [
        poll(lambda i=i: respeecher.get_recording(i.conversion_id), lambda r: r.state != PROCESSING)
        for i in items
    ]

    assert [c.state for c in conversions] == [COMPLETED, COMPLETED]
    assert {c.id for c in respeecher.list_conversions(original.id)} == {c.id for c in conversions}
    assert {c.id for c in respeecher.iter_conversions(original.id, page_size=1)} == {
        c.id for c in conversions
    }
    for conversion in conversions:
        saved = respeecher.download(conversion.url, tmp_path / f"{conversion.id}.wav")
        # A WAV original converts to itself in the sandbox.
        assert saved.sha256 == sha256(take.read_bytes())


def test_failed_conversion_is_retried_to_done(respeecher, folder, take, sandbox):
    original = respeecher.upload_recording(folder.id, take)
    sandbox.config(fail_rate=1.0)
    [item] = respeecher.create_order(original.id, [Conversion(voice_id=SEED_ID)])
    failed = poll(lambda: respeecher.get_recording(item.conversion_id), lambda r: r.state == FAILED)
    sandbox.config(fail_rate=0.0)

    with pytest.raises(BadRequest):
        respeecher.retry_order(failed.id)  # the original's id, not the conversion's
    [again] = respeecher.retry_order(original.id)
    done = poll(
        lambda: respeecher.get_recording(item.conversion_id), lambda r: r.state != PROCESSING
    )

    assert failed.error
    assert again.conversion_id == item.conversion_id and again.state == QUEUED
    assert done.state == COMPLETED
    with pytest.raises(BadRequest):
        respeecher.retry_order(original.id)


def test_stats_count_a_finished_conversion_per_project_and_folder(
    respeecher, folder, take, sandbox
):
    original = respeecher.upload_recording(folder.id, take)
    [item] = respeecher.create_order(original.id, [Conversion(voice_id=SEED_ID)])
    poll(lambda: respeecher.get_recording(item.conversion_id), lambda r: r.state == COMPLETED)

    account = respeecher.account_stats()
    [project] = respeecher.project_stats({"project_id": folder.project_id})
    [in_folder] = respeecher.folder_stats({"folder_id": folder.id})

    assert account.conversions.completed == 1
    assert account.time_converted_total == pytest.approx(2)
    assert project.project_id == folder.project_id and project.conversions.completed == 1
    assert in_folder.folder_id == folder.id and in_folder.conversions.total == 1
    assert respeecher.credits().amount == pytest.approx(3600 - 2)


def test_exports_stream_real_zips_to_disk(respeecher, folder, take, tmp_path, sandbox):
    original = respeecher.upload_recording(folder.id, take)
    respeecher.upload_recording(folder.id, take, filename="second.wav")
    respeecher.update_recording(original.id, starred=True)
    [item] = respeecher.create_order(original.id, [Conversion(voice_id=SEED_ID)])
    poll(lambda: respeecher.get_recording(item.conversion_id), lambda r: r.state == COMPLETED)

    project_zip = respeecher.export_project(folder.project_id, tmp_path / "project.zip")
    starred_zip = respeecher.export_project(
        folder.project_id, tmp_path / "starred.zip", starred_only=True
    )
    conversions_zip = respeecher.export_conversions(original.id, tmp_path / "conversions.zip")

    for saved in (project_zip, starred_zip, conversions_zip):
        data = (tmp_path / saved.path).read_bytes()
        assert saved.size == len(data) and saved.sha256 == sha256(data)
        assert saved.content_type == "application/zip" and saved.filename.endswith(".zip")
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    wavs = [n for n in zipfile.ZipFile(project_zip.path).namelist() if n.endswith(".wav")]
    starred = [n for n in zipfile.ZipFile(starred_zip.path).namelist() if n.endswith(".wav")]
    assert len(wavs) == 3 and starred == [f"Chapter 1/{original.id}.wav"]
    archive = zipfile.ZipFile(conversions_zip.path)
    converted = next(n for n in archive.namelist() if "conversions/" in n)
    assert archive.read(converted) == take.read_bytes()
    assert json.loads(archive.read("manifest.json"))


def test_calibration_is_processed_enabled_set_to_auto_and_deleted(respeecher, take):
    created = respeecher.create_calibration("My mic", take)
    assert created.state == PROCESSING and created.enabled is False

    done = poll(lambda: respeecher.get_calibration(created.id), lambda c: c.state != PROCESSING)
    respeecher.enable_calibration(created.id)
    enabled = [c.id for c in respeecher.list_calibrations() if c.enabled]
    respeecher.use_auto_calibration()
    after_auto = [c.id for c in respeecher.list_calibrations() if c.enabled]
    deleted = respeecher.delete_calibration(created.id)

    assert done.state == COMPLETED and done.f0 and done.calibrated_at
    assert enabled == [created.id] and after_auto == []
    assert deleted.id == created.id
    with pytest.raises(NotFound):
        respeecher.get_calibration(created.id)


def test_note_is_attached_changed_and_removed(respeecher, folder, take):
    recording = respeecher.upload_recording(folder.id, take)

    note = respeecher.create_note(recording.id, "Breath at 0:01")
    attached = respeecher.get_recording(recording.id).raw["note"]
    changed = respeecher.update_note(note.id, "Re-take")
    removed = respeecher.delete_note(note.id)

    assert attached["id"] == note.id and note.text == "Breath at 0:01"
    assert changed.text == "Re-take" and removed.active is False
    assert respeecher.get_recording(recording.id).raw["note"] is None


def test_voices_filter_page_and_walk(respeecher, sandbox):
    sandbox.seed("respeecher.voice", 7, gender="female", age_group="senior", visibility="paid")
    sandbox.seed("respeecher.voice", 60, gender="male", age_group="young", visibility="public")

    females = respeecher.list_voices(gender="female", age_group="senior")
    # The seed document's voice is a public male child, so "young" keeps it out.
    second = respeecher.list_voices(
        limit=10, offset=10, visibility="public", age_group="young", sort="name"
    )
    walked = list(
        respeecher.iter_voices(page_size=25, gender="male", age_group="young", direction="desc")
    )

    assert females.total == 7 and all(v.gender == "female" for v in females)
    assert second.total == 60 and len(second) == 10
    assert [v.name for v in second] == sorted((v.name for v in second), key=str.lower)
    assert len(walked) == 60 and len({v.id for v in walked}) == 60
    pages = sandbox.requests(path="/respeecher/api/v2/voices", method="GET")
    assert sum("offset=" in row["query"] and "gender=male" in row["query"] for row in pages) == 3


def test_voice_search_favorite_settings_and_accent_samples(respeecher, sandbox, tmp_path):
    sandbox.seed("respeecher.voice", 3, name_prefix="Narrator")

    found = respeecher.search_voices("narr", limit=2)
    voice = found[0]
    favorite = respeecher.favorite_voice(voice.id)
    accent = voice.accents[0]
    saved = respeecher.save_voice_settings(voice.id, accent_id=accent.id, semitones_correction=2)
    [sample] = respeecher.list_accent_samples(accent.id)

    assert len(found) == 2 and all("Narrator" in v.name for v in found)
    assert favorite.favorite is True
    assert saved.raw["accents"][0]["settings"] == {"favorite": True, "semitones_correction": 2}
    assert sample["accent_id"] == accent.id
    audio = respeecher.download(sample["url"], tmp_path / "sample.wav")
    assert audio.sha256 == sha256(sandbox.fetch(sample["url"]))


def test_every_route_of_the_client_answered_the_tests_above(request, route_witness):
    missing = module_coverage(request, route_witness, "respeecher", respeecher_module.ROUTES)

    assert not missing, f"no live test called: {sorted(missing)}"
