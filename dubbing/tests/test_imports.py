"""Importing A2E's dubbing records is a run people can watch on the dubbing list: two
clicks make one import, the list shows it going and how it ended, and another team's
import is not there to see."""

import pytest
from django.urls import reverse

from dubbing import imports
from dubbing.models import Dubbing, ImportRun
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db


def _url(team, name="dubbing", **kw):
    return reverse(name, kwargs={"team": team.slug, **kw})


def test_two_clicks_make_one_import_and_the_list_shows_it_going(
    member_client, team, a2e, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(imports.RUNS, "enqueue", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        first = member_client.post(_url(team, "dubbing_import"), HTTP_HX_REQUEST="true")
        second = member_client.post(_url(team, "dubbing_import"), HTTP_HX_REQUEST="true")
    run = ImportRun.objects.get()
    assert sent == [run.pk]
    for response in (first, second):
        page = response.content.decode()
        assert "Importing from A2E" in page and "?live=1" in page
    listing = member_client.get(_url(team)).content.decode()
    assert "Importing from A2E" in listing


def test_a_finished_import_says_what_came_in_and_stops_asking(member_client, team, a2e, control):
    control.post(
        "/_sandbox/seed", json={"kind": "a2e.dubbing", "count": 3, "status": "completed"}
    ).raise_for_status()
    run, _ = imports.request_import(a2e)
    assert imports.execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.created == Dubbing.objects.filter(team=team, imported=True).count() >= 3
    response = member_client.get(_url(team, "dubbing_import_status", import_id=run.pk) + "?live=1")
    page = response.content.decode()
    assert f"{run.created} new" in page and "Show them" in page and "?live=1" not in page
    assert f"Imported {run.created} new dubbing records from A2E" in response["HX-Trigger"]
    again, _ = imports.request_import(a2e)
    imports.execute(again.pk)
    again.refresh_from_db()
    assert (again.fetched, again.created) == (run.fetched, 0)


def test_a_failed_import_says_so_on_the_list(member_client, team, a2e, control):
    control.post(
        "/_sandbox/faults", json={"path": "/a2e/*", "status": {"503": 1}}
    ).raise_for_status()
    run, _ = imports.request_import(a2e)
    assert imports.execute(run.pk) == "failed"
    page = member_client.get(_url(team)).content.decode()
    assert "last import failed" in page and "Import from A2E" in page


def test_another_teams_import_is_not_found(member_client, team, other_team):
    account = ProviderAccountFactory(team=other_team, provider="a2e")
    run = ImportRun.objects.create(team=other_team, account=account)
    response = member_client.get(_url(team, "dubbing_import_status", import_id=run.pk))
    assert response.status_code == 404


def test_an_import_message_sent_before_runs_existed_asks_for_one(
    team, a2e, django_capture_on_commit_callbacks, monkeypatch
):
    from dubbing.tasks import import_account

    sent = []
    monkeypatch.setattr(imports.RUNS, "enqueue", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_account(a2e.pk) == "requested"
        assert import_account(a2e.pk) == "already running"
    run = ImportRun.objects.get()
    assert sent == [run.pk] and run.account == a2e
