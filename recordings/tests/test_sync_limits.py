"""A workspace sync against a provider server whose list of projects never ends: the run
stops at SYNC_MAX_RECORDS, fails naming the provider and the page, and hides nothing."""

import dataclasses

import pytest

from providers import config
from providers.tests.hostile import Exchange, HostileServer
from recordings import runs
from recordings.models import Project, SyncRun
from recordings.tests.factories import ProjectFactory
from teams.tests.factories import ProviderAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def max_records():
    """SYNC_MAX_RECORDS at 250 for the test (it reaches the clients through configure)."""
    before = config.current_settings()
    yield config.configure(**{**dataclasses.asdict(before), "max_records": 250})
    config.configure(**dataclasses.asdict(before))


def endless_projects(exchange: Exchange) -> None:
    offset, limit = int(exchange.query.get("offset", 0)), int(exchange.query.get("limit", 100))
    projects = [{"id": f"p{n}", "name": f"Project {n}"} for n in range(offset, offset + limit)]
    exchange.json({"list": projects, "pagination": {}})


def test_an_endless_project_list_stops_at_the_record_cap_and_hides_nothing(team, max_records):
    with HostileServer(endless_projects) as server:
        account = ProviderAccountFactory(
            team=team, provider="respeecher", base_url=server.url, secret="hostile-key"
        )
        kept = ProjectFactory(team=team, account=account, remote_id="kept-project")
        run, _ = runs.request_sync(account)

        assert runs.execute(run.pk) == "failed"

    # Pages of 100: the third would pass 250 and is not taken.
    assert len(server.requests) == 3
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert run.message == (
        "Respeecher listed more than 250 records (stopped at page 3); "
        "the list was not read to its end."
    )
    assert Project.objects.get(pk=kept.pk).gone_at is None
    assert not Project.objects.filter(remote_id__startswith="p").exists()
