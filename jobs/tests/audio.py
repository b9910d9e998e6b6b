"""Audio for tests and benchmarks: a real WAV of a given length, made with the stdlib."""

import io
import wave


def wav(seconds: float, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of a steady level, `seconds` long at `rate` frames a second."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x10" * int(rate * seconds))
    return out.getvalue()
