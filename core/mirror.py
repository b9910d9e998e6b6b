"""The one mirror engine: rows that copy records a provider keeps (voices, projects,
folders, takes, calibrations) brought in line with what it lists now.

A domain supplies only how to list its records and how to map one record to a dict of
its model's columns. The pass is the same for all: fingerprint each record, upsert in
bulk the ones whose fingerprint differs from the row's, then retire the rows no longer
listed. A pass with nothing changed writes nothing.

A row written from the provider's own answer after the listing began (`synced_at` later
than the pass's `now`: a star, a label, an upload saved by `save_one`) is fresher than
the listing, so the pass neither overwrites it nor retires it.

The model has `team`, `remote_id` (or other key columns), `fingerprint`, `first_seen_at`,
`synced_at` and `gone_at`; `gone_at` set means the provider no longer lists it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

from django.db.models import JSONField
from django.utils import timezone

from core.bulk import BATCH, Encoded, batches, upsert_rows

log = logging.getLogger(__name__)

Record = dict
# The columns the engine itself keeps on every mirrored row.
OURS = ("fingerprint", "synced_at", "gone_at")


@dataclass
class Tally:
    """What one sync saw and did; a domain may add its own counts."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    gone: int = 0
    deleted: int = 0

    @property
    def unchanged(self) -> int:
        return max(self.fetched - self.created - self.updated, 0)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.gone or self.deleted)

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __str__(self) -> str:
        said = f"{self.fetched} listed: {self.created} new, {self.updated} changed, "
        said += f"{self.unchanged} unchanged, {self.gone} gone"
        return said + (f", {self.deleted} deleted" if self.deleted else "")


class Row(NamedTuple):
    """What the pass needs to know of a row already here."""

    pk: int
    fingerprint: str
    gone_at: Any
    # When the row was last written: by a pass (its start) or by `save_one` (an answer).
    synced_at: Any
    # The primary key a link column holds (a folder's parent, a conversion's original).
    link: int | None = None


def encode(value) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def fingerprint(record: Record) -> str:
    return hashlib.md5(encode(record).encode(), usedforsecurity=False).hexdigest()


def newer(row: Row | None, now) -> bool:
    """Written from the provider's own answer after this pass began listing."""
    return row is not None and row.synced_at is not None and row.synced_at > now


