"""Converting takes into voices against the sandbox over real HTTP: the order form and
what it refuses before any call, one job per take and voice, the conversions finishing
into the mirror with our copy of the audio, retries through orders/retry, webhooks, and
the poll's calls growing with folders and pages, not with conversions."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from jobs import engine, results
from jobs.models import Job, Status
from recordings import ordering, sync
from recordings.kinds import RespeecherConversion
from recordings.models import Folder, Order, Recording
from recordings.tests.factories import conversion_jobs_in_flight
from voices.models import Voice
from webhooks.models import Delivery, EventType
from webhooks.tests.factories import EndpointFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def _order_url(folder):
    return reverse("recordings_order", kwargs={"team": folder.team.slug, "folder_id": folder.pk})


def _order(client, world, voices, takes=None, **options):
    data = {"ids": [t.pk for t in takes or world["takes"]], "voices": [v.pk for v in voices]}
    data.update(options)
    return client.post(_order_url(world["folder"]), data)


def _run(job_ids):
    """What the worker would do: send each job, poll until none is in flight, copy results,
    and announce the endings."""
    for pk in job_ids:
        assert engine.submit(pk) == "submitted"
    for _ in range(50):
        Job.objects.filter(pk__in=job_ids, status=Status.PROCESSING).update(
            next_poll_at=timezone.now()
        )
        engine.poll_due()
        if not Job.objects.filter(pk__in=job_ids, status=Status.PROCESSING).exists():
            break
    for pk in job_ids:
        results.fetch_results(pk)
        engine.announce(pk)


def test_ordering_two_takes_into_two_voices_makes_four_conversions(
    member_client, world, requests_log
):
    narrator_a, narrator_b = world["voices"]
    response = _order(
        member_client,
        world,
        [narrator_a, narrator_b],
        **{f"semitones_{narrator_a.pk}": "-2.5", f"label_{narrator_b.pk}": "Warm read"},
    )
    assert response.status_code == 302
    jobs = list(Job.objects.filter(kind=RespeecherConversion.name).order_by("pk"))
    assert len(jobs) == 4
    assert Order.objects.count() == 4
    _run([j.pk for j in jobs])

    orders = [r for r in requests_log() if r["path"].endswith("/api/v2/orders")]
    sent = [json.loads(r["json"]) if isinstance(r["json"], str) else r["json"] for r in orders]
    assert len(sent) == 4
    by_voice = {body["conversions"][0]["voice_id"]: body["conversions"][0] for body in sent}
    # Half steps go through as Respeecher's voice settings take them.
    assert by_voice[narrator_a.remote_id]["semitones_correction"] == -2.5
    assert by_voice[narrator_b.remote_id]["label"] == "Warm read"
    # Uploads are converted with an accent, never a narration style.
    assert all("narration_style_id" not in c for c in by_voice.values())

    for job in Job.objects.filter(pk__in=[j.pk for j in jobs]):
        assert job.status == Status.COMPLETED
        assert job.files.filter(role="audio").exists()  # our copy outlives their links
    conversions = Recording.objects.filter(kind=Recording.Kind.CONVERSION)
    assert conversions.count() == 4
    assert set(conversions.values_list("original_id", flat=True)) == {t.pk for t in world["takes"]}
    assert all(o.conversion_id for o in Order.objects.all())


def test_the_take_page_shows_finished_conversions_once(member_client, world):
    take = world["takes"][0]
    _order(member_client, world, world["voices"][:1], takes=[take])
    job = Job.objects.get(kind=RespeecherConversion.name)
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert f'id="job-{job.pk}"' in page  # in flight: its live row
    _run([job.pk])
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert f'id="job-{job.pk}"' not in page
    assert page.count("<h2>Narrator 000001</h2>") == 1


def test_a_finished_conversion_keeps_its_live_row_until_it_is_mirrored(member_client, world):
    # The conversion is mirrored when the job's end is announced, a task of its own: in
    # between, the take's row must not vanish from a list refreshed on another row's news.
    take = world["takes"][0]
    _order(member_client, world, world["voices"][:1], takes=[take])
    job = Job.objects.get(kind=RespeecherConversion.name)
    folder_page = world["folder"].get_absolute_url()
    _run([job.pk])
    Job.objects.filter(pk=job.pk).update(announced=Status.QUEUED)
    Recording.objects.filter(kind=Recording.Kind.CONVERSION).delete()  # not mirrored yet
    for url in (folder_page, take.get_absolute_url()):
        page = member_client.get(url).content.decode()
        assert f'id="job-{job.pk}"' in page and "pill-completed" in page
    engine.announce(job.pk)
    page = member_client.get(folder_page).content.decode()
    assert f'id="job-{job.pk}"' not in page
    assert page.count('<tr class="conversion">') == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"semitones": "13"}, "Semitones go from -12 to 12 in steps of 0.5"),
        ({"semitones": "-13"}, "Semitones go from -12 to 12 in steps of 0.5"),
        ({"semitones": "2.3"}, "Semitones go from -12 to 12 in steps of 0.5"),
        ({"label": "x" * 41}, "Keep the label to 40 characters or fewer."),
        ({"accent": "not-an-accent"}, "accents"),
    ],
)
def test_a_bad_option_is_refused_with_nothing_sent(
    member_client, world, requests_log, options, message
):
    voice = world["voices"][0]
    data = {f"{name}_{voice.pk}": value for name, value in options.items()}
    response = _order(member_client, world, [voice], **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()
    assert requests_log() == []


def test_an_unknown_voice_is_refused_with_nothing_sent(
    member_client, world, requests_log, other_team
):
    stranger = Voice.objects.exclude(team=world["folder"].team).first()
    response = member_client.post(
        _order_url(world["folder"]),
        {"ids": [world["takes"][0].pk], "voices": ["999999" if stranger is None else stranger.pk]},
    )
    assert response.status_code == 400
    assert "not one of this team&#x27;s Respeecher voices" in response.content.decode()
    assert not Job.objects.exists()
    assert requests_log() == []


def test_no_voice_ticked_is_refused(member_client, world, requests_log):
    response = member_client.post(_order_url(world["folder"]), {"ids": [world["takes"][0].pk]})
    # Without `voices` the form is shown for the chosen takes (the bulk bar opens it so).
    assert response.status_code == 200
    response = member_client.post(
        _order_url(world["folder"]), {"ids": [world["takes"][0].pk], "voices": []}
    )
    assert not Job.objects.exists()
    assert requests_log() == []


def test_a_tts_take_is_converted_with_a_narration_style(member_client, world, control):
    take = world["takes"][0]
    Recording.objects.filter(pk=take.pk).update(tts=True)
    voice = world["voices"][0]
    page = member_client.get(_order_url(world["folder"]), {"ids": [take.pk]}).content.decode()
    assert f'name="style_{voice.pk}"' in page and f'name="accent_{voice.pk}"' not in page
    _order(member_client, world, [voice], takes=[take])
    params = RespeecherConversion.params(Job.objects.get())
    styles = voice.raw["narration_styles"]
    default = next(s for s in styles if s.get("is_default")) if styles else None
    assert params.narration_style_id == (default or styles[0])["id"]
    assert params.accent_id == ""


def test_a_failed_conversion_is_retried_with_orders_retry(
    member_client, world, control, requests_log
):
    take = world["takes"][0]
    control.post("/_sandbox/config", json={"fail_rate": 1.0}).raise_for_status()
    _order(member_client, world, world["voices"][:1], takes=[take])
    first = Job.objects.get()
    _run([first.pk])
    first.refresh_from_db()
    assert first.status == Status.FAILED
    conversion = Recording.objects.get(kind=Recording.Kind.CONVERSION)
    assert conversion.is_failed
    retry_url = reverse(
        "recordings_retry", kwargs={"team": take.team.slug, "recording_id": take.pk}
    )
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert "Retry asks Respeecher to make all of this take's failed conversions again" in page
    assert f'action="{retry_url}"' in page

    control.post("/_sandbox/config", json={"fail_rate": 0.0}).raise_for_status()
    requests_log()
    assert member_client.post(retry_url).status_code == 302
    again = Job.objects.get(retry_of=first)
    _run([again.pk])
    again.refresh_from_db()
    assert again.status == Status.COMPLETED
    assert again.remote_id == first.remote_id  # the same conversion, made again
    paths = [r["path"] for r in requests_log()]
    # As seed 003 documents it: the original's id, never the conversion's.
    retries = [p for p in paths if "/api/v2/orders/retry/" in p]
    assert retries == [f"/respeecher/api/v2/orders/retry/{take.remote_id}"]
    assert not any(p.endswith("/api/v2/orders") for p in paths)
    conversion.refresh_from_db()
    assert conversion.is_completed


def test_conversion_endings_are_announced_to_webhooks(member_client, world, team):
    EndpointFactory(
        team=team,
        event_types=[
            EventType.RECORDING_CONVERSION_COMPLETED,
            EventType.RECORDING_CONVERSION_FAILED,
        ],
    )
    _order(member_client, world, world["voices"][:1], takes=world["takes"][:1])
    job = Job.objects.get()
    _run([job.pk])
    job.refresh_from_db()
    delivery = Delivery.objects.get()
    assert delivery.event_type == "recording.conversion.completed"
    body = json.loads(delivery.body)
    assert body["data"]["conversion"] == job.remote_id
    assert body["data"]["voice"] == "Narrator 000001"
    engine.announce(job.pk)  # said once, however often it is asked
    assert Delivery.objects.count() == 1
    converted = Activity.objects.get(verb="recording.converted")
    assert converted.target_url == Recording.objects.get(remote_id=job.remote_id).get_absolute_url()
    assert Activity.objects.filter(verb="recording.ordered", actor__isnull=False).count() == 1


def test_a_lost_order_answer_is_found_not_ordered_twice(member_client, world, requests_log):
    _order(member_client, world, world["voices"][:1], takes=world["takes"][:1])
    job = Job.objects.get()
    kind = RespeecherConversion()
    from teams.connection import client_for

    client = client_for(job.account)
    made = kind.submit(job, client)  # reached Respeecher, but its answer was lost
    Job.objects.filter(pk=job.pk).update(status=Status.SUBMITTING, attempts=1)
    requests_log()
    assert engine.submit(job.pk) == "submitted"
    job.refresh_from_db()
    assert job.remote_id == made.remote_id
    assert not any(r["path"].endswith("/api/v2/orders") for r in requests_log())


def test_viewers_cannot_order_and_other_teams_takes_are_not_found(
    viewer_client, member_client, world, other_team
):
    folder = world["folder"]
    assert viewer_client.get(_order_url(folder), {"ids": [world["takes"][0].pk]}).status_code == 403
    other = Folder.objects.create(
        team=other_team,
        account=folder.account,
        project=folder.project,
        remote_id="elsewhere",
        name="Theirs",
        fingerprint="0",
    )
    url = reverse("recordings_order", kwargs={"team": folder.team.slug, "folder_id": other.pk})
    assert member_client.get(url, {"ids": [world["takes"][0].pk]}).status_code == 404


def test_takes_of_another_folder_are_not_ordered(member_client, world, requests_log):
    elsewhere = Folder.objects.create(
        team=world["folder"].team,
        account=world["folder"].account,
        project=world["folder"].project,
        remote_id="another-folder",
        name="Another",
        fingerprint="0",
    )
    url = reverse(
        "recordings_order", kwargs={"team": elsewhere.team.slug, "folder_id": elsewhere.pk}
    )
    response = member_client.post(
        url, {"ids": [world["takes"][0].pk], "voices": [world["voices"][0].pk]}
    )
    assert response.status_code == 302
    assert not Job.objects.exists()
    assert requests_log() == []


def _in_flight(account, seed, folders, conversions):
    """`conversions` in flight, spread over `folders` new sandbox folders, each with a
    processing job here."""
    project = seed("respeecher.project", 1)[0]
    for n in range(folders):
        folder = seed("respeecher.folder", 1, project_id=project)[0]
        original = seed("respeecher.recording", 1, folder_id=folder)[0]
        ids = seed(
            "respeecher.recording",
            conversions // folders + (1 if n < conversions % folders else 0),
            folder_id=folder,
            state="processing",
            original_id=original,
        )
        conversion_jobs_in_flight(account, folder_id=folder, original_id=original, remote_ids=ids)


@pytest.mark.parametrize(("conversions", "most"), [(10, 3), (500, 6)])
def test_a_poll_tick_lists_folders_not_conversions(
    respeecher, seed, requests_log, settings, conversions, most
):
    settings.JOBS_TICK_LIMIT = 1000
    _in_flight(respeecher, seed, 3, conversions)
    requests_log()
    stats = engine.poll_due()
    assert stats["jobs"] == conversions
    calls = [r for r in requests_log() if "/api/" in r["path"]]
    assert all(r["path"].endswith("/api/recordings") for r in calls)
    # 10 or 500 conversions: one listing per folder and page of 100, not one per conversion.
    assert len(calls) <= most


def test_place_writes_nothing_when_one_job_cannot_be_written(world, member, monkeypatch):
    calls = {"n": 0}
    real = RespeecherConversion.start.__func__

    def flaky(cls, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real(cls, **kwargs)

    monkeypatch.setattr(RespeecherConversion, "start", classmethod(flaky))
    from recordings.options import Target

    with pytest.raises(RuntimeError):
        ordering.place(world["takes"], [Target(voice=world["voices"][0])], by=member.user)
    assert not Job.objects.exists() and not Order.objects.exists()


def test_the_bulk_bar_opens_the_order_form_for_the_ticked_takes(member_client, world):
    folder = world["folder"]
    page = member_client.get(folder.get_absolute_url()).content.decode()
    assert f'formaction="{_order_url(folder)}"' in page
    # The bar posts the ticked ids without any voice: the form opens for those takes.
    first, second = world["takes"]
    response = member_client.post(_order_url(folder), {"ids": [second.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="ids" value="{second.pk}"' in html
    assert f'name="ids" value="{first.pk}"' not in html
    assert not Job.objects.exists()


def test_an_unavailable_voice_is_not_offered(member_client, world):
    voice = world["voices"][0]
    Voice.objects.filter(pk=voice.pk).update(status="unavailable")
    page = member_client.post(_order_url(world["folder"]), {"ids": [world["takes"][0].pk]})
    html = page.content.decode()
    assert voice.name not in html and world["voices"][1].name in html


def test_a_chosen_calibration_is_applied_not_the_enabled_one(
    member_client, world, respeecher, requests_log
):
    import io

    from jobs.tests.audio import wav
    from recordings.models import Calibration
    from teams.connection import client_for

    made = client_for(respeecher).create_calibration(
        "Studio B", io.BytesIO(wav(2)), filename="b.wav"
    )
    processes_wait = engine.timezone.now() + timezone.timedelta(seconds=10)
    while client_for(respeecher).get_calibration(made.id).state != Status.COMPLETED:
        assert engine.timezone.now() < processes_wait, "the calibration never finished"
    sync.sync_account(respeecher)
    assert Calibration.objects.get(remote_id=made.id).state == Status.COMPLETED
    requests_log()
    voice = world["voices"][0]
    response = _order(member_client, world, [voice], takes=world["takes"][:1], calibration=made.id)
    assert response.status_code == 302
    job = Job.objects.get()
    _run([job.pk])
    (order,) = [r for r in requests_log() if r["path"].endswith("/api/v2/orders")]
    body = json.loads(order["json"]) if isinstance(order["json"], str) else order["json"]
    assert (body["calibration_id"], body["use_calibration"]) == (made.id, True)
    conversion = Recording.objects.get(remote_id=Job.objects.get().remote_id)
    assert conversion.calibration_remote_id == made.id


def test_retrying_a_conversion_made_elsewhere_twice_sends_one_retry(member_client, world, control):
    take = world["takes"][0]
    seeded = control.post(
        "/_sandbox/seed",
        json={
            "kind": "respeecher.recording",
            "count": 1,
            "folder_id": world["folder"].remote_id,
            "state": "error",
            "original_id": take.remote_id,
        },
    ).json()["ids"][0]
    sync.sync_account(take.account, full=True)
    conversion = Recording.objects.get(remote_id=seeded)
    url = reverse("recordings_retry", kwargs={"team": take.team.slug, "recording_id": take.pk})
    member_client.post(url)
    member_client.post(url)  # pressed again while the first retry waits to be sent
    [job] = Job.objects.filter(kind=RespeecherConversion.name)
    assert RespeecherConversion.params(job).retry_conversion_id == (conversion.remote_id)
    control.delete("/_sandbox/requests").raise_for_status()
    _run([job.pk])
    log = control.get("/_sandbox/requests", params={"provider": "respeecher"}).json()
    retries = [r["path"] for r in log["requests"] if "/orders/retry/" in r["path"]]
    assert retries == [f"/respeecher/api/v2/orders/retry/{take.remote_id}"]


def test_retry_remakes_every_failed_conversion_of_the_take_with_one_call(
    member_client, world, control, requests_log
):
    take = world["takes"][0]
    control.post("/_sandbox/config", json={"fail_rate": 1.0}).raise_for_status()
    _order(member_client, world, world["voices"], takes=[take])
    firsts = list(Job.objects.order_by("pk"))
    _run([j.pk for j in firsts])
    assert {j.status for j in Job.objects.all()} == {Status.FAILED}
    page = member_client.get(take.get_absolute_url()).content.decode()
    assert "2 conversions of this take failed." in page
    control.post("/_sandbox/config", json={"fail_rate": 0.0}).raise_for_status()
    requests_log()

    url = reverse("recordings_retry", kwargs={"team": take.team.slug, "recording_id": take.pk})
    answer = member_client.post(url, follow=True)

    assert "Sent 2 failed conversions of this take back to Respeecher" in answer.content.decode()
    again = list(Job.objects.filter(retry_of__in=firsts))
    assert len(again) == 2
    _run([j.pk for j in again])
    assert {j.status for j in Job.objects.filter(pk__in=[j.pk for j in again])} == {
        Status.COMPLETED
    }
    retries = [r["path"] for r in requests_log() if "/orders/retry/" in r["path"]]
    assert retries == [f"/respeecher/api/v2/orders/retry/{take.remote_id}"]
    assert "failed." not in member_client.get(take.get_absolute_url()).content.decode()


def test_retry_with_nothing_failed_says_so_and_sends_nothing(member_client, world, requests_log):
    take = world["takes"][0]
    url = reverse("recordings_retry", kwargs={"team": take.team.slug, "recording_id": take.pk})
    answer = member_client.post(url, follow=True)
    assert "No conversion of this take failed: nothing to retry." in answer.content.decode()
    assert requests_log() == [] and not Job.objects.exists()


def test_an_order_sent_twice_at_once_is_placed_once(member, world, requests_log):
    from jobs.once import new_key
    from jobs.tests.concurrent import twins

    narrator_a, _ = world["voices"]
    data = {"ids": [world["takes"][0].pk], "voices": [narrator_a.pk], "once": new_key()}
    answers = twins(member.user, _order_url(world["folder"]), data)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    jobs = list(Job.objects.filter(kind=RespeecherConversion.name))
    assert len(jobs) == 1 and Order.objects.count() == 1
    _run([jobs[0].pk])
    orders = [r for r in requests_log() if r["path"].endswith("/api/v2/orders")]
    assert len(orders) == 1
