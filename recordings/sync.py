"""Mirror a Respeecher account's workspace: every project, then the tree of each project
whose last recording moved, upserted where it changed. What Respeecher stops listing is
hidden on one pass and deleted on the next. A sync with nothing changed writes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.bulk import batches
from core.mirror import Mirror, Record, Tally
from recordings.models import Calibration, Folder, Project, Recording
from teams.connection import client_for
from teams.models import ProviderAccount

log = logging.getLogger(__name__)

# Items asked for per list call; a project of 10,000 takes is 100 calls, never one.
PAGE_SIZE = 100


@dataclass
class SyncResult(Tally):
    projects: int = 0
    projects_read: int = 0

    def __str__(self) -> str:
        return (
            f"{self.projects} projects ({self.projects_read} read again): "
            f"{self.fetched} records listed, {self.created} new, {self.updated} changed, "
            f"{self.gone} hidden, {self.deleted} deleted"
        )


Progress = Callable[[SyncResult], None]


def mirror(model, account: ProviderAccount, scope=None, link: str | None = None) -> Mirror:
    """One model's rows of the account's workspace (or of `scope` in it) as the mirror
    engine sees them: what Respeecher stops listing is hidden, then deleted."""
    return Mirror(
        model,
        model.objects.filter(account=account) if scope is None else scope,
        constants={"team_id": account.team_id, "account": account},
        unique=("team", "account", "remote_id"),
        link=link,
        forget=True,
    )


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
        "note_remote_id": recording.note.id if recording.note else "",
        "note_text": (recording.note.text or "") if recording.note else "",
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
        records = [calibration_record(c) for c in calibrations]
        mirror(Calibration, account).sync(records, now, result)
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
    projects_here = mirror(Project, account)
    existing = projects_here.rows()
    records = [project_record(p) for p in projects]
    projects_here.upsert(records, existing, now, result)
    hidden = projects_here.retire(existing, {r["remote_id"] for r in records}, now, result)
    for batch in batches(hidden):
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
        folders_here = mirror(
            Folder, account, Folder.objects.filter(account=account, project=project), "parent"
        )
        folder_rows = folders_here.sync(
            [folder_record(f, project.pk) for f in folders], now, result
        )
        folders_here.link_to(folder_rows, {f.id: f.parent_id or "" for f in folders}, folder_rows)
        records = []
        for take in takes:
            folder = folder_rows.get(take.parent_folder_id or "")
            records.append(recording_record(take, project.pk, folder.pk if folder else None))
        takes_here = mirror(
            Recording,
            account,
            Recording.objects.filter(account=account, project=project),
            "original",
        )
        take_rows = takes_here.sync(records, now, result)
        wanted = {
            r["remote_id"]: r["original_remote_id"] for r in records if r["original_remote_id"]
        }
        takes_here.link_to(take_rows, wanted, take_rows)
        if project.tree_synced_at is None or project.tree_as_of != project.last_recording_at:
            Project.objects.filter(pk=project.pk).update(
                tree_synced_at=now, tree_as_of=project.last_recording_at
            )


def save_one(model, account: ProviderAccount, record: Record, now=None):
    """Mirror one record Respeecher just answered (a project or folder made or renamed
    here, a take starred), fingerprinted as a sync would, so the next sync has nothing to
    rewrite."""
    saved, _created = mirror(model, account).save_one(record, now)
    return saved
