"""BurkiClient against a live sandbox over loopback: assistants, samples, voices to ready."""

from __future__ import annotations

import pytest

from providers import burki as burki_module
from providers.errors import BadRequest, NotFound
from providers.records import COMPLETED, PROCESSING, QUEUED

from .conftest import module_coverage, poll, wav_bytes

pytestmark = pytest.mark.integration


@pytest.fixture
def sample_file(tmp_path):
    """A real 11-second WAV: Burki wants samples of 10 s to 10 min."""
    path = tmp_path / "sample.wav"
    path.write_bytes(wav_bytes(11))
    return path


def test_assistants_page_and_walk(burki, sandbox):
    sandbox.seed("burki.assistant", 12)

    first = burki.list_assistants(skip=0, limit=5)
    walked = [a.id for a in burki.iter_assistants(page_size=5)]

    assert len(first) == 5 and first.items[0].id == 1
    assert walked == sorted(set(walked)) and len(walked) == 13
    assert len(burki.check()) == 1
    # Pages of 5, 5, 3: the short page ends the walk without asking for a fourth.
    skips = [r["query"] for r in sandbox.requests(path="/burki/api/v1/assistants")]
    assert skips[1:4] == ["skip=0&limit=5", "skip=5&limit=5", "skip=10&limit=5"]


def test_sample_upload_is_listed_with_its_duration_and_tags(burki, sample_file):
    uploaded = burki.upload_voice_sample(
        1, sample_file, name="Calm read", description="studio", tags=["calm", "warm"]
    )

    [listed] = burki.list_voice_samples(1)

    assert uploaded.state == QUEUED and uploaded.name == "Calm read"
    assert listed.id == uploaded.id and listed.duration_seconds == 11.0
    assert listed.filename == "sample.wav"
    assert listed.tags == ("calm", "warm") and listed.file_size == sample_file.stat().st_size
    assert burki.list_voice_samples(1, status="ready") == []


def test_sample_that_is_too_short_is_a_bad_request(burki, tmp_path):
    short = tmp_path / "short.wav"
    short.write_bytes(wav_bytes(2))

    with pytest.raises(BadRequest):
        burki.upload_voice_sample(1, short)


def test_cloned_voice_goes_from_processing_to_ready(burki, sandbox, sample_file):
    sample = burki.upload_voice_sample(1, sample_file, name="Calm read")
    # Slow enough that the voice is surely still processing when listed, then fast.
    sandbox.config(speed=1.0)

    started = burki.create_cloned_voice(
        1, sample.id, "elevenlabs", "Calm clone", language="en", tags=["calm"]
    )
    processing = [v.id for v in burki.list_cloned_voices(1, status="processing")]
    sandbox.config(speed=10_000)
    ready = poll(
        lambda: next(v for v in burki.list_cloned_voices(1) if v.id == started.id),
        lambda v: v.state != PROCESSING,
    )

    assert started.state == PROCESSING and started.id in processing
    assert ready.state == COMPLETED and ready.status == "ready"
    assert ready.quality_band is not None
    assert [s.id for s in burki.list_voice_samples(1, status="ready")] == [sample.id]


def test_cloned_voices_filter_by_status_and_provider(burki, sandbox):
    sandbox.seed("burki.cloned_voice", 3, status="ready", provider="inworld")
    sandbox.seed("burki.cloned_voice", 2, status="archived", provider="resemble")

    inworld = burki.list_cloned_voices(1, provider="inworld")
    archived = burki.list_cloned_voices(1, status="archived")

    assert len(inworld) == 3 and all(v.provider == "inworld" for v in inworld)
    assert len(archived) == 2 and all(v.archived and v.state == COMPLETED for v in archived)


def test_cloning_providers_list_their_requirements(burki):
    providers = {p.provider: p for p in burki.list_cloning_providers(1)}

    assert set(providers) == {"elevenlabs", "resemble", "inworld"}
    assert providers["elevenlabs"].max_duration == 300
    assert "wav" in providers["elevenlabs"].formats


def test_unknown_assistant_is_not_found(burki):
    with pytest.raises(NotFound):
        burki.list_cloned_voices(999)


def test_one_assistant_is_read_by_id(burki, sandbox):
    [aid] = sandbox.seed("burki.assistant", 1, name_prefix="Night desk")["ids"]

    assistant = burki.get_assistant(aid)

    assert (assistant.id, assistant.name) == (aid, "Night desk 1")
    with pytest.raises(NotFound):
        burki.get_assistant(999)


def test_the_organisation_list_names_each_voices_assistant(burki, sandbox):
    [aid] = sandbox.seed("burki.assistant", 1)["ids"]
    [vid] = sandbox.seed("burki.cloned_voice", 1, assistant_id=aid, status="failed")["ids"]

    found = burki.all_cloned_voices([])
    failed = burki.list_organisation_cloned_voices(status="failed")

    assert found.organisation_wide is True
    assert {(v.id, v.assistant_id) for v in found.voices} == {(1, 1), (2, 1), (vid, aid)}
    assert [v.id for v in failed] == [vid]


def test_a_burki_without_the_organisation_list_is_asked_per_assistant_once_refused(burki, sandbox):
    sandbox.config(burki_organisation_voices=False)

    first = burki.all_cloned_voices([1, 999])
    second = burki.all_cloned_voices([1])

    assert first.organisation_wide is False and first.missing_assistants == (999,)
    assert [(v.id, v.assistant_id) for v in second.voices] == [(1, 1), (2, 1)]
    asked = sandbox.requests(path="/burki/api/v1/assistants/cloned-voices")
    assert [r["status"] for r in asked] == [422]


def test_every_route_of_the_client_answered_the_tests_above(request, route_witness):
    missing = module_coverage(request, route_witness, "burki", burki_module.ROUTES)

    assert not missing, f"no live test called: {sorted(missing)}"