class Mirror:
    """One model's rows within one scope (an account's voices, a project's folders).

    `key` names the columns that say which record a row is within the scope; `unique`
    the model's unique constraint the upsert relies on. `constants` are columns every
    row of the scope shares (team, account, provider). `fields` are the columns a pass
    writes, or None for the keys of the records themselves. `link` is a column whose
    primary key `rows` also reads. With `forget`, a row hidden on one pass and still
    missing on the next is deleted; without, it stays hidden. `whole` are columns whose
    over-long value is dropped rather than cut (a cut link points nowhere)."""

    def __init__(
        self,
        model,
        scope,
        *,
        constants: dict,
        unique: tuple[str, ...],
        key: tuple[str, ...] = ("remote_id",),
        fields: list[str] | None = None,
        link: str | None = None,
        forget: bool = False,
        whole: tuple[str, ...] = (),
    ):
        self.model = model
        self.scope = scope
        self.constants = constants
        self.unique = list(unique)
        self.key_fields = key
        self.fields = fields
        self.link = link
        self.forget = forget
        self.whole = whole
        self._defaults = {f: model._meta.get_field(f).get_default() for f in key}
        self._widths = {
            f.attname: f.max_length
            for f in model._meta.concrete_fields
            if getattr(f, "max_length", None) and f.name not in (*key, "fingerprint")
        }
        self._json = [f.name for f in model._meta.concrete_fields if isinstance(f, JSONField)]
        self._too_long = {
            f: model._meta.get_field(f).max_length
            for f in key
            if getattr(model._meta.get_field(f), "max_length", None)
        }

    # Which record a row is.

    def key(self, record: Record):
        values = tuple(record.get(f, self._defaults[f]) for f in self.key_fields)
        return values[0] if len(values) == 1 else values

    def rows(self, scope=None) -> dict[Any, Row]:
        """The scope's rows (or those of a narrower `scope`), by key."""
        columns = [*self.key_fields, "pk", "fingerprint", "gone_at", "synced_at"]
        columns.append(f"{self.link}_id" if self.link else "pk")
        width = len(self.key_fields)
        found = {}
        for values in (self.scope if scope is None else scope).values_list(*columns):
            key = values[0] if width == 1 else tuple(values[:width])
            pk, fp, gone_at, synced_at, link = values[width:]
            found[key] = Row(pk, fp, gone_at, synced_at, link if self.link else None)
        return found

    # The pass.

    def fit(self, record: Record) -> Record | None:
        """The record cut to its columns, so PostgreSQL does not refuse the whole batch;
        None when its key itself does not fit (no row could hold it)."""
        for name, width in self._too_long.items():
            value = record.get(name)
            if isinstance(value, str) and len(value) > width:
                log.warning("skipping a %s with an over-long %s", self.model.__name__, name)
                return None
        for name, width in self._widths.items():
            value = record.get(name)
            if isinstance(value, str) and len(value) > width:
                record[name] = "" if name in self.whole else value[:width]
        for name in self._json:
            # Encoded once: the fingerprint and the row's column both use this text.
            if name in record and record[name] is not None:
                record[name] = Encoded(encode(record[name]))
        return record

    def upsert(self, records: Iterable[Record], existing: dict, now, tally: Tally) -> int:
        """Write the records whose fingerprint differs from their row's (a row written
        after `now` is left alone); returns how many rows are new."""
        changed, created, keys = [], 0, set()
        for record in records:
            record = self.fit(record)
            if record is None:
                continue
            record["fingerprint"] = fingerprint(record)
            old = existing.get(self.key(record))
            if old is not None and (old.fingerprint, old.gone_at) == (record["fingerprint"], None):
                continue
            if newer(old, now):
                continue
            if old is None:
                created += 1
            else:
                tally.updated += 1
            keys.update(record)
            changed.append(
                {
                    **self.constants,
                    **record,
                    "first_seen_at": now,
                    "synced_at": now,
                    "gone_at": None,
                }
            )
        tally.created += created
        if changed:
            update = self._update_fields(keys)
            upsert_rows(self.model, changed, unique=self.unique, update=update)
        return created

    def _update_fields(self, keys: set[str]) -> list[str]:
        if self.fields is not None:
            return [*self.fields, *OURS]
        names = {f.attname: f.name for f in self.model._meta.concrete_fields}
        skip = {*self.key_fields, *OURS}
        return sorted(names[k] for k in keys if k not in skip) + list(OURS)

    def retire(self, existing: dict, seen: set, now, tally: Tally) -> list[int]:
        """Hide the rows newly missing from the listing, and with `forget` delete the
        ones already hidden last time; returns the primary keys hidden now."""
        missing = [r for k, r in existing.items() if k not in seen and not newer(r, now)]
        hide = [r.pk for r in missing if r.gone_at is None]
        drop = [r.pk for r in missing if r.gone_at is not None] if self.forget else []
        for batch in batches(hide):
            self.model.objects.filter(pk__in=batch).update(gone_at=now)
        for batch in batches(drop):
            self.model.objects.filter(pk__in=batch).delete()
        tally.gone += len(hide)
        tally.deleted += len(drop)
        return hide

    def sync(self, records: Iterable[Record], now, tally: Tally) -> dict[Any, Row]:
        """Bring the scope in line with `records` (the whole listing); returns the rows
        of the records listed, by key. The caller holds the transaction."""
        records = list(records)
        existing = self.rows()
        created = self.upsert(records, existing, now, tally)
        seen = {self.key(r) for r in records}
        self.retire(existing, seen, now, tally)
        rows = self.rows() if created else existing
        return {k: row for k, row in rows.items() if k in seen}

    def link_to(self, rows: dict, wanted: dict, targets: dict) -> None:
        """Point each row's link column at the row `wanted[key]` names among `targets`,
        writing only the rows whose link is not that already."""
        fixes = []
        for key, target in wanted.items():
            row = rows.get(key)
            target_row = targets.get(target) if target else None
            want = target_row.pk if target_row is not None else None
            if row is not None and row.link != want:
                fixes.append(self.model(pk=row.pk, **{f"{self.link}_id": want}))
        if fixes:
            self.model.objects.bulk_update(fixes, [self.link], batch_size=BATCH)

    def save_one(self, record: Record, now=None):
        """Mirror one record the provider just answered (a clone finished, a folder made
        here), fingerprinted as a pass would, so the next pass has nothing to rewrite.
        Returns (row, created)."""
        now = now or timezone.now()
        record = dict(record)
        key = self.key(record)
        values = key if len(self.key_fields) > 1 else (key,)
        lookup = dict(zip(self.key_fields, values, strict=True))
        mine = self.scope.filter(**lookup)
        tally = Tally()
        self.upsert([record], self.rows(mine), now, tally)
        return mine.get(), bool(tally.created)
