"""Keyset pagination: the next page starts after the last row's sort values, so page 500
costs what page 1 does (no OFFSET scan)."""

import contextlib
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q

# Named for the page that first used it; kept, so cursors in pages already open still work.
SALT = "voices.keyset"


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def _after(model, ordering: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in `ordering` (fields, each optionally "-")."""
    condition = Q(pk__in=[])
    equal = Q()
    for name, raw in zip(ordering, values, strict=True):
        field = name.lstrip("-")
        value = model._meta.get_field("id" if field == "pk" else field).to_python(raw)
        lookup = "lt" if name.startswith("-") else "gt"
        condition |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    return condition


def keyset_page(queryset, ordering: tuple[str, ...], cursor: str | None, size: int) -> Page:
    """Up to `size` rows of `queryset` in `ordering` (which must end in a unique field),
    after the row `cursor` names; a cursor that is missing, mangled or made for another
    ordering starts from the first row."""
    queryset = queryset.order_by(*ordering)
    values = _read(cursor, ordering)
    after = None
    # Values that do not fit the fields start the list from the first page too.
    with contextlib.suppress(ValidationError):
        if values is not None:
            after = _after(queryset.model, ordering, values)
    # A queryset may read its pages its own way (a search through its index does:
    # voices.models.VoiceQuerySet.keyset_rows), given the cursor as a condition.
    if hasattr(queryset, "keyset_rows"):
        rows = queryset.keyset_rows(ordering, after, size + 1)
    else:
        rows = rows_after(queryset, after, size + 1)
    if len(rows) <= size:
        return Page(rows, None)
    rows = rows[:size]
    last = rows[-1]
    values = [getattr(last, name.lstrip("-")) for name in ordering]
    encoded = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    return Page(rows, signing.dumps([list(ordering), encoded], salt=SALT, compress=True))


def _read(cursor: str | None, ordering: tuple[str, ...]) -> list | None:
    """The values in a cursor made for this ordering; None for a missing, mangled or
    other sort's cursor (the page then starts from the beginning)."""
    if not cursor:
        return None
    try:
        made_for, values = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if made_for != list(ordering) or not isinstance(values, list):
        return None
    return values


def rows_after(queryset, after, limit: int) -> list:
    """The first `limit` rows of `queryset` (already in its page order) after the cursor
    condition `after` (None: from the start), as a plain queryset reads a page."""
    return list((queryset.filter(after) if after is not None else queryset)[:limit])
