"""The way out, against the sandbox over real HTTP: a project's and a take's zips streamed
through with Respeecher's length under our own name, refusals told plainly, and the originals
list's bulk star, unstar, delete and export, walled by team and role."""

import io
import json
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import Activity
from jobs.models import Status
from jobs.tests.audio import wav
from providers import NotFound, UpstreamError
from providers.respeecher import Conversion
from recordings import sync
from recordings.exporting import MANIFEST, NOT_INCLUDED
from recordings.models import Folder, Project, Recording
from recordings.tests.factories import FolderFactory, ProjectFactory, RecordingFactory
from teams.connection import client_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=False)]

SEED_VOICE = "00000000-0000-0000-0000-000000000001"


def _url(team, name, **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


@pytest.fixture
def workspace(respeecher, seed, control):
    """A folder at Respeecher with two uploaded takes: "Opening line" (starred, two
    finished conversions) and "Closing line" (one), all mirrored here."""
    # Conversions finish (on the sandbox's clock) before the sync reads them.
    control.post("/_sandbox/config", json={"speed": 1_000_000}).raise_for_status()
    folder_id = seed("respeecher.folder", 1)[0]
    client = client_for(respeecher)
    opening = client.upload_recording(
        folder_id, wav(0.5), label="Opening line", filename="opening.wav"
    )
    closing = client.upload_recording(
        folder_id, wav(0.5), label="Closing line", filename="closing.wav"
    )
    client.create_order(
        opening.id,
        [
            Conversion(voice_id=SEED_VOICE, label="Warm"),
            Conversion(voice_id=SEED_VOICE, label="Bright"),
        ],
    )
    client.create_order(closing.id, [Conversion(voice_id=SEED_VOICE, label="Cold")])
    client.update_recording(opening.id, starred=True)
    sync.sync_account(respeecher)
    folder = Folder.objects.get(account=respeecher, remote_id=folder_id)
    takes = {t.label: t for t in Recording.objects.originals().filter(folder=folder)}
    assert all(c.is_completed for c in Recording.objects.filter(kind=Recording.Kind.CONVERSION))
    return folder, takes["Opening line"], takes["Closing line"]


def _unzipped(response) -> zipfile.ZipFile:
    body = b"".join(response.streaming_content)
    assert response["Content-Length"] == str(len(body))
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    return archive


def _filename(response) -> str:
    return response["Content-Disposition"].split("filename=")[1].strip('"')


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# A project's and a take's exports ---------------------------------------------------------


def test_a_project_exports_as_respeechers_zip_streamed_through(viewer_client, team, workspace):
    folder, _opening, _closing = workspace
    project = folder.project

    response = viewer_client.get(_url(team, "recordings_project_export", project_id=project.pk))

    assert response.status_code == 200
    # Passed on as it arrives, not a response holding the body.
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"] == "application/zip"
    # Named for the project, never by Respeecher's own name for the zip (its slug).
    assert response["Content-Disposition"].startswith("attachment")
    assert _filename(response) == f"{project.name}.zip" != f"{project.slug}.zip"
    archive = _unzipped(response)  # also: Content-Length is the body's
    manifest = json.loads(archive.read("manifest.json"))
    assert {r["label"] for r in manifest} == {
        "Opening line",
        "Closing line",
        "Warm",
        "Bright",
        "Cold",
    }
    audio = [n for n in archive.namelist() if n.endswith(".wav")]
    assert len(audio) == 5 and all(n.startswith(f"{folder.name}/") for n in audio)
    assert all(archive.read(n).startswith(b"RIFF") for n in audio)
    entry = Activity.objects.get(team=team, verb="recording.project_exported")
    assert entry.outcome == "ok" and entry.message == "All takes."


def test_a_project_exports_only_its_starred_takes_when_asked(viewer_client, team, workspace):
    folder, opening, _closing = workspace
    url = _url(team, "recordings_project_export", project_id=folder.project.pk) + "?starred=1"

    archive = _unzipped(viewer_client.get(url))

    manifest = json.loads(archive.read("manifest.json"))
    assert [r["id"] for r in manifest] == [opening.remote_id]
    assert len([n for n in archive.namelist() if n.endswith(".wav")]) == 1


def test_the_project_and_take_pages_offer_their_exports(viewer_client, team, workspace):
    folder, opening, _closing = workspace
    project_page = viewer_client.get(folder.project.get_absolute_url()).content.decode()
    export = _url(team, "recordings_project_export", project_id=folder.project.pk)
    assert f'href="{export}"' in project_page and f'href="{export}?starred=1"' in project_page
    take_page = viewer_client.get(opening.get_absolute_url()).content.decode()
    assert f'href="{_url(team, "recordings_take_export", recording_id=opening.pk)}"' in take_page


def test_a_takes_export_holds_it_and_its_conversions_only(viewer_client, team, workspace):
    _folder, opening, closing = workspace

    response = viewer_client.get(_url(team, "recordings_take_export", recording_id=opening.pk))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith("attachment")
    assert _filename(response) == "Opening line.zip"
    manifest = json.loads(_unzipped(response).read("manifest.json"))
    assert {r["label"] for r in manifest} == {"Opening line", "Warm", "Bright"}
    assert closing.remote_id not in {r["id"] for r in manifest}
    assert Activity.objects.filter(verb="recording.conversions_exported", outcome="ok").exists()


def test_an_exports_name_is_made_safe_whatever_the_project_is_called(
    viewer_client, team, workspace
):
    folder, _opening, _closing = workspace
    Project.objects.filter(pk=folder.project.pk).update(name="Ad ../../spot: v2")

    response = viewer_client.get(
        _url(team, "recordings_project_export", project_id=folder.project.pk)
    )

    assert _filename(response) == "Ad ._._spot_ v2.zip"


def test_an_export_respeecher_refuses_says_why_on_the_page(viewer_client, team, workspace):
    folder, _opening, _closing = workspace
    client_for(folder.account).delete_project(folder.project.remote_id)

    response = viewer_client.get(
        _url(team, "recordings_project_export", project_id=folder.project.pk)
    )

    assert response.status_code == 302 and response["Location"] == folder.project.get_absolute_url()
    [message] = _messages(response)
    assert message == "Respeecher did not send the export: Respeecher: Project not found"
    entry = Activity.objects.get(verb="recording.project_exported")
    assert entry.outcome == "failed" and "Project not found" in entry.message


# Bulk actions on the originals list -------------------------------------------------------


def _bulk(client, folder, action, ids, **data):
    url = _url(folder.team, f"recordings_bulk_{action}", folder_id=folder.pk)
    return client.post(url, {"ids": [str(i) for i in ids], **data})


def test_members_get_a_checkbox_per_original_and_the_bulk_bar(member_client, team, workspace):
    folder, opening, closing = workspace
    html = member_client.get(folder.get_absolute_url()).content.decode()
    for take in (opening, closing):
        label = f'aria-label="Select {take.label}"'
        assert f'name="ids" value="{take.pk}" form="bulk" {label}' in html
    assert '<form id="bulk"' in html and "data-select-all" in html
    for action in ("star", "export", "delete"):
        assert _url(team, f"recordings_bulk_{action}", folder_id=folder.pk) in html


def test_viewers_get_no_checkboxes_and_are_refused(viewer_client, team, workspace, requests_log):
    folder, opening, _closing = workspace
    html = viewer_client.get(folder.get_absolute_url()).content.decode()
    assert 'name="ids"' not in html and '<form id="bulk"' not in html
    requests_log()
    for action, data in (("star", {"starred": "1"}), ("delete", {"confirm": "1"}), ("export", {})):
        assert _bulk(viewer_client, folder, action, [opening.pk], **data).status_code == 403
    assert requests_log() == []
    assert Recording.objects.filter(pk=opening.pk).exists()


def test_anonymous_bulk_requests_are_sent_to_log_in(client, team, workspace):
    folder, opening, _closing = workspace
    response = _bulk(client, folder, "delete", [opening.pk], confirm="1")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Recording.objects.filter(pk=opening.pk).exists()


def test_ticked_takes_are_starred_then_unstarred_at_respeecher_and_here(
    member_client, team, workspace
):
    folder, opening, closing = workspace
    client = client_for(folder.account)

    response = _bulk(member_client, folder, "star", [opening.pk, closing.pk], starred="1")

    assert response.status_code == 302 and response["Location"] == folder.get_absolute_url()
    # Opening was starred already: only Closing needed a call.
    assert _messages(response) == ["Starred 2 takes."]
    assert client.get_recording(closing.remote_id).starred is True
    assert set(
        Recording.objects.filter(pk__in=[opening.pk, closing.pk]).values_list("starred", flat=True)
    ) == {True}

    _bulk(member_client, folder, "star", [opening.pk, closing.pk], starred="0")

    assert client.get_recording(opening.remote_id).starred is False
    assert client.get_recording(closing.remote_id).starred is False
    assert not Recording.objects.filter(pk__in=[opening.pk, closing.pk], starred=True).exists()
    assert Activity.objects.filter(verb="recording.unstarred").count() == 2


def test_a_star_respeecher_refuses_keeps_that_take_and_says_why(member_client, team, workspace):
    folder, opening, closing = workspace
    client_for(folder.account).delete_recording(closing.remote_id)

    response = _bulk(member_client, folder, "star", [opening.pk, closing.pk], starred="1")

    starred, refused = _messages(response)
    assert starred == "Starred 1 take."  # Opening, which already was
    assert "“Closing line”" in refused and "Recording not found" in refused
    closing.refresh_from_db()
    assert not closing.starred and Recording.objects.filter(pk=closing.pk).exists()


def test_bulk_delete_first_lists_what_goes_and_sends_nothing(
    member_client, team, workspace, requests_log
):
    folder, opening, closing = workspace
    requests_log()

    response = _bulk(member_client, folder, "delete", [opening.pk, closing.pk])

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete 2 takes" in html and "Opening line" in html and "Closing line" in html
    # Each take with its conversions, which go with it.
    assert [t.conversion_count for t in response.context["takes"]] == [1, 2]
    assert 'name="confirm" value="1"' in html
    assert requests_log() == []
    assert Recording.objects.filter(pk__in=[opening.pk, closing.pk]).count() == 2


def test_bulk_delete_goes_upstream_first_and_a_refusal_keeps_that_take(
    member_client, team, workspace, control
):
    folder, opening, closing = workspace
    client = client_for(folder.account)
    control.post(
        "/_sandbox/faults",
        json={
            "path": f"/respeecher/api/recordings/{closing.remote_id}",
            "method": "DELETE",
            "status": {"500": 1},
        },
    ).raise_for_status()

    response = _bulk(member_client, folder, "delete", [opening.pk, closing.pk], confirm="1")

    assert response.status_code == 302 and response["Location"] == folder.get_absolute_url()
    gone, kept = _messages(response)
    assert gone == "Deleted 1 take at Respeecher and here."
    assert "“Closing line”" in kept and "unavailable" in kept and "It is kept" in kept
    with pytest.raises(NotFound):
        client.get_recording(opening.remote_id)
    # The mirror rows went at once: the take and its conversions.
    assert not Recording.objects.filter(pk=opening.pk).exists()
    assert not Recording.objects.filter(original_remote_id=opening.remote_id).exists()
    assert Recording.objects.filter(pk=closing.pk).exists()
    assert client.get_recording(closing.remote_id).id == closing.remote_id
    outcomes = set(
        Activity.objects.filter(verb="recording.deleted").values_list("outcome", flat=True)
    )
    assert outcomes == {"ok", "failed"}


def test_bulk_export_streams_one_zip_of_the_ticked_takes_conversions(
    member_client, team, workspace
):
    folder, opening, closing = workspace

    response = _bulk(member_client, folder, "export", [opening.pk, closing.pk])

    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert response["Content-Type"] == "application/zip"
    # Named for what it holds, however many of the folder's takes were ticked.
    assert _filename(response) == f"{folder.name}.zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    voice = opening.conversions.first().voice_name
    # Laid out as Respeecher's project export: the folder, then a file per conversion.
    _first, second = opening.conversions.order_by("created_at", "pk")
    assert names == [
        f"{folder.name}/Opening line → {voice}.wav",
        # Two conversions into one voice: the second is told apart by its id.
        f"{folder.name}/Opening line → {voice} ({second.remote_id[:8]}).wav",
        f"{folder.name}/Closing line → {voice}.wav",
        MANIFEST,
    ]
    assert all(archive.read(n).startswith(b"RIFF") for n in names[:3])
    manifest = json.loads(archive.read(MANIFEST))
    assert [row["file"] for row in manifest] == names[:3]
    cold = manifest[2]
    assert cold["take"] == "Closing line" and cold["take_id"] == closing.remote_id
    assert cold["conversion_id"] == _conversion(closing, "Cold")
    assert cold["voice"] == voice and cold["voice_id"] == SEED_VOICE
    assert {"accent", "accent_id", "narration_style", "semitones"} <= set(cold)
    entry = Activity.objects.get(verb="recording.takes_exported")
    assert entry.message == "3 conversions of 2 takes."


def test_a_selection_of_one_take_is_named_for_its_folder(member_client, team, workspace):
    folder, _opening, closing = workspace

    response = _bulk(member_client, folder, "export", [closing.pk])

    assert _filename(response) == f"{folder.name}.zip"


def _conversion(take, label) -> str:
    return take.conversions.get(label=label).remote_id


def test_a_conversion_respeecher_will_not_send_is_named_in_the_zip(
    member_client, team, workspace, control
):
    folder, _opening, closing = workspace
    [cold] = closing.conversions.select_related("account")
    audio_path = cold.media["audio"].split("://", 1)[1].split("/", 1)[1]
    control.post(
        "/_sandbox/faults", json={"path": f"/{audio_path}", "status": {"500": 1}}
    ).raise_for_status()

    response = _bulk(member_client, folder, "export", [closing.pk])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [NOT_INCLUDED, MANIFEST]
    text = archive.read(NOT_INCLUDED).decode()
    assert "Respeecher did not send" in text and "Closing line → " in text
    [row] = json.loads(archive.read(MANIFEST))
    assert row["file"] is None and row["conversion_id"] == cold.remote_id


def test_a_conversion_whose_link_cannot_be_parsed_is_named_in_the_zip(
    member_client, team, workspace
):
    folder, _opening, closing = workspace
    [cold] = closing.conversions.all()
    cold.raw = {**cold.raw, "url": "https://cdn.test:not-a-port/cold.wav"}
    cold.save(update_fields=["raw"])

    response = _bulk(member_client, folder, "export", [closing.pk])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [NOT_INCLUDED, MANIFEST]
    text = archive.read(NOT_INCLUDED).decode()
    assert "Respeecher gave an address that cannot be used." in text


def test_a_conversion_cut_short_ends_the_download_rather_than_zip_half_a_file(
    member_client, team, workspace, control
):
    folder, _opening, closing = workspace
    [cold] = closing.conversions.select_related("account")
    audio_path = cold.media["audio"].split("://", 1)[1].split("/", 1)[1]
    control.post(
        "/_sandbox/faults", json={"path": f"/{audio_path}", "truncate": 1}
    ).raise_for_status()

    response = _bulk(member_client, folder, "export", [closing.pk])

    # The browser sees a failed download, never a zip holding a truncated take.
    with pytest.raises(UpstreamError):
        b"".join(response.streaming_content)


def test_a_selection_without_finished_conversions_exports_nothing(member_client, team, workspace):
    folder, _opening, closing = workspace
    Recording.objects.filter(original=closing).update(state=Status.PROCESSING)

    response = _bulk(member_client, folder, "export", [closing.pk])

    assert response.status_code == 302
    assert _messages(response) == ["None of the ticked takes has a finished conversion to export."]


def test_another_teams_ids_in_a_bulk_request_are_never_acted_on(
    member_client, team, other_team, workspace, requests_log
):
    folder, _opening, _closing = workspace
    theirs = RecordingFactory(project=ProjectFactory(team=other_team), label="Not yours")
    elsewhere = RecordingFactory(
        project=folder.project, folder=FolderFactory(project=folder.project)
    )
    requests_log()

    for action, data in (("star", {"starred": "1"}), ("delete", {"confirm": "1"}), ("export", {})):
        response = _bulk(member_client, folder, action, [theirs.pk, elsewhere.pk], **data)
        assert response.status_code == 302
        assert set(_messages(response)) == {"Tick one or more takes first."}

    assert requests_log() == []
    assert Recording.objects.filter(pk__in=[theirs.pk, elsewhere.pk]).count() == 2
    theirs.refresh_from_db()
    assert not theirs.starred


def test_another_teams_folder_is_not_found_for_bulk_actions(member_client, team, other_team):
    theirs = FolderFactory(project=ProjectFactory(team=other_team))
    take = RecordingFactory(project=theirs.project, folder=theirs)
    url = _url(team, "recordings_bulk_delete", folder_id=theirs.pk)
    assert member_client.post(url, {"ids": [take.pk], "confirm": "1"}).status_code == 404
    assert Recording.objects.filter(pk=take.pk).exists()


def test_the_originals_page_with_checkboxes_costs_the_same_queries_at_5_and_500(
    member_client, team
):
    project = ProjectFactory(team=team)
    folder = FolderFactory(project=project)

    def queries() -> int:
        member_client.get(folder.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(folder.get_absolute_url()).status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            take = RecordingFactory(project=project, folder=folder)
            RecordingFactory(
                project=project, folder=folder, kind=Recording.Kind.CONVERSION, original=take
            )

    add(5)
    few = queries()
    add(495)
    assert queries() == few
    assert Project.objects.count() == 1


def test_the_manifest_says_the_settings_a_conversion_was_made_with(member_client, team, workspace):
    folder, _opening, closing = workspace
    [cold] = closing.conversions.all()
    # As Respeecher's record of a conversion says what it was ordered with.
    cold.raw = {**cold.raw, "params": {"accent_id": "acc-1", "semitones_correction": -2.0}}
    cold.save(update_fields=["raw"])

    response = _bulk(member_client, folder, "export", [closing.pk])

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [row] = json.loads(archive.read(MANIFEST))
    assert row["semitones"] == -2.0 and row["accent_id"] == "acc-1"
    assert row["narration_style_id"] == "" and row["file"].endswith(".wav")


def test_a_selection_is_named_for_its_folder_its_project_or_how_many_it_holds():
    from recordings.exporting import selection_name

    folder = FolderFactory(name="Episode 1", project__name="Season: 2")
    inner = FolderFactory(project=folder.project, parent=folder, name="Pick-ups")
    take = RecordingFactory(project=folder.project, folder=folder)
    loose = RecordingFactory(project=folder.project, folder=None)
    picked = RecordingFactory(project=folder.project, folder=inner)

    assert selection_name(folder, [take]) == "Episode 1.zip"
    assert selection_name(folder, [loose]) == "Season_ 2.zip"
    assert selection_name(folder, [take, picked]) == "2 takes from Episode 1.zip"


@pytest.mark.s3
def test_an_export_with_media_in_a_bucket_is_streamed_and_stores_nothing(
    member_client, team, workspace, bucket, settings
):
    from core.tests.s3 import media_root_files

    folder, opening, closing = workspace
    response = member_client.get(
        _url(team, "recordings_project_export", project_id=folder.project.pk)
    )
    assert response.status_code == 200 and response.streaming
    assert len([n for n in _unzipped(response).namelist() if n.endswith(".wav")]) == 5
    selection = _bulk(member_client, folder, "export", [opening.pk, closing.pk])
    assert selection.status_code == 200 and selection.streaming
    body = b"".join(selection.streaming_content)
    assert MANIFEST in zipfile.ZipFile(io.BytesIO(body)).namelist()
    # Made as it is sent: nothing of it is kept, in the bucket or on disk.
    assert bucket.objects() == {} and media_root_files(settings) == []
