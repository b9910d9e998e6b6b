"""Searching the catalog as a person types: word prefixes through the name index (FTS5 on
SQLite, a GIN index on PostgreSQL), kept current by the mirror's upsert, behind the wall."""

import re
from html import escape

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from core.mirror import Tally
from teams.tests.factories import ProviderAccountFactory
from voices import search, sync
from voices.models import Kind, Voice
from voices.tests.factories import VoiceFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Narrator Emma",
    "Emma Host",
    "Leonard Deep",
    "Emma-Rose (British) narrator",
    "Zoé Warm",
    "O'Neil Storyteller",
    "Voice 42 calm",
    "Élise Gentle",
]


def _url(team, q):
    return reverse("voices", kwargs={"team": team.slug}) + "?" + f"q={q}"


def _found(client, team, q) -> set[str]:
    """The names the catalog page lists for a search."""
    body = client.get(_url(team, q)).content.decode()
    known = NAMES + ["Renamed Aurora", "Their Narrator"]
    return {name for name in known if f">{escape(name)}</a>" in body}


@pytest.fixture
def catalog(team):
    account = ProviderAccountFactory(team=team, provider="a2e")
    return [VoiceFactory(team=team, account=account, name=name) for name in NAMES]


def test_a_few_letters_find_the_names_with_a_word_starting_so(owner_client, team, catalog):
    assert _found(owner_client, team, "nar") == {
        "Narrator Emma",
        "Emma-Rose (British) narrator",
    }
    assert _found(owner_client, team, "NAR") == _found(owner_client, team, "nar")
    assert _found(owner_client, team, "ros") == {"Emma-Rose (British) narrator"}
    assert _found(owner_client, team, "brit") == {"Emma-Rose (British) narrator"}
    assert _found(owner_client, team, "o") == {"O'Neil Storyteller"}
    assert _found(owner_client, team, "4") == {"Voice 42 calm"}
    assert _found(owner_client, team, "zo") == {"Zoé Warm"}


def test_a_letter_inside_a_word_does_not_find_it(owner_client, team, catalog):
    # "nar" is inside "Leonard": words are found from their start, as a person types them.
    assert "Leonard Deep" not in _found(owner_client, team, "nar")
    assert _found(owner_client, team, "ard") == set()


def test_several_words_each_begin_a_word_in_any_order(owner_client, team, catalog):
    assert _found(owner_client, team, "em nar") == {
        "Narrator Emma",
        "Emma-Rose (British) narrator",
    }
    assert _found(owner_client, team, "narr  emma,") == _found(owner_client, team, "em nar")
    assert _found(owner_client, team, "emma host") == {"Emma Host"}
    assert _found(owner_client, team, "emma deep") == set()


def test_a_search_that_finds_nothing_says_so(owner_client, team, catalog):
    body = owner_client.get(_url(team, "qwzx")).content.decode()
    assert "No voices match these filters." in body
    assert not any(f">{escape(name)}</a>" in body for name in NAMES)


def test_punctuation_alone_narrows_nothing(owner_client, team, catalog):
    assert _found(owner_client, team, "%20-%20") == set(NAMES)


def test_word_prefixes_find_what_icontains_found(team, catalog):
    # Where a query begins words and sits inside none, the set is the one `icontains`
    # (the catalog's search before the index) gave.
    listed = Voice.objects.for_team(team).listed()
    for q in ["em", "emma", "narrator", "host", "deep", "zoé", "voice 4", "42", "o'neil", "warm"]:
        assert set(listed.search(q)) == set(listed.filter(name__icontains=q)), q


def test_another_teams_voices_are_never_found(owner_client, team, other_team, catalog):
    VoiceFactory(team=other_team, name="Their Narrator")
    assert "Their Narrator" not in _found(owner_client, team, "their")
    assert "Their Narrator" not in _found(owner_client, team, "nar")


def _records(*named):
    return [
        {"remote_id": remote_id, "kind": Kind.PUBLIC, "name": name, "raw": {"id": remote_id}}
        for remote_id, name in named
    ]


def test_sync_keeps_the_index_current(owner_client, team):
    # The mirror's own pass (voices.sync.sync_account's), so the rows are written by its
    # INSERT ... ON CONFLICT DO UPDATE and nothing else.
    account = ProviderAccountFactory(team=team, provider="a2e")
    voices = sync.mirror(account)

    def listing(*named):
        voices.sync(_records(*named), timezone.now(), Tally())

    listing(("v1", "Narrator Emma"), ("v2", "Emma Host"))
    assert _found(owner_client, team, "nar") == {"Narrator Emma"}

    listing(("v1", "Renamed Aurora"), ("v2", "Emma Host"))
    assert _found(owner_client, team, "aur") == {"Renamed Aurora"}
    assert _found(owner_client, team, "nar") == set()

    listing(("v1", "Renamed Aurora"))  # v2 is gone upstream
    assert _found(owner_client, team, "emma") == set()
    assert _found(owner_client, team, "ren") == {"Renamed Aurora"}


def test_a_deleted_voice_leaves_the_index(owner_client, team, catalog):
    catalog[0].delete()
    Voice.objects.filter(name="Emma-Rose (British) narrator").delete()
    assert _found(owner_client, team, "nar") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM voices_voice_fts WHERE voices_voice_fts MATCH %s",
                ['"nar"*'],
            )
            assert cursor.fetchone() == (0,)


def _pages(client, team, q, sort="name") -> list[str]:
    """Every name the catalog lists for a search, page after page, as they come."""
    url = reverse("voices", kwargs={"team": team.slug})
    params, names = {"q": q, "sort": sort}, []
    while True:
        response = client.get(url, params)
        names += [v.name for v in response.context["voices"]]
        if not response.context["page"].next_cursor:
            return names
        params["after"] = response.context["page"].next_cursor


