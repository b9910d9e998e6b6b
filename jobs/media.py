"""What a file really is, read from its bytes, and how long its audio lasts."""

from __future__ import annotations

import wave
from dataclasses import dataclass

# (kind, content type) by signature; checked in order against the first bytes.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


@dataclass(frozen=True)
class Sniffed:
    format: str  # wav, mp3, m4a, mp4, ogg, flac, webm
    content_type: str

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")


def sniff(head: bytes) -> Sniffed | None:
    """The format of a file from its first bytes (at least 16), or None when unknown.
    The name and the browser's content type are never trusted."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("wav", "audio/wav")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Sniffed("mp3", "audio/mpeg")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return Sniffed("m4a", "audio/mp4")
        return Sniffed("mp4", "video/mp4")
    if head[:4] == b"OggS":
        return Sniffed("ogg", "audio/ogg")
    if head[:4] == b"fLaC":
        return Sniffed("flac", "audio/flac")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Sniffed("webm", "video/webm")
    return None


def duration(path: str, format: str) -> float | None:
    """Seconds of audio or video, read from the file; None when it cannot be read."""
    if format == "wav":
        try:
            with wave.open(path, "rb") as w:
                rate = w.getframerate()
                return w.getnframes() / rate if rate else None
        except (wave.Error, EOFError, OSError):
            return None
    import mutagen

    try:
        info = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    length = getattr(getattr(info, "info", None), "length", None)
    return float(length) if length else None
