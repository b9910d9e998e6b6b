"""Keeping the sandbox's records and media in a folder across restarts (`--state-dir`).

`make run` gives `var/sandbox`, so links a person made before a restart (a dubbing's
result, a take's audio) still answer after it. The records are pickled (they are plain
dicts in small world objects, some keyed by int); each file's bytes are written once,
named by their hash, under `files/`. Both are written to a temporary name and renamed,
so a crash mid-save leaves the previous state. The tests' sandboxes keep nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from sandbox.state import Store, StoredFile

STATE = "state.pickle"
FILES = "files"
# A change of what is saved bumps this; an older save is then ignored (start afresh).
VERSION = 1


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save(store: Store, folder: Path) -> None:
    """Write the records and every file (made now if it is made lazily)."""
    blobs = folder / FILES
    blobs.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[str, str]] = {}
    for name, stored in list(store.files.items()):
        if stored.blob is None:
            data = stored.read()
            stored.blob = hashlib.sha256(data).hexdigest()[:40]
            if not (blobs / stored.blob).exists():
                _write_atomically(blobs / stored.blob, data)
        files[name] = (stored.content_type, stored.blob)
    snapshot: dict[str, Any] = {
        "version": VERSION,
        "world": store.options.world,
        "a2e": store.a2e,
        "respeecher": store.respeecher,
        "burki": store.burki,
        "files": files,
    }
    _write_atomically(folder / STATE, pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
    kept = {blob for _, blob in files.values()}
    for path in blobs.iterdir():
        if path.name not in kept and not path.name.startswith("."):
            with contextlib.suppress(OSError):
                path.unlink()


def load(store: Store, folder: Path) -> bool:
    """Put a saved state in place of the start-up records; False when there is none
    to use (none saved, an older format, or another world)."""
    try:
        # Our own file, written by save() above into the run's var/ folder.
        snapshot = pickle.loads((folder / STATE).read_bytes())  # noqa: S301
    except FileNotFoundError:
        return False
    if snapshot.get("version") != VERSION or snapshot.get("world") != store.options.world:
        return False
    store.a2e = snapshot["a2e"]
    store.respeecher = snapshot["respeecher"]
    store.burki = snapshot["burki"]
    store.jobs.clear()
    store.files = {}
    blobs = folder / FILES
    for name, (content_type, blob) in snapshot["files"].items():
        path = blobs / blob
        store.files[name] = StoredFile(content_type, produce=path.read_bytes, blob=blob)
    return True
