"""Mirroring a Respeecher workspace from the sandbox over real HTTP: paged, written only
where changed, unchanged projects skipped, dropped records hidden then deleted."""

from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import Activity
from jobs.models import Status
from jobs.tests.audio import wav
from providers.respeecher import Conversion
from recordings import runs, sync
from recordings.models import Calibration, Folder, Project, Recording, SyncRun
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

SEED_ID = "00000000-0000-0000-0000-000000000001"
SEED_VOICE = SEED_ID


def _writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verbs)]


def test_first_sync_mirrors_projects_folders_takes_and_calibrations(respeecher, seed):
    folder_id = seed("respeecher.folder", 1)[0]
    take_ids = seed("respeecher.recording", 3, folder_id=folder_id)

    result = sync.sync_account(respeecher)

    folder = Folder.objects.get(remote_id=folder_id)
    assert folder.project.team == respeecher.team
    takes = Recording.objects.filter(remote_id__in=take_ids)
    assert {t.folder_id for t in takes} == {folder.pk}
    assert {t.project_id for t in takes} == {folder.project_id}
    assert {t.kind for t in takes} == {Recording.Kind.ORIGINAL}
    assert sorted(t.file_name for t in takes) == ["take-1.wav", "take-2.wav", "take-3.wav"]
    assert {t.state for t in takes} == {Status.COMPLETED}
    # The sandbox's seed example: one project, folder, take and calibration of its own.
    assert Project.objects.filter(remote_id=SEED_ID).exists()
    assert Calibration.objects.filter(account=respeecher).count() == 1
    assert result.created == Project.objects.count() + Folder.objects.count() + 4 + 1


def test_resync_without_changes_writes_nothing(respeecher, seed, requests_log, monkeypatch):
    monkeypatch.setattr(sync, "PAGE_SIZE", 10)
    for project_id in seed("respeecher.project", 30):  # 31 with the seed example's
        seed(
            "respeecher.recording",
            2,
            folder_id=seed("respeecher.folder", 1, project_id=project_id)[0],
        )
    sync.sync_account(respeecher)
    requests_log()

    with CaptureQueriesContext(connection) as queries:
        result = sync.sync_account(respeecher)

    assert _writes(queries) == []
    assert (result.created, result.updated, result.gone, result.deleted) == (0, 0, 0, 0)
    assert result.projects == 31 and result.projects_read == 0
    calls = [(r["method"], r["path"].removeprefix("/respeecher")) for r in requests_log()]
    # One call per page of projects (four pages of ten), and the calibrations; no tree.
    assert calls == [("GET", "/api/projects")] * 4 + [("GET", "/api/calibration")]


def test_a_10000_take_folder_is_read_in_pages_of_limit_and_offset(respeecher, seed, requests_log):
    folder_id = seed("respeecher.folder", 1)[0]
    seed("respeecher.recording", 10_000, folder_id=folder_id)
    requests_log()

    sync.sync_account(respeecher)

    pages = [parse_qs(r["query"]) for r in requests_log() if r["path"].endswith("/api/recordings")]
    big = [
        p
        for p in pages
        if p["project_id"] == [Folder.objects.get(remote_id=folder_id).project.remote_id]
    ]
    assert {p["limit"][0] for p in big} == {str(sync.PAGE_SIZE)}
    assert [int(p["offset"][0]) for p in big] == list(range(0, 10_000, sync.PAGE_SIZE))
    assert Recording.objects.filter(folder__remote_id=folder_id).count() == 10_000


def test_records_the_provider_drops_are_hidden_then_deleted(respeecher, seed):
    kept, dropped = seed("respeecher.project", 2)
    folder_id = seed("respeecher.folder", 1, project_id=kept)[0]
    take, gone_take = seed("respeecher.recording", 2, folder_id=folder_id)
    seed("respeecher.recording", 3, folder_id=seed("respeecher.folder", 1, project_id=dropped)[0])
    sync.sync_account(respeecher)
    client = client_for(respeecher)
    client.delete_project(dropped)
    client.delete_recording(gone_take)
    # A new take moves the kept project's last recording, so its tree is read again.
    client.upload_recording(folder_id, wav(0.5), filename="new.wav", label="New take")

    first = sync.sync_account(respeecher)

    assert not Project.objects.listed().filter(remote_id=dropped).exists()
    assert Project.objects.filter(remote_id=dropped).exists()  # hidden, not yet deleted
    assert not Recording.objects.listed().filter(project__remote_id=dropped).exists()
    assert not Folder.objects.listed().filter(project__remote_id=dropped).exists()
    assert list(Recording.objects.listed().filter(remote_id__in=[take, gone_take])) == [
        Recording.objects.get(remote_id=take)
    ]
    assert first.gone == 1 + 1 + 3 + 1  # the project, its folder and takes, the take

    second = sync.sync_account(respeecher, full=True)

    assert not Project.objects.filter(remote_id=dropped).exists()
    assert not Recording.objects.filter(project__remote_id=dropped).exists()
    assert not Recording.objects.filter(remote_id=gone_take).exists()
    assert Recording.objects.filter(remote_id=take).exists()
    assert second.deleted == 2 and second.gone == 0


