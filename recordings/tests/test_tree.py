"""The recordings tree without an upstream: project and folder pages, the originals list
with its search, filters and keyset pages, walls by team and role, and the checks made
before anything is sent to Respeecher."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from jobs.models import Status
from recordings import opening
from recordings.models import Project, Recording
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team):
    return ProviderAccountFactory(
        team=team, provider="respeecher", base_url="https://gateway.respeecher.com"
    )


@pytest.fixture
def project(team, account):
    return ProjectFactory(team=team, account=account, name="Audiobook")


@pytest.fixture
def folder(project):
    return FolderFactory(project=project, name="Chapter 1")


@pytest.fixture
def no_upstream(monkeypatch):
    """Fails the test if anything asks for a Respeecher client."""

    def refuse(account):
        raise AssertionError("an upstream call was made")

    for module in ("recordings.editing", "recordings.opening"):
        monkeypatch.setattr(f"{module}.client_for", refuse)


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _originals(folder, n, **fields):
    now = timezone.now()
    return Recording.objects.bulk_create(
        Recording(
            team=folder.team,
            account=folder.account,
            project=folder.project,
            folder=folder,
            remote_id=f"{folder.pk}-take-{i}-{now.timestamp()}",
            label=f"Take {i:04d}",
            file_name=f"take-{i:04d}.wav",
            state=Status.COMPLETED,
            fingerprint="0",
            created_at=now,
            **fields,
        )
        for i in range(n)
    )


def _conversions(originals, per):
    first = originals[0]
    Recording.objects.bulk_create(
        Recording(
            team=first.team,
            account=first.account,
            project=first.project,
            folder=first.folder,
            kind=Recording.Kind.CONVERSION,
            original=original,
            remote_id=f"{original.remote_id}-c{j}",
            model_name=f"Voice {j}",
            state=Status.PROCESSING,
            fingerprint="0",
        )
        for original in originals
        for j in range(per)
    )


# Walls ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in_from_every_tree_page(client, team, folder):
    for url in (
        _url(team, "recordings_project", project_id=folder.project_id),
        _url(team, "recordings_folder", folder_id=folder.pk),
        _url(team, "recordings_project_create"),
        _url(team, "recordings_open"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_another_teams_projects_and_folders_are_not_found(owner_client, team, other_team):
    theirs = FolderFactory(project=ProjectFactory(team=other_team))
    for name, kwargs in (
        ("recordings_project", {"project_id": theirs.project_id}),
        ("recordings_project_rename", {"project_id": theirs.project_id}),
        ("recordings_project_delete", {"project_id": theirs.project_id}),
        ("recordings_folder_create", {"project_id": theirs.project_id}),
        ("recordings_folder", {"folder_id": theirs.pk}),
        ("recordings_folder_rename", {"folder_id": theirs.pk}),
        ("recordings_folder_delete", {"folder_id": theirs.pk}),
    ):
        url = _url(team, name, **kwargs)
        assert owner_client.get(url).status_code == 404, url
        assert owner_client.post(url, {"name": "Mine now"}).status_code == 404, url
    theirs.refresh_from_db()
    assert theirs.name != "Mine now"


def test_viewers_read_the_tree_but_see_no_change_buttons(viewer_client, team, folder):
    body = viewer_client.get(_url(team, "recordings_project", project_id=folder.project_id))
    assert body.status_code == 200
    text = body.content.decode()
    assert "Chapter 1" in text and "Rename" not in text and "New folder" not in text
    assert "Rename" not in viewer_client.get(folder.get_absolute_url()).content.decode()
    listing = viewer_client.get(_url(team, "recordings")).content.decode()
    assert "New project" not in listing and "Open by link" not in listing


def test_viewers_cannot_open_the_change_forms_or_post_them(
    viewer_client, team, folder, no_upstream
):
    for name, kwargs in (
        ("recordings_project_create", {}),
        ("recordings_open", {}),
        ("recordings_project_rename", {"project_id": folder.project_id}),
        ("recordings_project_delete", {"project_id": folder.project_id}),
        ("recordings_folder_create", {"project_id": folder.project_id}),
        ("recordings_folder_rename", {"folder_id": folder.pk}),
        ("recordings_folder_delete", {"folder_id": folder.pk}),
    ):
        url = _url(team, name, **kwargs)
        assert viewer_client.get(url).status_code == 403, url
        assert viewer_client.post(url, {"name": "Viewer's"}).status_code == 403, url
    folder.refresh_from_db()
    assert folder.name == "Chapter 1"


def test_without_respeecher_the_make_and_open_forms_are_not_found(member_client, team):
    assert member_client.get(_url(team, "recordings_project_create")).status_code == 404
    assert member_client.get(_url(team, "recordings_open")).status_code == 404


# Drilling down ----------------------------------------------------------------------------


def test_the_projects_page_links_each_project(viewer_client, team, project):
    body = viewer_client.get(_url(team, "recordings")).content.decode()
    assert project.get_absolute_url() in body


def test_a_project_lists_its_folders_with_their_counts(viewer_client, team, project, folder):
    _conversions(_originals(folder, 2), per=3)
    FolderFactory(project=project, name="Dropped", gone_at=timezone.now())
    FolderFactory(name="Elsewhere")  # another project's
    response = viewer_client.get(project.get_absolute_url())
    folders = list(response.context["folders"])
    assert [(f.name, f.original_count, f.conversion_count) for f in folders] == [
        ("Chapter 1", 2, 6)
    ]
    assert folder.get_absolute_url() in response.content.decode()


def test_a_folder_lists_its_originals_each_with_its_conversions(viewer_client, folder):
    originals = _originals(folder, 2)
    _conversions(originals[:1], per=2)
    response = viewer_client.get(folder.get_absolute_url())
    rows = response.context["originals"]
    assert {r.label for r in rows} == {"Take 0000", "Take 0001"}
    by_label = {r.label: [c.model_name for c in r.listed_conversions] for r in rows}
    assert by_label == {"Take 0000": ["Voice 0", "Voice 1"], "Take 0001": []}
    body = response.content.decode()
    assert "Voice 1" in body and "Processing…" in body


def test_an_originals_row_shows_state_star_source_and_escapes_what_people_wrote(
    member_client, viewer_client, folder
):
    reason = "Bad <audio> & “noise” " + "x" * 80
    (failed,) = _originals(folder, 1, error=reason, starred=True, tts=True)
    Recording.objects.filter(pk=failed.pk).update(label="Tom's <take>", state=Status.FAILED)
    _conversions([failed], per=1)
    body = member_client.get(folder.get_absolute_url()).content.decode()
    assert "Tom&#x27;s &lt;take&gt;" in body and "<take>" not in body
    assert f'title="{escape(reason)}"' in body
    assert "Failed: Bad &lt;audio&gt; &amp; “noise” " + "x" * 37 + "…</span>" in body
    assert 'aria-label="Starred">★</span>' in body and "<td>Text to speech</td>" in body
    assert f'<time datetime="{failed.created_at.isoformat()}"' in body
    assert "↳ Voice 0" in body and "Processing…" in body
    assert f'name="ids" value="{failed.pk}"' in body
    # Only people who can change the folder tick takes.
    assert 'name="ids"' not in viewer_client.get(folder.get_absolute_url()).content.decode()


def test_the_originals_list_searches_label_and_file_name(viewer_client, folder):
    _originals(folder, 3)
    RecordingFactory(project=folder.project, folder=folder, label="Intro", file_name="hello.mp3")
    url = folder.get_absolute_url()
    assert [r.label for r in viewer_client.get(url, {"q": "intro"}).context["originals"]] == [
        "Intro"
    ]
    assert [r.label for r in viewer_client.get(url, {"q": "HELLO"}).context["originals"]] == [
        "Intro"
    ]
    assert len(viewer_client.get(url, {"q": "take-000"}).context["originals"]) == 3


def test_the_originals_list_filters_by_state_star_and_source(viewer_client, folder):
    _originals(folder, 2)
    base = {"project": folder.project, "folder": folder}
    RecordingFactory(**base, label="Broken", state=Status.FAILED, error="bad audio")
    RecordingFactory(**base, label="Loved", starred=True, state=Status.COMPLETED)
    RecordingFactory(**base, label="Spoken", tts=True, state=Status.COMPLETED)
    url = folder.get_absolute_url()

    def labels(**params):
        return sorted(r.label for r in viewer_client.get(url, params).context["originals"])

    assert labels(state=Status.FAILED) == ["Broken"]
    assert labels(starred="1") == ["Loved"]
    assert labels(source="tts") == ["Spoken"]
    assert "Spoken" not in labels(source="upload") and len(labels(source="upload")) == 4
    assert len(labels(state="nonsense")) == 5  # an unknown value filters nothing
    assert "Failed: bad audio" in viewer_client.get(url, {"state": "failed"}).content.decode()


def test_the_originals_list_pages_by_keyset_without_repeats(viewer_client, folder):
    _originals(folder, 120)
    url = folder.get_absolute_url()
    seen, cursor, pages = [], None, 0
    while True:
        page = viewer_client.get(url, {"after": cursor} if cursor else {}).context["page"]
        seen += [r.pk for r in page.rows]
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 3 and len(seen) == 120 == len(set(seen))


def test_the_originals_list_answers_htmx_with_its_rows_only(viewer_client, folder):
    _originals(folder, 1)
    response = viewer_client.get(
        folder.get_absolute_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="originals"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<tbody id="originals"') and "Take 0000" in body


def test_hidden_and_other_folders_takes_are_not_listed(viewer_client, folder):
    _originals(folder, 1)
    _originals(FolderFactory(project=folder.project), 2)
    _originals(folder, 1, gone_at=timezone.now())
    assert len(viewer_client.get(folder.get_absolute_url()).context["originals"]) == 1


def _folder_queries(client, folder) -> int:
    client.get(folder.get_absolute_url())  # the first visit also saves the session's team
    with CaptureQueriesContext(connection) as queries:
        response = client.get(folder.get_absolute_url())
        assert response.status_code == 200
    return len(queries)


def test_the_originals_page_costs_the_same_queries_at_5_and_500(viewer_client, folder):
    _conversions(_originals(folder, 5), per=3)
    small = _folder_queries(viewer_client, folder)
    _conversions(_originals(folder, 495), per=3)
    assert _folder_queries(viewer_client, folder) == small


def test_the_project_page_costs_the_same_queries_at_5_and_500_folders(viewer_client, project):
    for _ in range(5):
        FolderFactory(project=project)
    viewer_client.get(project.get_absolute_url())  # the session's team is saved once
    with CaptureQueriesContext(connection) as few:
        viewer_client.get(project.get_absolute_url())
    FolderFactory.create_batch(495, project=project)
    with CaptureQueriesContext(connection) as many:
        viewer_client.get(project.get_absolute_url())
    assert len(many) == len(few)


def test_the_delete_page_lists_the_folders_and_takes_that_go(member_client, team, folder):
    _conversions(_originals(folder, 3), per=2)
    FolderFactory(project=folder.project, name="Chapter 2")
    body = member_client.get(
        _url(team, "recordings_project_delete", project_id=folder.project_id)
    ).content.decode()
    assert "3 takes and 6 conversions" in body
    assert "Chapter 1" in body and "Chapter 2" in body
    inner = FolderFactory(project=folder.project, parent=folder, name="Outtakes")
    _originals(inner, 1)
    body = member_client.get(_url(team, "recordings_folder_delete", folder_id=folder.pk))
    text = body.content.decode()
    assert "4 takes and 6 conversions" in text and "Outtakes" in text
    assert "Chapter 2" not in text


# Checked before anything is sent -----------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_missing_or_long_name_is_refused_without_an_upstream_call(
    member_client, team, folder, no_upstream, name
):
    for url in (
        _url(team, "recordings_project_create"),
        _url(team, "recordings_project_rename", project_id=folder.project_id),
        _url(team, "recordings_folder_create", project_id=folder.project_id),
        _url(team, "recordings_folder_rename", folder_id=folder.pk),
    ):
        response = member_client.post(url, {"name": name})
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Give it a name." in text or "100 characters or fewer" in text, url
    folder.refresh_from_db()
    assert folder.name == "Chapter 1"


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/projects/audiobook-1a2b3c4d",
        "https://respeecher.com.evil.example/projects/audiobook-1a2b3c4d",
        "http://marketplace.respeecher.com/projects/audiobook-1a2b3c4d",
        "https://marketplace.respeecher.com/voices/some-voice",
        "https://marketplace.respeecher.com/projects/",
        "audiobook-1a2b3c4d",
        "javascript:alert(1)",
    ],
)
def test_a_link_to_another_site_or_shape_is_refused_without_an_upstream_call(
    member_client, team, account, no_upstream, link
):
    response = member_client.post(_url(team, "recordings_open"), {"link": link})
    assert response.status_code == 200
    assert response.context["form"].errors["link"]


def test_a_link_names_its_project_on_any_respeecher_host(account):
    for link in (
        "https://marketplace.respeecher.com/projects/audiobook-1a2b3c4d",
        "https://gateway.respeecher.com/app/projects/audiobook-1a2b3c4d/folders/x",
        "https://respeecher.com/projects/audiobook-1a2b3c4d?tab=takes",
    ):
        assert opening.project_token(account, link) == "audiobook-1a2b3c4d"


def test_an_account_off_respeecher_accepts_links_to_its_own_origin_only(team):
    account = ProviderAccountFactory(
        team=team, provider="respeecher", base_url="http://127.0.0.1:8765/respeecher"
    )
    link = "http://127.0.0.1:8765/respeecher/projects/audiobook-1a2b3c4d"
    assert opening.project_token(account, link) == "audiobook-1a2b3c4d"
    for other in (
        "http://127.0.0.1:9999/respeecher/projects/audiobook-1a2b3c4d",
        "https://marketplace.respeecher.com/projects/audiobook-1a2b3c4d",
    ):
        with pytest.raises(opening.BadLink):
            opening.project_token(account, other)


def test_members_see_the_buttons_to_make_and_open_projects(member_client, team, account, folder):
    listing = member_client.get(_url(team, "recordings")).content.decode()
    assert _url(team, "recordings_project_create") in listing
    assert _url(team, "recordings_open") in listing
    page = member_client.get(folder.project.get_absolute_url()).content.decode()
    assert _url(team, "recordings_folder_create", project_id=folder.project_id) in page
    assert _url(team, "recordings_project_delete", project_id=folder.project_id) in page


def test_a_nameless_folder_sent_by_htmx_comes_back_as_the_form_with_its_error(
    member_client, team, project, no_upstream
):
    response = member_client.post(
        _url(team, "recordings_folder_create", project_id=project.pk),
        {"name": ""},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="new-folder"') and "Give it a name." in body
    assert "HX-Trigger" not in response


def test_a_project_with_recordings_says_when_its_last_was_made_never_none_yet(
    viewer_client, folder
):
    from datetime import timedelta

    project = folder.project
    Project.objects.filter(pk=project.pk).update(last_recording_at=None)
    (take,) = _originals(folder, 1)
    made = timezone.now() - timedelta(hours=2)
    Recording.objects.filter(pk=take.pk).update(created_at=made)
    listing = viewer_client.get(reverse("recordings", kwargs={"team": project.team.slug}))
    page = viewer_client.get(project.get_absolute_url()).content.decode()
    for html in (listing.content.decode(), page):
        assert "no recordings yet" not in html.lower()
        assert f'datetime="{timezone.localtime(made).isoformat()}"' in html
