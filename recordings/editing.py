"""Making, renaming and deleting Respeecher projects and folders: upstream first, then
the local mirror at once (so the page is right before the next sync), then the log."""

from django.db import transaction

from activity.log import Verb, record
from providers import NotFound, UpstreamError
from recordings import sync
from recordings.models import Folder, Project
from teams.connection import client_for

# (the row, None) when Respeecher did it; (the row as it was or None, its reason) when not.
Result = tuple[object | None, str | None]


def _refused(team, verb, user, label, exc: UpstreamError) -> str:
    record(team, verb, actor=user, label=label, outcome="failed", message=exc.message)
    return exc.message


def create_project(account, name: str, user=None) -> Result:
    try:
        made = client_for(account).create_project(name)
    except UpstreamError as exc:
        return None, _refused(account.team, Verb.PROJECT_CREATED, user, name, exc)
    with transaction.atomic():
        project = sync.save_one(Project, account, sync.project_record(made))
        # It is empty and we know it: the next sync need not read its tree to find that.
        Project.objects.filter(pk=project.pk, tree_synced_at__isnull=True).update(
            tree_synced_at=project.synced_at, tree_as_of=project.last_recording_at
        )
        record(account.team, Verb.PROJECT_CREATED, actor=user, target=project)
    return project, None


def rename_project(project: Project, name: str, user=None) -> Result:
    old = project.name
    try:
        renamed = client_for(project.account).rename_project(project.remote_id, name)
    except UpstreamError as exc:
        return project, _refused(project.team, Verb.PROJECT_RENAMED, user, old, exc)
    with transaction.atomic():
        project = sync.save_one(Project, project.account, sync.project_record(renamed))
        record(
            project.team,
            Verb.PROJECT_RENAMED,
            actor=user,
            target=project,
            message=f"Was “{old}”.",
        )
    return project, None


def delete_project(project: Project, user=None) -> str | None:
    """Delete it at Respeecher, then here with its folders and takes; the provider's
    reason when it refuses, and then nothing is deleted here."""
    try:
        client_for(project.account).delete_project(project.remote_id)
    except NotFound:
        pass  # already gone upstream: finish the job here
    except UpstreamError as exc:
        return _refused(project.team, Verb.PROJECT_DELETED, user, project.name, exc)
    with transaction.atomic():
        record(project.team, Verb.PROJECT_DELETED, actor=user, label=project.name)
        project.delete()
    return None


def create_folder(project: Project, name: str, user=None, parent: Folder | None = None) -> Result:
    """A folder in the project, or inside `parent` (a folder of it: Respeecher's
    `parent_id`)."""
    parent_id = parent.remote_id if parent is not None else None
    try:
        made = client_for(project.account).create_folder(
            project.remote_id, name, parent_id=parent_id
        )
    except UpstreamError as exc:
        return None, _refused(project.team, Verb.FOLDER_CREATED, user, name, exc)
    with transaction.atomic():
        folder = sync.save_one(Folder, project.account, sync.folder_record(made, project.pk))
        if parent is not None and (made.parent_id or "") == parent.remote_id:
            Folder.objects.filter(pk=folder.pk).update(parent=parent)
            folder.parent = parent
        where = f"In “{parent.name}”." if parent is not None else f"In “{project.name}”."
        record(project.team, Verb.FOLDER_CREATED, actor=user, target=folder, message=where)
    return folder, None


def rename_folder(folder: Folder, name: str, user=None) -> Result:
    old = folder.name
    try:
        renamed = client_for(folder.account).rename_folder(folder.remote_id, name)
    except UpstreamError as exc:
        return folder, _refused(folder.team, Verb.FOLDER_RENAMED, user, old, exc)
    with transaction.atomic():
        mirrored = sync.folder_record(renamed, folder.project_id)
        folder = sync.save_one(Folder, folder.account, mirrored)
        record(
            folder.team,
            Verb.FOLDER_RENAMED,
            actor=user,
            target=folder,
            message=f"Was “{old}”.",
        )
    return folder, None


def delete_folder(folder: Folder, user=None) -> str | None:
    """Delete it at Respeecher, then here with the folders inside it and their takes."""
    try:
        client_for(folder.account).delete_folder(folder.remote_id)
    except NotFound:
        pass
    except UpstreamError as exc:
        return _refused(folder.team, Verb.FOLDER_DELETED, user, folder.name, exc)
    with transaction.atomic():
        record(
            folder.team,
            Verb.FOLDER_DELETED,
            actor=user,
            label=folder.name,
            message=f"From “{folder.project.name}”.",
        )
        Folder.objects.filter(pk__in=folder.with_descendants()).delete()
    return None
