"""Folders inside folders: made from a folder's page (Respeecher's `parent_id`, shown in
the sandbox's request log and kept by it), listed on that folder's page, and shown as a
tree on the project's page with a query count that does not grow with the folders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recordings import sync
from recordings.models import Folder, as_tree
from recordings.tests.factories import FolderFactory, ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


@pytest.fixture
def folder(respeecher, seed):
    project = seed("respeecher.project", 1)[0]
    remote = seed("respeecher.folder", 1, project_id=project)[0]
    sync.sync_account(respeecher)
    return Folder.objects.get(account=respeecher, remote_id=remote)


def test_a_folder_made_inside_a_folder_is_sent_with_its_parent_and_shown_as_a_tree(
    member_client, team, folder, requests_log
):
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert "New folder inside this one" in page and f'name="parent" value="{folder.pk}"' in page
    requests_log()

    answer = member_client.post(
        _url(team, "recordings_folder_create", project_id=folder.project_id),
        {"name": "Act one", "parent": folder.pk},
    )

    assert answer.status_code == 302 and answer["Location"] == folder.get_absolute_url()
    [call] = [r for r in requests_log() if r["path"].endswith("/api/folders")]
    assert call["method"] == "POST"
    assert call["json"] == {
        "project_id": folder.project.remote_id,
        "name": "Act one",
        "parent_id": folder.remote_id,
    }
    child = Folder.objects.get(name="Act one")
    assert child.parent == folder
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert f'href="{child.get_absolute_url()}">Act one</a>' in page
    project_page = member_client.get(folder.project.get_absolute_url()).content.decode()
    assert project_page.index(f">{folder.name}</a>") < project_page.index(">Act one</a>")
    assert 'class="tree-depth-1"' in project_page
    # The sandbox keeps parent_id: a full sync links the same parent and changes nothing.
    assert not sync.sync_account(folder.account, full=True).changed
    child.refresh_from_db()
    assert child.parent_id == folder.pk and child.parent_remote_id == folder.remote_id


@pytest.mark.parametrize("parent", ["not-a-number", "987654321"])
def test_a_parent_not_of_this_project_is_not_found_and_nothing_is_sent(
    member_client, team, folder, requests_log, parent
):
    requests_log()
    answer = member_client.post(
        _url(team, "recordings_folder_create", project_id=folder.project_id),
        {"name": "Stray", "parent": parent},
    )
    assert answer.status_code == 404
    assert requests_log() == [] and not Folder.objects.filter(name="Stray").exists()


def test_a_folder_of_another_team_is_no_parent(
    member_client, team, folder, other_team, requests_log
):
    theirs = FolderFactory(project__team=other_team)
    requests_log()
    answer = member_client.post(
        _url(team, "recordings_folder_create", project_id=folder.project_id),
        {"name": "Stray", "parent": theirs.pk},
    )
    assert answer.status_code == 404 and requests_log() == []


def _nest(project, count):
    """`count` folders, each inside the one before."""
    parent = None
    for _ in range(count):
        parent = FolderFactory(project=project, parent=parent)


def test_the_project_tree_costs_the_same_queries_for_5_folders_as_for_60(member_client, team):
    queries = []
    member_client.get(_url(team, "recordings"))  # the session's first request costs more
    for count in (5, 60):
        project = ProjectFactory(team=team)
        _nest(project, count)
        with CaptureQueriesContext(connection) as captured:
            html = member_client.get(project.get_absolute_url()).content.decode()
        assert "tree-depth-4" in html
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_the_tree_puts_each_folder_after_its_parent_and_survives_a_cycle(team):
    project = ProjectFactory(team=team)
    top = FolderFactory(project=project, name="B top")
    inner = FolderFactory(project=project, name="A inner", parent=top)
    other = FolderFactory(project=project, name="C other")
    looped = FolderFactory(project=project, name="Loop")
    Folder.objects.filter(pk=looped.pk).update(parent=looped)
    ordered = as_tree(Folder.objects.filter(project=project).order_by("name"))
    assert [(f.name, f.depth) for f in ordered] == [
        ("B top", 0),
        ("A inner", 1),
        ("C other", 0),
        ("Loop", 0),
    ]
    assert {f.pk for f in ordered} == {top.pk, inner.pk, other.pk, looped.pk}
