"""The sandbox's media helpers on their own: sniffing, durations, zips, speech fallback."""

from __future__ import annotations

import io
import zipfile

import pytest

from sandbox import media

from .helpers import tone, wav_seconds


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64\x00\x00\x00\x00", "mp3"),
        (b"OggS\x00\x02\x00\x00\x00\x00", "ogg"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm"),
        (b"<!doctype html><html>", None),
        (b"%PDF-1.7\n", None),
        (b"", None),
    ],
)
def test_sniff_names_containers_by_magic_bytes(head, kind):
    assert media.sniff(head) == kind


def test_wav_duration_reads_the_data_even_when_the_header_lies():
    honest = tone(2)
    # A streamed WAV (as espeak-ng --stdout writes it) claims a huge data size.
    lying = honest[:40] + b"\xff\xff\xff\x7f" + honest[44:]
    assert media.wav_duration(honest) == pytest.approx(2)
    assert media.wav_duration(lying) == pytest.approx(2)


@pytest.mark.parametrize(
    ("fmt", "subtype"), [("FLAC", "PCM_16"), ("OGG", "VORBIS"), ("MP3", "MPEG_LAYER_III")]
)
def test_flac_ogg_and_mp3_lengths_are_read_without_any_apt_tool(fmt, subtype, monkeypatch):
    import io

    import numpy
    import soundfile

    monkeypatch.setenv("PATH", "")  # no soxi, no ffprobe
    buf = io.BytesIO()
    soundfile.write(
        buf, numpy.zeros(16000 * 3, dtype="float32"), 16000, format=fmt, subtype=subtype
    )
    assert media.media_duration(buf.getvalue()) == pytest.approx(3, abs=0.1)


def test_duration_of_an_unreadable_container_is_unknown():
    assert media.media_duration(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 32) is None


def test_forced_tone_speech_is_60_ms_per_character():
    wav = media.speech_wav("a" * 100, engine="tone")
    assert wav_seconds(wav) == pytest.approx(6.0, rel=0.01)


def test_forced_espeak_without_the_binary_raises(monkeypatch):
    monkeypatch.setattr(media.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError):
        media.speech_wav("hello", engine="espeak")
    assert media.sniff(media.speech_wav("hello", engine="auto")) == "wav"


def test_zip_length_is_the_streamed_archives_exact_size():
    big = 3 * 1024 * 1024 + 17
    entries = [
        ("Chapter 1/a.wav", lambda: tone(1)),
        ("Глава/b.txt", lambda: b"hi"),
        ("padding.bin", lambda: media.repeated_bytes(big, block=64 * 1024)),
    ]
    pieces = list(media.stream_zip(entries))
    body = b"".join(pieces)
    sizes = [("Chapter 1/a.wav", len(tone(1))), ("Глава/b.txt", 2), ("padding.bin", big)]
    assert media.zip_length(sizes) == len(body)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None and archive.getinfo("padding.bin").file_size == big
    # The generated entry came through in its blocks, none of them the whole file.
    assert max(len(p) for p in pieces) < big


def test_a_tones_size_is_known_without_making_it():
    assert media.tone_wav_size(2.5) == len(media.tone_wav(2.5))


def test_stream_zip_yields_a_valid_archive_in_pieces():
    pieces = list(media.stream_zip([("a.wav", lambda: tone(1)), ("b.txt", lambda: b"hi")]))
    assert len(pieces) == 3
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.testzip() is None and archive.read("b.txt") == b"hi"
