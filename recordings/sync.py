"""Mirror a Respeecher account's workspace: every project, then the tree of each project
whose last recording moved, upserted where it changed. What Respeecher stops listing is
hidden on one pass and deleted on the next. A sync with nothing changed writes nothing."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from recordings.models import Calibration, Folder, Project, Recording
from teams.connection import client_for
from teams.models import ProviderAccount

log = logging.getLogger(__name__)

# Items asked for per list call; a project of 10,000 takes is 100 calls, never one.
PAGE_SIZE = 100
BATCH = 1000
OURS = ("fingerprint", "synced_at", "gone_at")

Record = dict


@dataclass
class SyncResult:
    projects: int = 0
    projects_read: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    gone: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.gone or self.deleted)

    def __str__(self) -> str:
        return (
            f"{self.projects} projects ({self.projects_read} read again): "
            f"{self.fetched} records listed, {self.created} new, {self.updated} changed, "
            f"{self.gone} hidden, {self.deleted} deleted"
        )


Progress = Callable[[SyncResult], None]


class Row(NamedTuple):
    pk: int
    fingerprint: str
    gone_at: object
    link: int | None
    # When the row was last written: by a sync (its start) or by `save_one` (an answer).
    synced_at: object = None


def _newer(row: Row | None, now) -> bool:
    """Written from Respeecher's own answer (a star, a label, an upload) after this sync
    began listing: fresher than the listing, so the listing neither overwrites nor hides it."""
    return row is not None and row.synced_at is not None and row.synced_at > now


# What each model's typed columns hold, from the client's typed records.


def project_record(project) -> Record:
    return {
        "remote_id": project.id,
        "name": project.name or project.slug or project.id,
        "slug": project.slug or "",
        "url": project.url or "",
        "owner": project.owner or "",
        "active": project.active is not False,
        "created_at": project.created_at,
        "last_recording_at": project.last_recording_at,
        "raw": project.raw,
    }


def folder_record(folder, project_pk: int) -> Record:
    return {
        "remote_id": folder.id,
        "project_id": project_pk,
        "parent_remote_id": folder.parent_id or "",
        "name": folder.name or "Untitled folder",
        "active": folder.active is not False,
        "created_at": folder.created_at,
        "raw": folder.raw,
    }


def recording_record(recording, project_pk: int, folder_pk: int | None) -> Record:
    kind = Recording.Kind.CONVERSION if recording.is_conversion else Recording.Kind.ORIGINAL
    return {
        "remote_id": recording.id,
        "project_id": project_pk,
        "folder_id": folder_pk,
        "kind": kind,
        "original_remote_id": (recording.original_id or "") if recording.is_conversion else "",
        "label": recording.label or "",
        "file_name": recording.file_name or "",
        "state": recording.state,
        "status": recording.status or "",
        "starred": bool(recording.starred),
        "tts": bool(recording.tts),
        "model_id": recording.model_id or "",
        "model_name": recording.model_name or "",
        "calibration_remote_id": recording.calibration_id or "",
        "duration": recording.duration,
        "size": recording.size,
        "error": recording.error or "",
        "created_at": recording.created_at,
        "converted_at": recording.converted_at,
        "raw": recording.raw,
    }


def calibration_record(calibration) -> Record:
    return {
        "remote_id": calibration.id,
        "name": calibration.name or "",
        "state": calibration.state,
        "status": calibration.status or "",
        "f0": calibration.f0,
        "algorithm": calibration.algorithm or "",
        "enabled": bool(calibration.enabled),
        "error": calibration.error or "",
        "created_at": calibration.created_at,
        "calibrated_at": calibration.calibrated_at,
        "raw": calibration.raw,
    }


# The generic part: compare, upsert what changed, link, retire what is no longer listed.


def fingerprint(record: Record) -> str:
    encoded = json.dumps(record, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.md5(encoded.encode(), usedforsecurity=False).hexdigest()


def _fit(model, record: Record) -> Record:
    """Cut over-long text to its column, so PostgreSQL does not refuse the whole batch."""
    for name, value in record.items():
        if isinstance(value, str) and name not in ("remote_id",):
            width = getattr(model._meta.get_field(name), "max_length", None)
            if width and len(value) > width:
                record[name] = value[:width]
    return record


def _batches(items: Iterable, size: int = BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _existing(queryset, link: str | None = None) -> dict[str, Row]:
    fields = ["remote_id", "pk", "fingerprint", "gone_at", "synced_at"]
    rows = queryset.values_list(*fields, f"{link}_id" if link else "pk")
    return {
        rid: Row(pk, fp, gone, other if link else None, synced)
        for rid, pk, fp, gone, synced, other in rows
    }


def _upsert(model, account, records: list[Record], existing: dict[str, Row], now, result) -> int:
    """Write the records whose fingerprint differs from the row's; returns how many rows
    are new (their primary keys are then read again by the caller)."""
    changed, created = [], 0
    for record in records:
        record = _fit(model, record)
        record["fingerprint"] = fingerprint(record)
        old = existing.get(record["remote_id"])
        if old is not None and (old.fingerprint, old.gone_at) == (record["fingerprint"], None):
            continue
        if _newer(old, now):
            continue
        if old is None:
            created += 1
        else:
            result.updated += 1
        changed.append(
            model(
                team_id=account.team_id,
                account=account,
                first_seen_at=now,
                synced_at=now,
                gone_at=None,
                **record,
            )
        )
    result.created += created
    if changed:
        columns = {f.attname: f.name for f in model._meta.concrete_fields}
        keys = [k for k in records[0] if k not in ("remote_id", "fingerprint")]
        fields = [columns[k] for k in keys] + list(OURS)
        for batch in _batches(changed):
            model.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["team", "account", "remote_id"],
                update_fields=fields,
            )
    return created


def _link(model, field: str, rows: dict[str, Row], wanted: dict[str, str], targets: dict[str, Row]):
    """Point each row's `field` at the row named by `wanted[remote_id]`, writing only the
    rows whose link is not that already (a conversion's original, a folder's parent)."""
    fixes = []
    for remote_id, target in wanted.items():
        row = rows.get(remote_id)
        target_row = targets.get(target) if target else None
        want = target_row.pk if target_row is not None else None
        if row is not None and row.link != want:
            fixes.append(model(pk=row.pk, **{f"{field}_id": want}))
    if fixes:
        model.objects.bulk_update(fixes, [field], batch_size=BATCH)


def _retire(model, existing: dict[str, Row], seen: set[str], now, result) -> list[int]:
    """Hide rows newly missing, delete rows already hidden last time; returns the pks
    hidden now (a project's tree is hidden with it)."""
    missing = [r for rid, r in existing.items() if rid not in seen and not _newer(r, now)]
    hide = [r.pk for r in missing if r.gone_at is None]
    drop = [r.pk for r in missing if r.gone_at is not None]
    for batch in _batches(hide):
        model.objects.filter(pk__in=batch).update(gone_at=now)
    for batch in _batches(drop):
        model.objects.filter(pk__in=batch).delete()
    result.gone += len(hide)
    result.deleted += len(drop)
    return hide


# The walk.


def sync_account(
    account: ProviderAccount, progress: Progress | None = None, now=None, *, full: bool = False
) -> SyncResult:
    """Bring the mirror in line with what `account` lists now. With `full`, every
    project's tree is read, moved or not (a star or a deletion does not move a project's
    last recording). Upstream errors propagate; what was written before stays, and a
    project whose tree could not be read is read again next time."""
    now = now or timezone.now()
    client = client_for(account)
    result = SyncResult()
    # Oldest first: a project made while we page lands on the last page, not between.
    listed = {}
    for project in client.iter_projects(sort="created_at", direction="asc", page_size=PAGE_SIZE):
        if project.id:
            listed[project.id] = project
    calibrations = [c for c in client.list_calibrations() if c.id]
    result.projects = len(listed)
    result.fetched = len(listed) + len(calibrations)
    with transaction.atomic():
        _save_projects(account, listed.values(), now, result)
        existing = _existing(Calibration.objects.filter(account=account))
        records = [calibration_record(c) for c in calibrations]
        _upsert(Calibration, account, records, existing, now, result)
        _retire(Calibration, existing, {c.id for c in calibrations}, now, result)
    if progress:
        progress(result)
    projects = Project.objects.filter(account=account, gone_at__isnull=True).only(
        "pk", "remote_id", "last_recording_at", "tree_synced_at", "tree_as_of"
    )
    for project in projects.order_by("pk"):
        moved = project.tree_synced_at is None or project.tree_as_of != project.last_recording_at
        if not (moved or full):
            continue
        _sync_tree(client, account, project, now, result)
        result.projects_read += 1
        if progress:
            progress(result)
    log.info("recordings of %s synced: %s", account, result)
    return result


def _save_projects(account, projects, now, result) -> None:
    existing = _existing(Project.objects.filter(account=account))
    records = [project_record(p) for p in projects]
    _upsert(Project, account, records, existing, now, result)
    hidden = _retire(Project, existing, {r["remote_id"] for r in records}, now, result)
    for batch in _batches(hidden):
        # Should it come back, its tree is read again rather than trusted.
        Project.objects.filter(pk__in=batch).update(tree_synced_at=None)
        # Its folders and takes went with it upstream; the rows go when it does.
        for model in (Folder, Recording):
            result.gone += model.objects.filter(project_id__in=batch, gone_at__isnull=True).update(
                gone_at=now
            )


def _sync_tree(client, account, project: Project, now, result: SyncResult) -> None:
    """Read one project's folders and recordings, page by page, then write them."""
    folders = [f for f in client.iter_folders(project.remote_id, page_size=PAGE_SIZE) if f.id]
    takes = [
        r for r in client.iter_recordings(project_id=project.remote_id, page_size=PAGE_SIZE) if r.id
    ]
    result.fetched += len(folders) + len(takes)
    with transaction.atomic():
        folder_rows = _save(
            Folder,
            account,
            Folder.objects.filter(account=account, project=project),
            "parent",
            [folder_record(f, project.pk) for f in folders],
            now,
            result,
        )
        wanted = {f.id: f.parent_id or "" for f in folders}
        _link(Folder, "parent", folder_rows, wanted, folder_rows)
        records = []
        for take in takes:
            folder = folder_rows.get(take.parent_folder_id or "")
            records.append(recording_record(take, project.pk, folder.pk if folder else None))
        take_rows = _save(
            Recording,
            account,
            Recording.objects.filter(account=account, project=project),
            "original",
            records,
            now,
            result,
        )
        wanted = {
            r["remote_id"]: r["original_remote_id"] for r in records if r["original_remote_id"]
        }
        _link(Recording, "original", take_rows, wanted, take_rows)
        if project.tree_synced_at is None or project.tree_as_of != project.last_recording_at:
            Project.objects.filter(pk=project.pk).update(
                tree_synced_at=now, tree_as_of=project.last_recording_at
            )


def _save(model, account, scope, link, records, now, result) -> dict[str, Row]:
    """Upsert and retire one model's rows in `scope`; the listed rows by remote id."""
    existing = _existing(scope, link)
    created = _upsert(model, account, records, existing, now, result)
    seen = {r["remote_id"] for r in records}
    _retire(model, existing, seen, now, result)
    rows = _existing(scope, link) if created else existing
    return {rid: row for rid, row in rows.items() if rid in seen}


def save_one(model, account: ProviderAccount, record: Record, now=None):
    """Mirror one record Respeecher just answered (a project or folder made or renamed
    here), fingerprinted as a sync would, so the next sync has nothing to rewrite."""
    now = now or timezone.now()
    record = _fit(model, dict(record))
    record["fingerprint"] = fingerprint(record)
    remote_id = record.pop("remote_id")
    saved, _created = model.objects.update_or_create(
        team_id=account.team_id,
        account=account,
        remote_id=remote_id,
        defaults={**record, "synced_at": now, "gone_at": None},
        create_defaults={**record, "synced_at": now, "first_seen_at": now, "gone_at": None},
    )
    return saved
