"""The calibrations page: making one from a recording (a job followed until Respeecher
has processed it), the default or automatic, deleting upstream first, and the order
form sending the calibration chosen."""

import io
import json

import pytest
from django.urls import reverse

from activity.models import Activity, Verb
from jobs.models import InputFile, Job, Status
from jobs.tests.audio import wav
from recordings import sync
from recordings.models import Calibration
from recordings.tests.test_ordering import _order, _order_url, _run

pytestmark = pytest.mark.django_db(transaction=True)


def _url(team, name="recordings_calibrations", **kwargs):
    return reverse(name, kwargs={"team": team.slug, **kwargs})


def _upload(name="take.wav", seconds=2):
    data = io.BytesIO(wav(seconds))
    data.name = name
    return data


def _create(client, team, name="Studio B", audio=None):
    return client.post(
        _url(team, "recordings_calibration_create"),
        {"calibration-name": name, "calibration-audio": audio or _upload()},
    )


def _made(log):
    return [r for r in log if r["method"] == "POST" and r["path"].endswith("/api/calibration")]


def _body(entry) -> dict:
    return json.loads(entry["json"]) if isinstance(entry["json"], str) else entry["json"]


@pytest.fixture
def synced(respeecher):
    sync.sync_account(respeecher)
    return respeecher


def test_a_calibration_is_made_followed_and_listed_ready(member_client, team, synced, requests_log):
    requests_log()
    response = _create(member_client, team)
    assert response.status_code == 302
    job = Job.objects.get()
    _run([job.pk])
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    assert len(_made(requests_log())) == 1
    calibration = Calibration.objects.get(name="Studio B")
    assert calibration.is_ready and calibration.remote_id == job.remote_id
    # The stored recording goes once Respeecher has calibrated from it.
    assert not InputFile.objects.exists()
    page = member_client.get(_url(team)).content.decode()
    row = page[page.index(f'id="calibration-{calibration.pk}"') :]
    assert "Studio B" in row[:600] and "Ready" in row[:600] and "Make default" in row[:900]
    assert Activity.objects.filter(verb=Verb.CALIBRATION_CREATED).exists()


def test_a_failed_calibration_shows_respeechers_reason(member_client, team, synced, control):
    control.post("/_sandbox/config", json={"fail_rate": 1.0}).raise_for_status()
    _create(member_client, team, name="Noisy room")
    job = Job.objects.get()
    _run([job.pk])
    control.post("/_sandbox/config", json={"fail_rate": 0.0}).raise_for_status()
    job.refresh_from_db()
    assert job.status == Status.FAILED
    calibration = Calibration.objects.get(name="Noisy room")
    assert calibration.is_failed
    page = member_client.get(_url(team)).content.decode()
    row = page[page.index(f'id="calibration-{calibration.pk}"') :][:800]
    assert "Failed:" in row and "Calibration failed (sandbox fail rate)" in row
    assert "Make default" not in row


@pytest.mark.parametrize(
    ("name", "audio", "message"),
    [
        ("", None, "Give the calibration a name."),
        ("   ", None, "Give the calibration a name."),
        ("x" * 41, None, "Keep the name to 40 characters or fewer."),
        (
            "Booth",
            io.BytesIO(b"not audio at all"),
            "notes.wav is not wav or ogg or mp3 or flac audio",
        ),
    ],
)
def test_bad_input_is_refused_with_nothing_sent_or_stored(
    member_client, team, synced, requests_log, name, audio, message
):
    if audio is not None:
        audio.name = "notes.wav"
    requests_log()
    response = _create(member_client, team, name=name, audio=audio)
    assert response.status_code == 400
    assert message in response.content.decode(), response.content.decode()[-3000:].split(
        "New calibration"
    )[-1]
    assert not Job.objects.exists() and not InputFile.objects.exists()
    assert requests_log() == []


