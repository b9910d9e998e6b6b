"""The activity log records people's and the system's actions and filters them."""

import re

from django.urls import reverse

from activity.log import Verb, record
from activity.models import Activity
from jobs import engine
from jobs.models import Status
from jobs.tests.factories import JobFactory


def _page(client, team, **params):
    return client.get(reverse("activity", kwargs={"team": team.slug}), params).content.decode()


def test_connecting_a_provider_is_logged_with_who_did_it(owner_client, owner, team):
    url = reverse("provider_connect", kwargs={"team": team.slug, "provider": "a2e"})
    owner_client.post(url, {"secret": "tok-12345678", "base_url": "https://video.a2e.ai"})
    entry = Activity.objects.for_team(team).get()
    assert (entry.verb, entry.actor, entry.outcome) == ("provider.connected", owner.user, "ok")
    body = _page(owner_client, team)
    assert "Provider connected" in body and owner.user.username in body
    assert "provider.connected" not in body
    assert reverse("providers", kwargs={"team": team.slug}) in body


def test_a_job_ending_is_logged_as_the_systems_doing(owner_client, team):
    job = JobFactory(team=team, status=Status.FAILED, remote_message="source has no audio")
    engine.announce(job.pk)
    verbs = list(Activity.objects.for_team(team).values_list("verb", "outcome", "actor"))
    assert verbs == [("job.failed", "failed", None), ("job.created", "ok", None)]
    assert "source has no audio" in _page(owner_client, team, outcome="failed")


def test_filters_narrow_by_area_person_and_outcome(owner_client, owner, team):
    record(team, "provider.tested", actor=owner.user, label="A2E", outcome="failed")
    record(team, "job.completed", label="Dub 1")
    assert "Dub 1" not in _page(owner_client, team, area="provider")
    assert "A2E" in _page(owner_client, team, area="provider")
    assert "A2E" not in _page(owner_client, team, actor="system")
    assert "Dub 1" in _page(owner_client, team, actor="system")
    assert "Dub 1" not in _page(owner_client, team, outcome="failed")


def _areas_offered(body) -> dict[str, str]:
    """The area filter's choices as the page offers them: {label: value}."""
    select = re.search(r'<select name="area">(.*?)</select>', body, re.S).group(1)
    return {label: value for value, label in re.findall(r'value="([^"]*)"[^>]*>([^<]*)<', select)}


def test_avatar_entries_can_be_picked_out_by_area(owner_client, team):
    record(team, Verb.ROOM_OPENED, label="Lobby room")
    record(team, Verb.JOB_COMPLETED, label="Dub 1")
    offered = _areas_offered(_page(owner_client, team))
    assert "Avatars" in offered
    body = _page(owner_client, team, area=offered["Avatars"])
    assert "Lobby room" in body and "Dub 1" not in body


def test_every_area_offered_has_entries_it_can_show(owner_client, team):
    offered = _areas_offered(_page(owner_client, team))
    areas = [value for value in offered.values() if value]
    assert areas
    for area in areas:
        assert any(verb.startswith(f"{area}.") for verb in Verb.values), area


def test_another_teams_activity_is_never_shown(owner_client, team, other_team):
    record(other_team, "team.renamed", label="Secret project")
    assert "Secret project" not in _page(owner_client, team)


def test_an_htmx_filter_returns_only_the_entries(owner_client, team):
    record(team, "job.completed", label="Dub 1")
    response = owner_client.get(
        reverse("activity", kwargs={"team": team.slug}), {"area": "job"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="entries">')
    assert "Dub 1" in body


def test_the_page_and_its_htmx_entries_say_they_differ_by_the_htmx_header(owner_client, team):
    # Without Vary, a browser's back button or a cache could show the bare entries as
    # the whole page, or the whole page inside the list.
    url = reverse("activity", kwargs={"team": team.slug})
    for headers in ({}, {"HX-Request": "true"}):
        response = owner_client.get(url, {"area": "job"}, headers=headers)
        assert "HX-Request" in response.get("Vary", ""), headers


def test_an_empty_log_says_how_to_fill_it(owner_client, team):
    assert "Nothing has happened yet" in _page(owner_client, team)


def test_a_jobs_entries_say_what_kind_of_job_it_was(owner_client, team):
    job = JobFactory(team=team, kind="a2e.dubbing", status=Status.COMPLETED, label="Teaser")
    engine.announce(job.pk)
    body = _page(owner_client, team)
    assert "Dubbing started" in body and "Dubbing finished" in body
    assert "Job started" not in body


def test_what_happened_on_its_own_says_so_in_words(owner_client, team):
    job = JobFactory(team=team, status=Status.FAILED, label="Trailer (de)")
    engine.announce(job.pk)
    feed = _page(owner_client, team).split('<ol class="feed">')[1].split("</ol>")[0]
    assert "Trailer (de)" in feed and "automatically" in feed
    assert "Voxboard" not in feed and ">failed<" not in feed


def test_a_failure_is_said_once(owner_client, team):
    job = JobFactory(team=team, status=Status.FAILED, label="Trailer (de)")
    engine.announce(job.pk)
    record(team, Verb.TAKE_STARRED, label="Opening line", outcome="failed")
    feed = _page(owner_client, team).split('<ol class="feed">')[1].split("</ol>")[0]
    job_entry, star_entry = (
        next(li for li in feed.split("<li")[1:] if label in li)
        for label in ("Trailer (de)", "Opening line")
    )
    # "Job failed" says it; a refused star needs the word beside it.
    assert "failed" in job_entry and "pill-failed" not in job_entry
    assert 'class="pill pill-failed">Failed<' in star_entry
