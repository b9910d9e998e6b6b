"""Reads the endpoint tables of docs/upstream/*.md, so tests can hold clients to the contracts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "upstream"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_METHOD_LIST = r"(?:GET|POST|PUT|PATCH|DELETE)(?:/(?:GET|POST|PUT|PATCH|DELETE))*"
# `GET /path` or `GET/POST /path`, inside one pair of backticks.
_EXPLICIT = re.compile(rf"^({_METHOD_LIST})\s+(/\S*)$")
_PATH = re.compile(r"^/[A-Za-z]\S*$")
_PROSE_METHOD = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\b")
_BACKTICKED = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class ContractEndpoint:
    """One endpoint row; `methods` are alternatives (any one will do), empty when unstated."""

    methods: tuple[str, ...]
    path: str
    row: str

    def __str__(self) -> str:
        return f"{'|'.join(self.methods) or 'ANY'} {self.path}"


def normalise_path(path: str) -> str:
    """Drop the query and optional parts, and name every path parameter `{}`."""
    path = re.split(r"[?\[]", path, maxsplit=1)[0]
    path = re.sub(r"\{[^}]*\}", "{}", path)
    return path.rstrip("/") or "/"


def split_cells(row: str) -> list[str]:
    """Cells of a Markdown table row; a `|` inside backticks does not split."""
    cells, current, in_code = [], [], False
    for char in row.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    return cells


def parse_endpoints(markdown: str) -> list[ContractEndpoint]:
    """Every endpoint named in the Markdown tables of a contract page.

    A backticked `METHOD /path` (or `GET/POST /path`, one entry per method) is taken as
    written. A backticked bare path takes the methods named elsewhere in its cell, as
    alternatives: "`/api/x` (POST in the seeds' menu, GET in newer docs)".
    """
    found: dict[tuple[tuple[str, ...], str], ContractEndpoint] = {}
    for line in markdown.splitlines():
        row = line.strip()
        if not row.startswith("|") or not set(row) - set("|-: "):
            continue
        for cell in split_cells(row):
            tokens = [t.strip() for t in _BACKTICKED.findall(cell)]
            loose = _PROSE_METHOD.findall(_BACKTICKED.sub(" ", cell))
            loose += [t for t in tokens if t in METHODS]
            loose_methods = tuple(dict.fromkeys(loose))
            for token in tokens:
                explicit = _EXPLICIT.match(token)
                if explicit:
                    path = normalise_path(explicit.group(2))
                    for method in explicit.group(1).split("/"):
                        found.setdefault(((method,), path), ContractEndpoint((method,), path, row))
                elif _PATH.match(token):
                    path = normalise_path(token)
                    key = (loose_methods, path)
                    found.setdefault(key, ContractEndpoint(loose_methods, path, row))
    return list(found.values())


def contract_endpoints(provider: str) -> list[ContractEndpoint]:
    """The endpoints of docs/upstream/<provider>.md."""
    return parse_endpoints((DOCS / f"{provider}.md").read_text(encoding="utf-8"))


def uncovered(
    contract: Iterable[ContractEndpoint], endpoints: Mapping[tuple[str, str], str]
) -> list[ContractEndpoint]:
    """The contract endpoints that no `(METHOD, path)` key of `endpoints` serves."""
    have = {(method.upper(), normalise_path(path)) for method, path in endpoints}
    have_paths = {path for _, path in have}
    missing = []
    for endpoint in contract:
        if endpoint.methods:
            served = any((m, endpoint.path) in have for m in endpoint.methods)
        else:
            served = endpoint.path in have_paths
        if not served:
            missing.append(endpoint)
    return missing
