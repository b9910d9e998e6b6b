"""Real media for the fakes: WAV speech and tones, format sniffing, durations, zips, downloads."""

from __future__ import annotations

import array
import io
import math
import random
import shutil
import struct
import subprocess  # noqa: S404 -- espeak-ng, soxi and ffprobe are fixed local tools
import tempfile
import wave
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator

import httpx

SAMPLE_RATE = 16_000
SECONDS_PER_CHAR = 0.06
CONTENT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "mp4": "audio/mp4",
    "webm": "video/webm",
}
EXTENSIONS = {
    "wav": "wav",
    "mp3": "mp3",
    "ogg": "ogg",
    "flac": "flac",
    "mp4": "m4a",
    "webm": "webm",
}
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """Name the container from its magic bytes, or None when it is no audio or video."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return None


# Synthesis ------------------------------------------------------------------


def _wav_bytes(samples: bytes, rate: int = SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return buffer.getvalue()


def _syllable_second(freq: float) -> bytes:
    """One second of a tone broken into four 'syllables', so it sounds like something."""
    frames = array.array("h")
    for i in range(SAMPLE_RATE):
        t = i / SAMPLE_RATE
        envelope = max(0.0, math.sin(math.pi * ((t * 4) % 1.0))) ** 0.5
        frames.append(int(9000 * envelope * math.sin(2 * math.pi * freq * t)))
    return frames.tobytes()


_SECOND_CACHE: dict[float, bytes] = {}


def tone_wav(seconds: float, freq: float = 220.0) -> bytes:
    """A mono 16-bit WAV of `seconds`; built by tiling one cached second, so long ones are fast."""
    seconds = max(seconds, 0.1)
    second = _SECOND_CACHE.get(freq)
    if second is None:
        second = _SECOND_CACHE.setdefault(freq, _syllable_second(freq))
    total = int(seconds * SAMPLE_RATE) * 2
    whole, rest = divmod(total, len(second))
    return _wav_bytes(second * whole + second[:rest])


def _repair_stream_wav(raw: bytes) -> bytes:
    """espeak-ng --stdout writes placeholder sizes; rewrite the header from the real data."""
    with wave.open(io.BytesIO(raw)) as src:
        channels, width, rate = src.getnchannels(), src.getsampwidth(), src.getframerate()
    start = raw.find(b"data")
    payload = raw[start + 8 :] if start >= 0 else b""
    payload = payload[: len(payload) - len(payload) % (channels * width)]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(payload)
    return buffer.getvalue()


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speech_wav(
    text: str, *, engine: str = "auto", lang: str = "en", gender: str | None = None, rate=1.0
) -> bytes:
    """Speak `text` with espeak-ng when it is there (or required), else a tone of plausible length.

    `engine` is auto, espeak or tone. An espeak failure in auto mode (say, an unknown
    language) falls back to the tone rather than failing the caller's job.
    """
    if engine != "tone" and espeak_available():
        voice = (lang or "en").lower()
        if gender == "female":
            voice += "+f3"
        words_per_minute = str(max(80, min(450, int(175 * float(rate)))))
        try:
            result = subprocess.run(  # noqa: S603 -- fixed binary, text is passed as one argv item
                ["espeak-ng", "--stdout", "-v", voice, "-s", words_per_minute, "--", text],  # noqa: S607
                capture_output=True,
                timeout=30,
                check=True,
            )
            return _repair_stream_wav(result.stdout)
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as exc:
            if engine == "espeak":
                raise RuntimeError(f"espeak-ng failed: {exc}") from exc
    elif engine == "espeak":
        raise RuntimeError("espeak-ng is not on PATH")
    seconds = max(0.5, len(text) * SECONDS_PER_CHAR / max(float(rate), 0.1))
    return tone_wav(seconds, 330.0 if gender == "female" else 220.0)


# Durations ------------------------------------------------------------------


def wav_duration(data: bytes) -> float | None:
    try:
        with wave.open(io.BytesIO(data)) as src:
            rate, frames = src.getframerate(), src.getnframes()
            width, channels = src.getsampwidth(), src.getnchannels()
    except (wave.Error, EOFError):
        return None
    start = data.find(b"data")
    if start >= 0:
        # Streamed WAVs carry a bogus frame count; the bytes present are the truth.
        frames = min(frames, (len(data) - start - 8) // max(1, width * channels))
    return frames / rate if rate else None


def media_duration(data: bytes) -> float | None:
    """Seconds of audio: `wave` for WAV, mutagen (a wheel, so no apt tool) for MP3, FLAC,
    Ogg and the rest, else soxi or ffprobe when installed, else None."""
    kind = sniff(data)
    if kind == "wav":
        return wav_duration(data)
    seconds = _mutagen_duration(data)
    if seconds:
        return seconds
    tools = []
    if shutil.which("soxi"):
        tools.append(["soxi", "-D"])
    if shutil.which("ffprobe"):
        tools.append(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
        )
    if not tools:
        return None
    suffix = "." + EXTENSIONS.get(kind or "", "bin")
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        for tool in tools:
            try:
                out = subprocess.run(  # noqa: S603 -- fixed tools on a temp file we wrote
                    [*tool, handle.name], capture_output=True, timeout=20, check=True, text=True
                )
                seconds = float(out.stdout.strip())
            except (OSError, subprocess.SubprocessError, ValueError):
                continue
            if seconds > 0:
                return seconds
    return None


def _mutagen_duration(data: bytes) -> float | None:
    try:
        import mutagen
    except ImportError:  # the sandbox runs without it too
        return None
    try:
        info = mutagen.File(io.BytesIO(data))
    except (mutagen.MutagenError, OSError, ValueError, EOFError):
        return None
    length = getattr(getattr(info, "info", None), "length", None)
    return float(length) if length and length > 0 else None


# Pictures -------------------------------------------------------------------


def waveform_png(data: bytes, width: int = 240, height: int = 48) -> bytes:
    """A grey-scale PNG of the audio's peaks (flat for formats we cannot decode)."""
    peaks = [0.0] * width
    if sniff(data) == "wav":
        try:
            with wave.open(io.BytesIO(data)) as src:
                if src.getsampwidth() == 2:
                    samples = array.array("h", src.readframes(src.getnframes()))
                    step = max(1, len(samples) // width)
                    for x in range(width):
                        chunk = samples[x * step : (x + 1) * step]
                        peaks[x] = max((abs(v) for v in chunk), default=0) / 32768
        except (wave.Error, EOFError):
            pass
    rows = []
    for y in range(height):
        level = abs(height / 2 - y) / (height / 2)
        rows.append(b"\x00" + bytes(40 if peaks[x] >= level else 255 for x in range(width)))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + tag
            + body
            + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


# Zips -----------------------------------------------------------------------


class _Sink:
    """A write-only stream, so zipfile writes data descriptors and never seeks."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


# What an entry's producer makes: its bytes whole, or (for a big generated entry) pieces.
Produced = bytes | Iterable[bytes]


def stream_zip(entries: Iterable[tuple[str, Callable[[], Produced]]]) -> Iterator[bytes]:
    """Yield a zip file piece by piece; each entry's bytes are made only when its turn comes,
    and an entry made in pieces is passed on piece by piece (never held whole)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[arg-type]
        for name, produce in entries:
            made = produce()
            if isinstance(made, bytes):
                archive.writestr(name, made)
                yield sink.drain()
                continue
            with archive.open(name, "w") as entry:
                for piece in made:
                    entry.write(piece)
                    yield sink.drain()
            yield sink.drain()
    yield sink.drain()


def zip_length(entries: Iterable[tuple[str, int]]) -> int | None:
    """The exact size of `stream_zip`'s archive of entries of these names and sizes, so an
    export can announce its Content-Length before it is made; None when it would need
    zip64 records (over 2 GiB or 65,535 entries), whose sizes this does not count.

    Stored entries written to an unseekable stream: a local header (30 bytes and the
    name), the data, a data descriptor (16), and a central directory record (46 and the
    name) each, then the end record (22)."""
    total, count = 22, 0
    for name, size in entries:
        try:
            encoded = name.encode("ascii")
        except UnicodeEncodeError:
            encoded = name.encode("utf-8")
        total += 30 + len(encoded) + size + 16 + 46 + len(encoded)
        count += 1
        if size * 1.05 > zipfile.ZIP64_LIMIT:
            return None
    if total >= zipfile.ZIP64_LIMIT or count >= 0xFFFF:
        return None
    return total


def repeated_bytes(size: int, block: int = 1024 * 1024) -> Iterator[bytes]:
    """`size` bytes of a fixed pseudo-random pattern, a block at a time, so a very large
    file (a 1 GB export) costs the sandbox one block of memory."""
    pattern = random.Random(12).randbytes(block)
    whole, rest = divmod(size, block)
    for _ in range(whole):
        yield pattern
    if rest:
        yield pattern[:rest]


def tone_wav_size(seconds: float) -> int:
    """The length of `tone_wav(seconds)` without making it."""
    return 44 + int(max(seconds, 0.1) * SAMPLE_RATE) * 2


# Downloads ------------------------------------------------------------------


class DownloadError(Exception):
    """A URL the upstream was asked to fetch could not be used; the text is the job's message."""


async def download_media(url: str, *, timeout: float) -> tuple[bytes, str]:
    """Fetch a URL the way the upstream would and return its bytes and sniffed kind."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise DownloadError(f"Invalid URL: {url!r}")
    if " " in url:
        raise DownloadError("URL must not contain spaces")
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.is_redirect:
                raise DownloadError(f"URL redirects (HTTP {response.status_code}): {url}")
            if response.status_code != 200:
                raise DownloadError(f"Failed to download {url}: HTTP {response.status_code}")
            parts, size = [], 0
            async for part in response.aiter_bytes():
                size += len(part)
                if size > MAX_DOWNLOAD_BYTES:
                    raise DownloadError(f"File too large: {url}")
                parts.append(part)
    except httpx.HTTPError as exc:
        raise DownloadError(f"Failed to download {url}: {type(exc).__name__}") from exc
    data = b"".join(parts)
    kind = sniff(data)
    if kind is None:
        raise DownloadError(f"Unsupported file format (not audio or video): {url}")
    return data, kind
