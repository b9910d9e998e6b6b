"""A voice sync against a provider server that repeats its pages: the run fails naming
the provider and the page, and no voice is taken for deleted."""

import pytest

from providers.tests.hostile import Exchange, HostileServer
from teams.tests.factories import ProviderAccountFactory
from voices import runs
from voices.models import SyncRun
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db


def same_page_for_any_offset(exchange: Exchange) -> None:
    limit = int(exchange.query.get("limit", 50))
    exchange.json({"list": [{"id": f"v{i}", "name": f"Voice {i}"} for i in range(limit)]})


def test_a_listing_that_repeats_a_page_fails_the_run_and_marks_nothing_gone(team):
    with HostileServer(same_page_for_any_offset) as server:
        account = ProviderAccountFactory(
            team=team, provider="respeecher", base_url=server.url, secret="hostile-key"
        )
        kept = VoiceFactory(team=team, account=account, remote_id="kept-voice")
        run, _ = runs.request_sync(account)

        assert runs.execute(run.pk) == "failed"

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert run.message == (
        "Respeecher sent page 2 of a list again, the same as page 1; "
        "the list was not read to its end."
    )
    kept.refresh_from_db()
    assert kept.gone_at is None
