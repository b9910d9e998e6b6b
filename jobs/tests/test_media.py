"""What a file is, by its bytes, and how long it lasts."""

import struct

import pytest

from jobs import media
from jobs.tests.audio import wav


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 12, "mp3"),  # MPEG-1 layer III frame
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom", "m4a"),
        # A phone recorder's m4a: major brand mp42, M4A among the compatible ones.
        (b"\x00\x00\x00\x1cftypmp42\x00\x00\x00\x00mp42isomM4A ", "m4a"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "mp4"),
        (b"OggS\x00\x02" + b"\x00" * 10, "ogg"),
        (b"fLaC\x00\x00\x00\x22" + b"\x00" * 8, "flac"),
    ],
)
def test_files_are_known_by_their_bytes(head, expected):
    assert media.sniff(head).format == expected


@pytest.mark.parametrize(
    "head",
    [b"\xff\xf1\x50\x80" + b"\x00" * 12, b"just text, not sound", b"%PDF-1.7\n" + b"\x00" * 8],
)
def test_other_bytes_are_not_taken_for_audio(head):
    assert media.sniff(head) is None


def _float_wav(seconds: float, rate: int = 8000) -> bytes:
    """A 32-bit float WAV (format 3), which Python's wave module refuses to read."""
    frames = struct.pack(f"<{int(rate * seconds)}f", *([0.1] * int(rate * seconds)))
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"fact" + struct.pack("<II", 4, int(rate * seconds))
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_durations_of_plain_and_float_wav(tmp_path):
    (tmp_path / "plain.wav").write_bytes(wav(3))
    (tmp_path / "float.wav").write_bytes(_float_wav(2.5))
    assert media.duration(str(tmp_path / "plain.wav"), "wav") == pytest.approx(3.0)
    assert media.duration(str(tmp_path / "float.wav"), "wav") == pytest.approx(2.5, abs=0.01)


def test_an_unreadable_file_has_no_duration(tmp_path):
    (tmp_path / "broken.mp3").write_bytes(b"ID3" + b"\x00" * 50)
    assert media.duration(str(tmp_path / "broken.mp3"), "mp3") is None
