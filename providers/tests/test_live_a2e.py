"""A2EClient against a live sandbox over loopback: every route, from create to download."""

from __future__ import annotations

import hashlib

import pytest

from providers import a2e as a2e_module
from providers.errors import BadRequest
from providers.records import COMPLETED, PROCESSING, QUEUED

from .conftest import module_coverage, poll, wav_bytes

pytestmark = pytest.mark.integration

SEED_VOICE = "67bc2c2cc0f5208c812f9438"
SEED_DUBBING = "66ea4dd87db10c73fa29b570"


def test_coins_languages_and_public_tts_voices_are_read(a2e):
    coins = a2e.remaining_coins()
    languages = a2e.list_languages("en")
    groups = a2e.list_tts_voices()

    assert coins.coins == 10_000
    assert a2e.check().coins == 10_000
    assert ("en", "English") in [(lang.value, lang.label) for lang in languages]
    assert groups and all(group.options for group in groups)
    assert all(option.tts_id for group in groups for option in group.options)


def test_tts_voices_filter_by_voice_map_type(a2e):
    everything = a2e.list_tts_voices()
    wanted = everything[0].value

    filtered = a2e.list_tts_voices(voice_map_type=wanted)

    assert [group.value for group in filtered] == [wanted]
    assert len(filtered) < len(everything)


def test_send_tts_answers_a_wav_url_that_downloads_whole(a2e, sandbox, tmp_path):
    tts_id = a2e.list_tts_voices()[0].options[0].tts_id

    url = a2e.send_tts("Hello from the sandbox", tts_id=tts_id, speech_rate=1.2)
    saved = a2e.download(url, tmp_path / "hello.wav")

    body = sandbox.fetch(url)
    assert saved.size == len(body) and saved.sha256 == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "hello.wav").read_bytes()[:4] == b"RIFF"
    assert saved.content_type == "audio/wav"


def test_transfer_to_storage_copies_the_file_to_a_new_url(a2e, sandbox):
    source = sandbox.put_file("transfer.wav", wav_bytes(1), "audio/wav")

    stored = a2e.transfer_to_storage(source)

    assert stored != source
    assert sandbox.fetch(stored) == wav_bytes(1)


def test_voice_clone_trains_from_a_hosted_sample_to_completed_then_speaks(a2e, sandbox, tmp_path):
    sample = sandbox.put_file("sample.wav", wav_bytes(3), "audio/wav")
    # Slow enough that the clone is surely still training when listed, then fast.
    sandbox.config(speed=1.0)

    started = a2e.train_voice("Narrator", [sample], "female", "en-US", model="a2e")
    assert started.state == QUEUED
    running = [v.id for v in a2e.list_processing_voices()]
    sandbox.config(speed=10_000)
    done = poll(lambda: a2e.get_voice(started.id), lambda v: v.state == COMPLETED)

    assert started.id in running
    assert done.name == "Narrator" and done.voice_urls == (sample,) and done.language == "en-US"
    assert started.id in [v.id for v in a2e.list_completed_voices()]
    assert started.id not in [v.id for v in a2e.list_processing_voices()]
    url = a2e.send_tts("Cloned", user_voice_id=done.id, country="en", region="US")
    assert a2e.download(url, tmp_path / "cloned.wav").size > 44


def test_deleted_voice_is_gone_and_a_second_delete_is_refused(a2e):
    assert a2e.get_voice(SEED_VOICE).state == COMPLETED

    a2e.delete_voice(SEED_VOICE)

    assert SEED_VOICE not in [v.id for v in a2e.list_completed_voices()]
    with pytest.raises(BadRequest) as caught:
        a2e.get_voice(SEED_VOICE)
    assert caught.value.code == 1004
    with pytest.raises(BadRequest):
        a2e.delete_voice(SEED_VOICE)


