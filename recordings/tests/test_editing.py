"""Making, renaming, deleting and opening projects and folders against the sandbox over
real HTTP: Respeecher first, the mirror at once, refusals kept with their reason, and
bad input stopped before any call (the sandbox's request log stays empty)."""

import pytest
from django.urls import reverse

from activity.models import Activity
from recordings import sync
from recordings.models import Folder, Project, Recording, SyncRun
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

MISSING = "9b1d5b7e-0000-4000-8000-000000000000"  # a well-formed id Respeecher lacks


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _upstream_projects(account) -> dict[str, str]:
    return {p.id: p.name for p in client_for(account).iter_projects()}


def _upstream_folders(account, project_id) -> dict[str, str]:
    return {f.id: f.name for f in client_for(account).iter_folders(project_id)}


def _made_here(client, team, name="Audiobook") -> Project:
    response = client.post(_url(team, "recordings_project_create"), {"name": name})
    project = Project.objects.get(team=team, name=name)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    return project


def test_a_project_is_made_at_respeecher_and_mirrored_at_once(member_client, team, respeecher):
    project = _made_here(member_client, team)
    assert _upstream_projects(respeecher)[project.remote_id] == "Audiobook"
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert "Audiobook" in page and "No folders in this project yet" in page
    assert Activity.objects.filter(team=team, verb="recording.project_created").exists()