def test_conversions_are_linked_to_their_originals(respeecher, seed):
    folder_id = seed("respeecher.folder", 1)[0]
    original, other = seed("respeecher.recording", 2, folder_id=folder_id)
    client = client_for(respeecher)
    client.create_order(
        original, [Conversion(voice_id=SEED_VOICE), Conversion(voice_id=SEED_VOICE, label="Second")]
    )

    sync.sync_account(respeecher)

    take = Recording.objects.get(remote_id=original)
    conversions = list(take.conversions.all())
    assert len(conversions) == 2
    assert {c.kind for c in conversions} == {Recording.Kind.CONVERSION}
    assert {c.folder_id for c in conversions} == {take.folder_id}
    assert not Recording.objects.get(remote_id=other).conversions.exists()


def test_only_the_project_whose_last_recording_moved_is_read_again(respeecher, seed, requests_log):
    quiet, busy = seed("respeecher.project", 2)
    for project_id in (quiet, busy):
        seed("respeecher.folder", 1, project_id=project_id)
    sync.sync_account(respeecher)
    busy_folder = Folder.objects.get(project__remote_id=busy)
    client_for(respeecher).upload_recording(busy_folder.remote_id, wav(0.5), filename="a.wav")
    requests_log()

    result = sync.sync_account(respeecher)

    tree_calls = [
        r
        for r in requests_log()
        if "/api/folders" in r["path"] or r["path"].endswith("/api/recordings")
    ]
    assert {parse_qs(r["query"])["project_id"][0] for r in tree_calls} == {busy}
    assert result.projects_read == 1 and result.created == 1
    assert Recording.objects.listed().filter(folder=busy_folder).count() == 1


def test_a_run_a_person_asked_for_is_in_the_activity_log(respeecher, seed, member):
    # The run engine itself (one live run, redelivery, failure) is proved in teams/tests.
    seed("respeecher.recording", 2)
    run, _created = runs.request_sync(respeecher, user=member.user)
    assert runs.execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.projects == 2 and run.created > 0
    entry = Activity.objects.get(verb="recording.synced")
    assert entry.actor == member.user and entry.team == respeecher.team


def test_a_refused_key_fails_the_run_and_writes_nothing(respeecher):
    respeecher.set_secret("not-the-key")
    respeecher.save()
    run = SyncRun.objects.create(team=respeecher.team, account=respeecher)

    assert runs.execute(run.pk) == "failed"

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED and run.message
    assert not Project.objects.exists()
    assert Activity.objects.get(verb="recording.sync_failed").outcome == "failed"


def test_the_command_syncs_a_team(respeecher, capsys):
    call_command("sync_recordings", "--team", respeecher.team.slug)
    assert "1 projects" in capsys.readouterr().out
    assert Project.objects.filter(remote_id=SEED_ID).exists()


def test_a_star_and_a_take_made_while_a_sync_lists_are_kept(respeecher, seed, monkeypatch):
    """A sync lists, then writes. A star given and a take uploaded in between were written
    from Respeecher's own answers: the older listing neither unstars the one nor hides the
    other (the star once vanished from a take in the browser walkthrough)."""
    from recordings import marking

    folder_id = seed("respeecher.folder", 1)[0]
    take_id = seed("respeecher.recording", 1, folder_id=folder_id)[0]
    sync.sync_account(respeecher)
    take = Recording.objects.get(remote_id=take_id)
    assert not take.starred
    client = client_for(respeecher)
    listing = type(client).iter_recordings
    made = {}

    def list_then_act(self, *args, **kwargs):
        listed = list(listing(self, *args, **kwargs))  # the sync's listing, now old
        if kwargs.get("project_id") != take.project.remote_id or made:
            return iter(listed)
        marking.set_starred(take, True)
        uploaded = client.upload_recording(folder_id, wav(0.5), filename="late.wav")
        record = sync.recording_record(uploaded, take.project_id, take.folder_id)
        made["late"] = sync.save_one(Recording, respeecher, record)
        return iter(listed)

    monkeypatch.setattr(type(client), "iter_recordings", list_then_act)
    sync.sync_account(respeecher, full=True)
    monkeypatch.undo()

    assert Recording.objects.get(pk=take.pk).starred
    assert Recording.objects.listed().filter(pk=made["late"].pk).exists()
    # The next sync reads both as Respeecher has them.
    sync.sync_account(respeecher, full=True)
    assert Recording.objects.get(pk=take.pk).starred
    assert Recording.objects.listed().filter(pk=made["late"].pk).exists()
