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


def sniff(head: bytes) -> Sniffed | None:
    """The format of a file from its first bytes (at least 16), or None when unknown.
    The name and the browser's content type are never trusted."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("wav", "audio/wav")
    if head[:3] == b"ID3" or _mpeg_audio_frame(head):
        return Sniffed("mp3", "audio/mpeg")
    if head[4:8] == b"ftyp":
        # The major brand, then the compatible ones listed in the same box.
        size = int.from_bytes(head[:4], "big")
        brands = [head[8:12]] + [head[i : i + 4] for i in range(16, min(size, len(head)), 4)]
        if any(brand in _AUDIO_BRANDS for brand in brands):
            return Sniffed("m4a", "audio/mp4")
        return Sniffed("mp4", "video/mp4")
    if head[:4] == b"OggS":
        return Sniffed("ogg", "audio/ogg")
    if head[:4] == b"fLaC":
        return Sniffed("flac", "audio/flac")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Sniffed("webm", "video/webm")
    return None


def wav_cut_short(fileobj, size: int) -> bool:
    """Whether a plain PCM WAV holds fewer bytes of audio than its header declares (an
    upload cut off, a copy stopped half-way). Its length is read from the header, so
    such a file would otherwise pass as complete. Other WAVs cannot be told: False."""
    fileobj.seek(0)
    try:
        with wave.open(fileobj, "rb") as w:
            frame = w.getsampwidth() * w.getnchannels()
            declared = w.getnframes() * frame
            if declared > 0xFFFFFFFF - frame:
                return False  # a recorder that never wrote the length: unknown, not short
            # The header has been read up to the start of the audio.
            return fileobj.tell() + declared > size
    except (wave.Error, EOFError):
        return False
    finally:
        fileobj.seek(0)


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, then a version that is not reserved and
    a layer that is not 00 (ADTS AAC, which shares the sync bits, has layer 00)."""
    if len(head) < 2 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    return (head[1] >> 3) & 0x3 != 0x1 and (head[1] >> 1) & 0x3 != 0


def duration(path: str, format: str) -> float | None:
    """Seconds of audio or video, read from the file; None when it cannot be read."""
    if format == "wav":
        try:
            with wave.open(path, "rb") as w:
                rate = w.getframerate()
                if rate:
                    return w.getnframes() / rate
        except (wave.Error, EOFError, OSError):
            pass  # float or extensible WAV: the wave module reads only plain PCM
    import mutagen

    try:
        info = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    length = getattr(getattr(info, "info", None), "length", None)
    return float(length) if length else None
