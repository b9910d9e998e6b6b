"""Voices of a text-to-speech list, stored before the list had its own column."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from teams.tests.factories import ProviderAccountFactory
from voices.models import Voice

BEFORE = [("voices", "0007_quality_bands_in_per_cent")]
AFTER = [("voices", "0008_voice_tts_list")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_prefixed_voice_keeps_its_list_and_loses_its_prefix():
    account = ProviderAccountFactory(provider="a2e")
    old = _migrate(BEFORE).get_model("voices", "Voice")
    now = timezone.now()
    common = dict(
        team_id=account.team_id, account_id=account.pk, provider="a2e", name="Ann",
        can_speak=True, status="completed", fingerprint="0" * 32, first_seen_at=now,
        synced_at=now,
    )  # fmt: skip
    old.objects.create(remote_id="tts:abc", kind="public", **common)
    # A clone whose id happens to be the public voice's, without the prefix.
    old.objects.create(remote_id="abc", kind="clone", **common)
    try:
        _migrate(AFTER)
        # Only the columns that exist at AFTER (sort_key came later).
        then = Voice.objects.only("remote_id", "tts_list", "kind").order_by()
        public = then.get(kind="public")
        clone = then.get(kind="clone")
        assert (public.remote_id, public.tts_list) == ("abc", True)
        assert (clone.remote_id, clone.tts_list) == ("abc", False)
        assert set(then.speakable()) == {public, clone}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_clone_job_gets_its_row_linked_to_the_voice_it_made():
    from jobs.tests.factories import JobFactory
    from voices.models import Clone
    from voices.tests.factories import VoiceFactory

    account = ProviderAccountFactory(provider="a2e")
    voice = VoiceFactory(team=account.team, account=account, remote_id="made-1")
    try:
        _migrate([("voices", "0008_voice_tts_list")])

        def job(kind, status, remote_id=""):
            return JobFactory(
                team=account.team,
                account=account,
                kind=kind,
                status=status,
                remote_id=remote_id,
                params={"name": "Ann"},
            )

        made = job("a2e.voice_clone", "completed", "made-1")
        failed = job("burki.cloned_voice", "failed")
        job("a2e.tts", "completed", "made-1")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert {(c.job_id, c.name, c.voice) for c in Clone.objects.all()} == {
        (made.pk, "Ann", voice),
        (failed.pk, "Ann", None),
    }
