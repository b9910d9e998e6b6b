"""The mirror engine, proved once: what a pass writes, what it leaves alone, and what it
retires. Its subjects are real mirrored models (a Respeecher calibration; a catalog
voice, whose key is two columns), so what is proved here is what the domains get."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.mirror import Mirror, Tally
from recordings.models import Calibration
from teams.tests.factories import ProviderAccountFactory
from voices.models import Voice

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(team):
    return ProviderAccountFactory(team=team, provider="respeecher")


def _calibrations(account, *, forget=True):
    return Mirror(
        Calibration,
        Calibration.objects.filter(account=account),
        constants={"team_id": account.team_id, "account": account},
        unique=("team", "account", "remote_id"),
        forget=forget,
    )


def _record(n, **changes):
    raw = {"id": f"cal-{n}", "steps": [n, None], "ok": True}
    return {
        "remote_id": f"cal-{n}",
        "name": f"Calibration {n}",
        "f0": 100.0 + n,
        "raw": raw,
        **changes,
    }


def _pass(mirror, records, now=None):
    tally = Tally(fetched=len(records))
    mirror.sync(records, now or timezone.now(), tally)
    return tally


def _writes(queries) -> list[str]:
    """The statements that wrote; one sent for many rows is logged "N times: INSERT"."""
    sent = [q["sql"].split(" times: ", 1)[-1] for q in queries.captured_queries]
    return [sql for sql in sent if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_a_first_pass_creates_every_row_in_bulk(account):
    mirror = _calibrations(account)
    with CaptureQueriesContext(connection) as queries:
        tally = _pass(mirror, [_record(n) for n in range(2500)])
    assert (tally.created, tally.updated, tally.gone) == (2500, 0, 0)
    assert Calibration.objects.filter(account=account).count() == 2500
    # The provider's payload is kept as it was given, JSON and all.
    assert Calibration.objects.get(remote_id="cal-7").raw == _record(7)["raw"]
    # In batches of a thousand, not one statement per row.
    assert len(_writes(queries)) == 3


def test_a_pass_with_nothing_changed_writes_nothing(account):
    mirror = _calibrations(account)
    records = [_record(n) for n in range(20)]
    _pass(mirror, [dict(r) for r in records])
    with CaptureQueriesContext(connection) as queries:
        tally = _pass(mirror, [dict(r) for r in records])
    assert _writes(queries) == []
    assert (tally.created, tally.updated, tally.unchanged, tally.changed) == (0, 0, 20, False)


def test_only_the_changed_record_is_written(account):
    mirror = _calibrations(account)
    _pass(mirror, [_record(n) for n in range(5)])
    with CaptureQueriesContext(connection) as queries:
        tally = _pass(
            mirror, [_record(n, name="Renamed") if n == 3 else _record(n) for n in range(5)]
        )
    assert (tally.created, tally.updated) == (0, 1)
    assert len(_writes(queries)) == 1
    names = dict(Calibration.objects.values_list("remote_id", "name"))
    assert names["cal-3"] == "Renamed" and names["cal-2"] == "Calibration 2"


def test_what_is_no_longer_listed_is_hidden_then_forgotten(account):
    mirror = _calibrations(account)
    _pass(mirror, [_record(1), _record(2)])
    hidden = _pass(mirror, [_record(1)])
    assert (hidden.gone, hidden.deleted) == (1, 0)
    assert Calibration.objects.get(remote_id="cal-2").gone_at is not None
    forgotten = _pass(mirror, [_record(1)])
    assert (forgotten.gone, forgotten.deleted) == (0, 1)
    assert not Calibration.objects.filter(remote_id="cal-2").exists()


def test_without_forget_a_missing_row_stays_hidden_and_comes_back(account):
    mirror = _calibrations(account, forget=False)
    _pass(mirror, [_record(1), _record(2)])
    _pass(mirror, [_record(1)])
    again = _pass(mirror, [_record(1)])
    assert again.deleted == 0 and Calibration.objects.get(remote_id="cal-2").gone_at is not None
    back = _pass(mirror, [_record(1), _record(2)])
    assert back.updated == 1 and Calibration.objects.get(remote_id="cal-2").gone_at is None


def test_a_row_written_after_the_listing_began_is_neither_overwritten_nor_hidden(account):
    mirror = _calibrations(account)
    _pass(mirror, [_record(1), _record(2)])
    listing_began = timezone.now()
    # While the pass was listing, an answer from the provider was saved: fresher.
    mirror.save_one(_record(1, name="Enabled here"), now=listing_began + timedelta(seconds=1))
    mirror.save_one(_record(3), now=listing_began + timedelta(seconds=1))
    tally = _pass(mirror, [_record(1), _record(2)], now=listing_began)
    assert tally.updated == 0 and tally.gone == 0
    rows = {c.remote_id: c for c in Calibration.objects.all()}
    assert rows["cal-1"].name == "Enabled here" and rows["cal-3"].gone_at is None


def test_save_one_is_fingerprinted_as_a_pass_would(account):
    mirror = _calibrations(account)
    saved, created = mirror.save_one(_record(7))
    assert created and saved.name == "Calibration 7"
    again, created_again = mirror.save_one(_record(7))
    assert again.pk == saved.pk and not created_again
    with CaptureQueriesContext(connection) as queries:
        tally = _pass(mirror, [_record(7)], now=timezone.now() + timedelta(seconds=1))
    assert _writes(queries) == [] and tally.unchanged == 1


def test_over_long_text_is_cut_to_its_column_and_an_over_long_id_is_skipped(account):
    mirror = _calibrations(account)
    width = Calibration._meta.get_field("name").max_length
    id_width = Calibration._meta.get_field("remote_id").max_length
    tally = _pass(mirror, [_record(1, name="n" * (width + 50)), _record(2, remote_id="x" * 500)])
    assert tally.created == 1
    assert Calibration.objects.get().name == "n" * width
    assert not Calibration.objects.filter(remote_id__startswith="x" * id_width).exists()


def test_a_key_of_two_columns_keeps_two_records_with_one_id_apart(team):
    account = ProviderAccountFactory(team=team, provider="a2e")
    voices = Mirror(
        Voice,
        Voice.objects.filter(account=account),
        constants={"team_id": team.pk, "account": account, "provider": "a2e"},
        unique=("team", "provider", "tts_list", "remote_id"),
        key=("tts_list", "remote_id"),
        whole=("sample_url",),
    )
    clone = {"remote_id": "v1", "name": "My clone", "sample_url": "https://x/" + "a" * 3000}
    public = {"remote_id": "v1", "tts_list": True, "name": "Public v1"}
    tally = _pass(voices, [clone, public])
    assert tally.created == 2
    rows = {v.tts_list: v for v in Voice.objects.filter(account=account)}
    assert rows[False].name == "My clone" and rows[True].name == "Public v1"
    # A cut link would point nowhere: it is dropped whole.
    assert rows[False].sample_url == ""
    gone = _pass(voices, [dict(clone)])
    assert gone.gone == 1 and Voice.objects.get(tts_list=True).gone_at is not None


def test_links_are_written_only_where_they_differ(account):
    from recordings.models import Folder
    from recordings.tests.factories import ProjectFactory

    project = ProjectFactory(team=account.team, account=account)
    mirror = Mirror(
        Folder,
        Folder.objects.filter(account=account, project=project),
        constants={"team_id": account.team_id, "account": account},
        unique=("team", "account", "remote_id"),
        link="parent",
    )
    records = [
        {"remote_id": rid, "project_id": project.pk, "name": rid} for rid in ("top", "a", "b")
    ]
    rows = mirror.sync(records, timezone.now(), Tally())
    mirror.link_to(rows, {"a": "top", "b": "top"}, rows)
    parents = dict(Folder.objects.values_list("remote_id", "parent__remote_id"))
    assert parents == {"top": None, "a": "top", "b": "top"}
    rows = mirror.rows()
    with CaptureQueriesContext(connection) as queries:
        mirror.link_to(rows, {"a": "top", "b": ""}, rows)
    assert len(_writes(queries)) == 1
    assert Folder.objects.get(remote_id="b").parent is None


def test_a_listing_that_fails_part_way_writes_and_retires_nothing(account):
    from providers import Unavailable

    mirror = _calibrations(account)
    _pass(mirror, [_record(n) for n in range(3)])
    before = list(Calibration.objects.order_by("pk").values_list("name", "gone_at"))

    def listing():
        yield _record(0, name="Renamed")
        raise Unavailable("Respeecher")

    with pytest.raises(Unavailable):
        mirror.sync(listing(), timezone.now(), Tally())
    after = list(Calibration.objects.order_by("pk").values_list("name", "gone_at"))
    assert after == before