@pytest.fixture
def crowd(team):
    """Names that begin with a few words and hold others later, in two cases, some after
    punctuation: enough for three pages of some searches."""
    account = ProviderAccountFactory(team=team, provider="a2e")
    firsts = ["Ella", "ellis", "Emma", "(Elm)", "Zoé", "Zed", "ant", "Ant", "Bo"]
    laters = ["Elegant", "host", "el-Paso", "Narrator", "zoom", "emmet"]
    names = [f"{first} {laters[i % len(laters)]} {i}" for i, first in enumerate(firsts * 14)]
    return [VoiceFactory(team=team, account=account, name=name) for name in names]


def _key(name):
    return name.lstrip(search.SEPARATORS).translate(search.ASCII_LOWER)


def _expected(names, q, descending=False):
    """What the catalog should list: every name each word of `q` begins a word of, in
    sort_key order (lower case A to Z, leading punctuation left out)."""
    wanted = [w.lower() for w in search.words(q)]

    def matches(name):
        found = [w.lower() for w in search.WORD.findall(name)]
        return all(any(f.startswith(w) for f in found) for w in wanted)

    hits = sorted((n for n in names if matches(n)), key=_key, reverse=descending)
    return [_key(n) for n in hits]


@pytest.mark.parametrize("sorted_at", [0, 10_000])
def test_every_match_is_listed_once_in_name_order_however_it_is_found(
    owner_client, team, crowd, monkeypatch, sorted_at
):
    # The page is made of the names that begin with a word typed and the others, each
    # found by walking the catalog in order (SORTED_AT 0) or sorting what the index
    # names (SORTED_AT large); either way every match comes once, in name order, across
    # pages.
    monkeypatch.setattr(search, "SORTED_AT", {"sqlite": sorted_at, "postgresql": sorted_at})
    monkeypatch.setattr(search, "SORTED_AT_LEAST", 0)
    names = [v.name for v in crowd]
    listed = Voice.objects.for_team(team).listed()
    for q in ["el", "e", "em", "zo", "zoé", "ant", "el h", "h el", "emma el", "z", "elm", "qq"]:
        for sort, descending in (("name", False), ("-name", True)):
            got = _pages(owner_client, team, q, sort)
            assert [_key(n) for n in got] == _expected(names, q, descending), (q, sort)
            assert len(got) == len(set(got)), (q, sort)
        # Other orders find the same voices.
        assert sorted(_pages(owner_client, team, q, "newest")) == sorted(
            v.name for v in listed.search(q)
        ), q


def test_names_are_listed_without_case_and_leading_punctuation(owner_client, team):
    account = ProviderAccountFactory(team=team, provider="a2e")
    for name in ["bravo", "Alpha", "(Charlie)", "  delta", "Echo"]:
        VoiceFactory(team=team, account=account, name=name)
    body = owner_client.get(reverse("voices", kwargs={"team": team.slug})).content.decode()
    shown = [
        n
        for n in re.findall(r">([^<>]+)</a>", body)
        if n.strip() in {"bravo", "Alpha", "(Charlie)", "delta", "Echo"}
    ]
    assert [n.strip() for n in shown] == ["Alpha", "bravo", "(Charlie)", "delta", "Echo"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers and statistics")
def test_migrate_puts_back_what_a_table_rebuild_drops(team, catalog):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER voices_voice_fts_rename")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'voices_voice'")
    search.restore_sqlite_upkeep()
    Voice.objects.filter(pk=catalog[0].pk).update(name="Renamed Aurora")
    listed = Voice.objects.for_team(team).listed()
    assert [v.name for v in listed.search("aur")] == ["Renamed Aurora"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'voices_voice'")
        assert cursor.fetchone()[0] >= 2


@pytest.mark.django_db(transaction=True)
def test_the_index_migration_goes_back_and_forth(team):
    account = ProviderAccountFactory(team=team, provider="a2e")
    VoiceFactory(team=team, account=account, name="Narrator Emma")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("voices", "0012_clone_burki_sample")])
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert "voices_voice_fts" not in tables
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    # Voices already there are indexed when it comes back.
    listed = Voice.objects.for_team(team).listed()
    assert [v.name for v in listed.search("narr")] == ["Narrator Emma"]


def test_words_are_what_the_index_cuts_names_into():
    assert search.words("  Em-ma, O'Neil_x zoé ") == ["Em", "ma", "O", "Neil", "x", "zoé"]
    assert search.words("%_*[") == []
    assert re.fullmatch(r"[^*?\[\]\"']+", "".join(search.words("a*b?c[d]\"e'f")))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner figures")
def test_a_large_sync_gives_postgresql_the_catalogs_figures_at_once(team, monkeypatch):
    # Autovacuum would read them in a minute or more; until then PostgreSQL guesses how
    # many names a typed prefix finds from an empty table (and searches sort too many).
    monkeypatch.setattr(search, "ANALYZE_AFTER_ROWS", 30)
    account = ProviderAccountFactory(team=team, provider="a2e")
    few = [(f"v{n}", f"Narrator {n}") for n in range(10)]
    monkeypatch.setattr(sync, "RECORDS", {"a2e": lambda *_a, **_k: iter(_records(*few))})
    sync.sync_account(account)
    assert _reltuples() != Voice.objects.count()  # 10 written: below the bar, not read
    many = [(f"v{n}", f"Narrator {n}") for n in range(40)]
    monkeypatch.setattr(sync, "RECORDS", {"a2e": lambda *_a, **_k: iter(_records(*many))})
    sync.sync_account(account)
    assert _reltuples() == Voice.objects.count() == 40


def _reltuples() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'voices_voice'::regclass")
        return cursor.fetchone()[0]