def test_a_folder_is_made_renamed_and_deleted_upstream_first(member_client, team, respeecher):
    project = _made_here(member_client, team)
    url = _url(team, "recordings_folder_create", project_id=project.pk)
    response = member_client.post(url, {"name": "Chapter 1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "folderCreated" in response["HX-Trigger"]
    folder = Folder.objects.get(project=project)
    assert _upstream_folders(respeecher, project.remote_id) == {folder.remote_id: "Chapter 1"}
    assert "Chapter 1" in member_client.get(project.get_absolute_url()).content.decode()

    url = _url(team, "recordings_folder_rename", folder_id=folder.pk)
    assert member_client.post(url, {"name": "Chapter One"}).status_code == 302
    folder.refresh_from_db()
    assert folder.name == "Chapter One"
    assert _upstream_folders(respeecher, project.remote_id) == {folder.remote_id: "Chapter One"}

    RecordingFactory(project=project, folder=folder)
    url = _url(team, "recordings_folder_delete", folder_id=folder.pk)
    assert member_client.post(url).status_code == 302
    assert not Folder.objects.filter(pk=folder.pk).exists()
    assert not Recording.objects.filter(folder__project=project).exists()
    assert _upstream_folders(respeecher, project.remote_id) == {}
    verbs = set(Activity.objects.filter(team=team).values_list("verb", flat=True))
    assert {
        "recording.folder_created",
        "recording.folder_renamed",
        "recording.folder_deleted",
    } <= verbs


def test_a_project_is_renamed_then_deleted_after_a_confirmation_that_calls_nothing(
    member_client, team, respeecher, requests_log
):
    project = _made_here(member_client, team)
    url = _url(team, "recordings_project_rename", project_id=project.pk)
    assert member_client.post(url, {"name": "Audiobook, final"}).status_code == 302
    project.refresh_from_db()
    assert project.name == "Audiobook, final"
    assert _upstream_projects(respeecher)[project.remote_id] == "Audiobook, final"

    requests_log()
    url = _url(team, "recordings_project_delete", project_id=project.pk)
    confirm = member_client.get(url)
    assert "Delete Audiobook, final" in confirm.content.decode() and requests_log() == []
    assert member_client.post(url).status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert project.remote_id not in _upstream_projects(respeecher)


def test_a_sync_after_edits_made_here_has_nothing_to_write(member_client, team, respeecher):
    sync.sync_account(respeecher)
    project = _made_here(member_client, team)
    url = _url(team, "recordings_folder_create", project_id=project.pk)
    member_client.post(url, {"name": "Chapter 1"})
    rename = _url(team, "recordings_project_rename", project_id=project.pk)
    member_client.post(rename, {"name": "Audiobook 2"})

    result = sync.sync_account(respeecher)

    assert not result.changed, result
    assert Folder.objects.filter(project=project, name="Chapter 1").exists()


def test_a_refused_rename_keeps_the_name_and_shows_the_reason(member_client, team, respeecher):
    project = ProjectFactory(team=team, account=respeecher, remote_id=MISSING, name="Old")
    url = _url(team, "recordings_project_rename", project_id=project.pk)
    response = member_client.post(url, {"name": "New"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Respeecher did not rename it" in text and "not found" in text.lower()
    project.refresh_from_db()
    assert project.name == "Old"
    failed = Activity.objects.get(team=team, verb="recording.project_renamed")
    assert failed.failed


def test_a_refused_delete_keeps_the_rows_and_shows_the_reason(member_client, team, respeecher):
    folder = FolderFactory(project__team=team, project__account=respeecher, remote_id="not-an-id")
    response = member_client.post(
        _url(team, "recordings_folder_delete", folder_id=folder.pk), follow=True
    )
    text = response.content.decode()
    assert "Respeecher did not delete" in text and "It is kept." in text
    assert Folder.objects.filter(pk=folder.pk).exists()


def test_a_folder_deleted_upstream_already_is_deleted_here_too(member_client, team, respeecher):
    folder = FolderFactory(project__team=team, project__account=respeecher, remote_id=MISSING)
    response = member_client.post(_url(team, "recordings_folder_delete", folder_id=folder.pk))
    assert response.status_code == 302
    assert not Folder.objects.filter(pk=folder.pk).exists()


def test_a_pasted_link_opens_the_project_and_mirrors_it(
    member_client, team, respeecher, sandbox_url
):
    made = client_for(respeecher).create_project("Shared with us")
    link = f"{sandbox_url}/respeecher/projects/{made.url}"

    response = member_client.post(_url(team, "recordings_open"), {"link": link})

    project = Project.objects.get(team=team, remote_id=made.id)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.name == "Shared with us"
    assert SyncRun.objects.filter(account=respeecher).exists()  # its tree is on the way
    # Open it again: the same row, no second one.
    member_client.post(_url(team, "recordings_open"), {"link": link})
    assert Project.objects.filter(team=team, remote_id=made.id).count() == 1


def test_a_link_respeecher_does_not_know_says_so(member_client, team, respeecher, sandbox_url):
    link = f"{sandbox_url}/respeecher/projects/nobody-00000000"
    response = member_client.post(_url(team, "recordings_open"), {"link": link})
    assert response.status_code == 200
    assert "no project at that link" in response.content.decode()
    assert not Project.objects.filter(team=team).exists()


@pytest.mark.parametrize(
    "name, data",
    [
        ("recordings_project_create", {"name": "x" * 101}),
        ("recordings_project_create", {"name": " "}),
        ("recordings_open", {"link": "https://evil.example.com/projects/audiobook-1a2b3c4d"}),
        ("recordings_open", {"link": "not a link"}),
    ],
)
def test_bad_input_makes_no_upstream_call(
    member_client, team, respeecher, requests_log, name, data
):
    requests_log()
    response = member_client.post(_url(team, name), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert requests_log() == []


def test_a_long_folder_name_makes_no_upstream_call(member_client, team, respeecher, requests_log):
    project = ProjectFactory(team=team, account=respeecher)
    folder = FolderFactory(project=project)
    requests_log()
    for url in (
        _url(team, "recordings_folder_create", project_id=project.pk),
        _url(team, "recordings_folder_rename", folder_id=folder.pk),
        _url(team, "recordings_project_rename", project_id=project.pk),
    ):
        assert "100 characters" in member_client.post(url, {"name": "x" * 101}).content.decode()
    assert requests_log() == []