def test_a_name_already_used_is_refused_before_respeecher_is_asked(
    member_client, team, synced, requests_log
):
    seeded = Calibration.objects.get()  # the sandbox's seed calibration, "string"
    requests_log()
    response = _create(member_client, team, name=seeded.name)
    assert response.status_code == 400
    assert "A calibration is already called “string”" in response.content.decode()
    assert requests_log() == [] and not Job.objects.exists()


def test_enable_then_auto_say_so_on_the_page_and_upstream(
    member_client, team, synced, requests_log
):
    _create(member_client, team)
    _run([Job.objects.get().pk])
    made = Calibration.objects.get(name="Studio B")
    page = member_client.get(_url(team)).content.decode()
    assert "Conversions use <strong>“string”</strong>, the default" in page  # the seed's
    requests_log()
    member_client.post(_url(team, "recordings_calibration_enable", calibration_id=made.pk))
    assert [r["path"] for r in requests_log() if r["method"] == "PUT"] == [
        f"/respeecher/api/calibration/{made.remote_id}/enable"
    ]
    made.refresh_from_db()
    assert made.enabled and not Calibration.objects.exclude(pk=made.pk).filter(enabled=True)
    page = member_client.get(_url(team)).content.decode()
    assert "Conversions use <strong>“Studio B”</strong>, the default" in page
    member_client.post(_url(team, "recordings_calibration_auto"))
    assert any(r["path"] == "/respeecher/api/calibration/auto" for r in requests_log())
    assert not Calibration.objects.filter(enabled=True).exists()
    page = member_client.get(_url(team)).content.decode()
    assert "calibrated <strong>automatically</strong>" in page
    assert "Switch to automatic" not in page


def test_delete_asks_first_then_deletes_upstream_before_here(
    member_client, team, synced, requests_log
):
    calibration = Calibration.objects.get()
    url = _url(team, "recordings_calibration_delete", calibration_id=calibration.pk)
    confirm = member_client.get(url).content.decode()
    assert "Delete the calibration “string”?" in confirm and "It is the default now" in confirm
    assert Calibration.objects.filter(pk=calibration.pk).exists()
    requests_log()
    member_client.post(url)
    assert [(r["method"], r["path"]) for r in requests_log()] == [
        ("DELETE", f"/respeecher/api/calibration/{calibration.remote_id}")
    ]
    assert not Calibration.objects.exists()


def test_a_refused_delete_keeps_the_calibration_here(member_client, team, synced, control):
    calibration = Calibration.objects.get()
    control.post(
        "/_sandbox/faults",
        json={
            "path": f"/respeecher/api/calibration/{calibration.remote_id}",
            "method": "DELETE",
            "status": {"500": 1},
        },
    ).raise_for_status()
    response = member_client.post(
        _url(team, "recordings_calibration_delete", calibration_id=calibration.pk), follow=True
    )
    assert "did not delete “string”" in response.content.decode()
    assert Calibration.objects.filter(pk=calibration.pk).exists()


def test_viewers_see_but_cannot_change_and_other_teams_get_404(
    viewer_client, client, team, other_team, synced
):
    from teams.tests.factories import MembershipFactory

    calibration = Calibration.objects.get()
    page = viewer_client.get(_url(team))
    assert page.status_code == 200 and "string" in page.content.decode()
    assert "Make default" not in page.content.decode() and "New calibration" not in (
        page.content.decode()
    )
    enable = _url(team, "recordings_calibration_enable", calibration_id=calibration.pk)
    assert viewer_client.post(enable).status_code == 403
    assert client.get(_url(team)).status_code == 302  # anonymous: to the login
    stranger = MembershipFactory(team=other_team, role="owner").user
    client.force_login(stranger)
    delete = _url(team, "recordings_calibration_delete", calibration_id=calibration.pk)
    assert client.get(delete).status_code == 404
    theirs = _url(other_team, "recordings_calibration_delete", calibration_id=calibration.pk)
    assert client.get(theirs).status_code == 404
    assert Calibration.objects.filter(pk=calibration.pk).exists()


def _order_bodies(log):
    return [_body(r) for r in log if r["path"].endswith("/api/v2/orders")]


