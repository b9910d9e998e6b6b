"""Loads the seed example payloads in docs/upstream/examples (shared with the sandbox tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "upstream" / "examples"


def example(name: str) -> Any:
    """A payload from docs/upstream/examples (the seed documents' own examples)."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