def test_dubbing_runs_to_completed_and_its_result_streams_to_disk(a2e, sandbox, tmp_path):
    source = sandbox.put_file("episode.wav", wav_bytes(4), "audio/wav")

    started = a2e.start_dubbing("Episode 1", source, "es", num_speakers=2)
    assert started.state == QUEUED and started.target_lang == "es"
    done = poll(lambda: a2e.get_dubbing(started.id), lambda d: d.state == COMPLETED)
    saved = a2e.download(done.result_url, tmp_path / "dubbed.wav")

    result = sandbox.fetch(done.result_url)
    assert done.duration == 4 and done.num_speakers == 2
    assert saved.size == len(result) == (tmp_path / "dubbed.wav").stat().st_size
    assert saved.sha256 == hashlib.sha256(result).hexdigest()
    assert saved.sha256 == hashlib.sha256((tmp_path / "dubbed.wav").read_bytes()).hexdigest()
    # Nothing half-written is left beside the result.
    assert [p.name for p in tmp_path.iterdir()] == ["dubbed.wav"]


def test_processing_dubbings_are_listed_until_they_finish(a2e, sandbox):
    running = set(sandbox.seed("a2e.dubbing", 2, status="processing")["ids"])
    sandbox.seed("a2e.dubbing", 3, status="completed")

    listed = a2e.list_processing_dubbings()

    assert {d.id for d in listed} == running
    assert all(d.state == PROCESSING for d in listed)


def test_iter_dubbings_walks_every_page_once(a2e, sandbox):
    ids = sandbox.seed("a2e.dubbing", 23)["ids"]

    walked = [d.id for d in a2e.iter_dubbings(page_size=5)]
    first = a2e.list_dubbings(page=1, page_size=5)

    assert walked == [*ids[::-1], SEED_DUBBING]
    assert first.total == 24 and [d.id for d in first] == ids[::-1][:5]
    pages = sandbox.requests(path="/a2e/api/v1/userDubbing/allRecords")
    # 24 records at 5 a page: pages 1-5 for the walk, then the single page above.
    assert [row["query"].split("&")[0] for row in pages] == [
        *(f"pageNum={n}" for n in range(1, 6)),
        "pageNum=1",
    ]


def test_deleted_dubbing_leaves_the_list(a2e):
    a2e.delete_dubbing(SEED_DUBBING)

    assert a2e.list_dubbings().total == 0
    with pytest.raises(BadRequest):
        a2e.get_dubbing(SEED_DUBBING)


def test_avatar_room_opens_takes_context_speaks_answers_and_leaves(a2e):
    coins = a2e.remaining_coins().coins
    avatar = a2e.list_streaming_avatars()[0]

    room = a2e.open_avatar_room(avatar.id, expire_seconds=300)
    a2e.set_qa_context(room.channel, "Opening hours: nine to five.")
    context = a2e.get_qa_context(room.channel)
    spoken = a2e.speak(room.channel, "Welcome!")
    asked = a2e.ask_avatar(room.channel, "When are you open?")
    charged = a2e.remaining_coins().coins
    a2e.leave_avatar_room(room.channel)

    assert avatar.name and room.token and room.expires_at
    assert context == "Opening hours: nine to five."
    assert spoken.trace_id and asked.trace_id and spoken.trace_id != asked.trace_id
    assert charged == coins - 5
    assert a2e.remaining_coins().coins == coins - 1  # unused minutes come back
    with pytest.raises(BadRequest):
        a2e.speak(room.channel, "Anyone there?")


def test_a_sandbox_room_has_the_sandbox_app_id_and_a_stand_in_that_answers(a2e, sandbox):
    room = a2e.open_avatar_room(a2e.list_streaming_avatars()[0].id, expire_seconds=60)
    a2e.speak(room.channel, "Welcome!")

    url = a2e_module.stand_in_url(sandbox.url + "/a2e", room.app_id, room.channel)
    said = sandbox.fetch(url)
    a2e.leave_avatar_room(room.channel)

    assert room.app_id == a2e_module.SANDBOX_APP_ID
    assert b'"text":"Welcome!"' in said


def test_every_route_of_the_client_answered_the_tests_above(request, route_witness):
    missing = module_coverage(request, route_witness, "a2e", a2e_module.ROUTES)

    assert not missing, f"no live test called: {sorted(missing)}"