def test_an_order_sends_the_default_or_the_named_calibration(member_client, world, requests_log):
    team = world["folder"].team
    _create(member_client, team, name="Studio B")
    _run([Job.objects.get().pk])
    made = Calibration.objects.get(name="Studio B")
    take, voice = world["takes"][0], world["voices"][0]
    form = member_client.post(_order_url(world["folder"]), {"ids": [take.pk]}).content.decode()
    assert "The account&#x27;s default: “string”" in form, form.split("Calibration")[-1][:1500]
    assert "“Studio B”" in form
    requests_log()
    _order(member_client, world, [voice], takes=[take])
    _order(member_client, world, [voice], takes=[take], calibration=made.remote_id)
    _run(
        list(
            Job.objects.filter(recording_order__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )
    default, named = _order_bodies(requests_log())
    assert default["use_calibration"] is False and "calibration_id" not in default
    assert (named["calibration_id"], named["use_calibration"]) == (made.remote_id, True)


def test_with_no_default_the_order_form_says_automatic(member_client, world):
    from teams.connection import client_for

    client_for(world["folder"].account).use_auto_calibration()
    sync.sync_account(world["folder"].account)
    take = world["takes"][0]
    form = member_client.post(_order_url(world["folder"]), {"ids": [take.pk]}).content.decode()
    assert "Automatic, the account&#x27;s default" in form


def _from_take(client, take, name):
    url = reverse(
        "recordings_calibration_from_take",
        kwargs={"team": take.team.slug, "recording_id": take.pk},
    )
    return client.post(url, {"calibration-name": name}, follow=True)


def _uploaded_take(folder):
    """A take with real audio at Respeecher (seeded ones have none), mirrored here."""
    import time

    from recordings.models import Recording
    from teams.connection import client_for

    client = client_for(folder.account)
    made = client.upload_recording(folder.remote_id, io.BytesIO(wav(2)), filename="maria.wav")
    deadline = time.monotonic() + 10
    while not client.get_recording(made.id).url:
        assert time.monotonic() < deadline, "the upload never had audio"
        time.sleep(0.05)
    sync.sync_account(folder.account, full=True)
    return Recording.objects.get(remote_id=made.id)


def test_a_take_is_calibrated_from_with_its_own_audio(member_client, world, requests_log):
    take = _uploaded_take(world["folder"])
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert "Calibrate from this take" in page
    response = _from_take(member_client, take, "Maria, booth 2")
    assert "Calibrating “Maria, booth 2” from this take" in response.content.decode()
    job = Job.objects.get()
    _run([job.pk])
    job.refresh_from_db()
    assert job.status == Status.COMPLETED
    log = requests_log()
    assert len(_made(log)) == 1
    calibration = Calibration.objects.get(name="Maria, booth 2")
    assert calibration.is_ready
    # What Respeecher calibrated from is the take's own audio, read from it first.
    paths = [(r["method"], r["path"]) for r in log]
    asked = paths.index(("GET", f"/respeecher/api/recordings/{take.remote_id}"))
    made = paths.index(("POST", "/respeecher/api/calibration"))
    assert asked < made and any(m == "GET" for m, _ in paths[asked + 1 : made])


def test_a_take_calibration_without_a_name_sends_nothing(member_client, world, requests_log):
    take = world["takes"][0]
    requests_log()
    response = _from_take(member_client, take, "  ")
    assert "Nothing was sent: Give the calibration a name." in response.content.decode()
    assert not Job.objects.exists() and requests_log() == []


def test_another_teams_take_cannot_be_calibrated_from(client, world, other_team):
    from teams.tests.factories import MembershipFactory

    client.force_login(MembershipFactory(team=other_team, role="owner").user)
    take = world["takes"][0]
    url = reverse(
        "recordings_calibration_from_take",
        kwargs={"team": other_team.slug, "recording_id": take.pk},
    )
    assert client.post(url, {"calibration-name": "Mine now"}).status_code == 404
    assert not Job.objects.exists()
