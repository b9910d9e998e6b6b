"""Finding voices by the words of their names through an index, as a person types.

What a query means, on both databases: each word typed (letters and digits) must begin
a word of the name, in any order; "nar" finds "Narrator", "em nar" finds "Narrator
Emma", and nothing is found in the middle of a word ("nar" does not find "Leonard").
Case does not count for A to Z (on PostgreSQL, for any letter); accents count ("zoe"
does not find "Zoé").

SQLite keeps an FTS5 table of the names (external content: the voices table holds the
text, the FTS table only the index), kept in step by triggers on the voices table, so
the mirror's INSERT ... ON CONFLICT DO UPDATE and any delete update it in the same
statement. PostgreSQL has a GIN index on the names' words (`to_tsvector('simple', name)`)
on the table itself. Both indexes are made by migration 0013.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

FTS_TABLE = "voices_voice_fts"
# A word as SQLite's ascii tokenizer cuts names into words: a run of ASCII letters and
# digits and of any character beyond ASCII. (PostgreSQL's parser cuts further, at
# punctuation beyond ASCII; a word found there is found as well as a prefix.)
WORD = re.compile(r"[A-Za-z0-9\u0080-\U0010ffff]+")
# At most this many words of a query are looked up; more say little and cost more.
MAX_WORDS = 8
# A query matching more names than this (in every team) is common enough
# that walking the catalog in name order meets a page of matches sooner than sorting
# every match: the index then only checks each row the walk reaches.
DENSE = 2000

# Kept in SQLite's FTS5 table by triggers: they fire for the mirror's upsert (its
# DO UPDATE runs the UPDATE triggers), for deletes, and for any save.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS voices_voice_fts_insert AFTER INSERT ON voices_voice
    BEGIN
        INSERT INTO voices_voice_fts(rowid, name) VALUES (new.id, new.name);
    END""",
    """CREATE TRIGGER IF NOT EXISTS voices_voice_fts_delete AFTER DELETE ON voices_voice
    BEGIN
        INSERT INTO voices_voice_fts(voices_voice_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
    END""",
    """CREATE TRIGGER IF NOT EXISTS voices_voice_fts_rename
    AFTER UPDATE OF name ON voices_voice WHEN old.name IS NOT new.name
    BEGIN
        INSERT INTO voices_voice_fts(voices_voice_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
        INSERT INTO voices_voice_fts(rowid, name) VALUES (new.id, new.name);
    END""",
]

# The query of each kind; the index's words only ever come as parameters. PostgreSQL's
# spells the index's expression exactly, or the index is not used.
PG_MATCH = (
    'to_tsvector(\'simple\'::regconfig, "voices_voice"."name") '
    "@@ to_tsquery('simple'::regconfig, %s)"
)
PG_IDS = (
    "SELECT id FROM voices_voice WHERE to_tsvector('simple'::regconfig, name) "
    "@@ to_tsquery('simple'::regconfig, %s) LIMIT %s"
)
SQLITE_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM voices_voice_fts WHERE voices_voice_fts MATCH %s LIMIT %s)"
)
SQLITE_FEW = (
    '"voices_voice"."id" IN (SELECT rowid FROM voices_voice_fts WHERE voices_voice_fts MATCH %s)'
)
SQLITE_GLOB = '("voices_voice"."name" GLOB %s OR "voices_voice"."name" GLOB %s)'


def words(q: str) -> list[str]:
    """The words of a query, the first MAX_WORDS of them."""
    return WORD.findall(q or "")[:MAX_WORDS]


def sqlite_match(found: list[str]) -> str:
    """An FTS5 query: every word as a prefix ("nar"* AND "emm"*). Words are letters and
    digits only, so quoting them is enough to keep FTS5's syntax out."""
    return " AND ".join(f'"{w}"*' for w in found)


def pg_query(found: list[str]) -> str:
    """A tsquery: every word as a prefix ('nar':* & 'emm':*)."""
    return " & ".join(f"'{w}':*" for w in found)


def search_names(queryset, q: str):
    """`queryset` narrowed to the voices whose names hold every word of `q` as a word
    prefix. It stays a narrowing of `queryset`: the index only says which rows match,
    the team and the other filters still come from the queryset it is given."""
    found = words(q)
    if not found:
        # Nothing searchable (only spaces or punctuation): as before, no narrowing.
        return queryset
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        return _pg_search(queryset, connection, found)
    if connection.vendor != "sqlite":
        # No index elsewhere: each word anywhere in the name, as the catalog once did.
        for word in found:
            queryset = queryset.filter(name__icontains=word)
        return queryset
    match = sqlite_match(found)
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_COUNT, [match, DENSE + 1])
        (matches,) = cursor.fetchone()
    if matches <= DENSE:
        # Few: the rows the index names, looked up by key and sorted.
        return queryset.filter(_raw(SQLITE_FEW, match))
    # Many: walk in the page's order, where a page of matches comes soon. GLOB says
    # just what the index does (a word starts at the name's start or after an ASCII
    # character that is not a letter or digit), so either way finds the same voices.
    # LIKE (a substring, cheaper) goes first and lets through a superset of it.
    for word in found:
        queryset = queryset.filter(name__icontains=word)
    for word in found:
        queryset = queryset.filter(_raw(SQLITE_GLOB, *_globs(word)))
    return queryset


# What comes before a word: an ASCII character other than a letter or a digit (the
# ascii tokenizer's separators; every other character belongs to words).
SEPARATOR = "[^A-Za-z0-9\u0080-\U0010ffff]"


def _globs(word: str) -> tuple[str, str]:
    """GLOB patterns for `word` at the start of the name and after a separator, ASCII
    letters in either case (as the ascii tokenizer folds them)."""
    letters = "".join(
        f"[{c.lower()}{c.upper()}]" if c.isascii() and c.isalpha() else c for c in word
    )
    return f"{letters}*", f"*{SEPARATOR}{letters}*"


def _pg_search(queryset, connection, found: list[str]):
    """PostgreSQL's planner, left to itself, walks a team's catalog in name order testing
    every row's words when it expects many matches, which takes half a second when the
    matches sit late in the alphabet. So, as on SQLite: the index names the few rows that
    match, or, when there are many, the walk tests a cheap superset (ILIKE) first."""
    query = pg_query(found)
    with connection.cursor() as cursor:
        cursor.execute(PG_IDS, [query, DENSE + 1])
        ids = [pk for (pk,) in cursor.fetchall()]
    if len(ids) <= DENSE:
        return queryset.filter(pk__in=ids)
    for word in found:
        queryset = queryset.filter(name__icontains=word)
    return queryset.filter(_raw(PG_MATCH, query))


def _raw(sql: str, *params: str) -> RawSQL:
    # The SQL is one of this module's constants; the words come only as parameters.
    return RawSQL(sql, list(params), output_field=BooleanField())  # noqa: S611


# What SQLite's planner is told of the voices table (sqlite_stat1), whatever its size
# now: a million voices, 10,000 a team or an account. Without figures it takes an
# equality on an index to find 10 rows, so it walks a team's whole catalog in name order
# rather than look up the few rows the name index found (10 ms at 100,000 voices for a
# search that finds nothing). Planning as for a large catalog costs a small one nothing.
# A real ANALYZE replaces these figures.
PLANNED_ROWS = 1_000_000
PLANNED_PER = {"team_id": 10_000, "account_id": 10_000}


def plan_as_large(cursor) -> None:
    """Write the voices table's planned figures into sqlite_stat1, one row an index."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'voices_voice'"
    )
    indexes = [name for (name,) in cursor.fetchall()]
    cursor.execute("ANALYZE sqlite_schema")  # makes sqlite_stat1 if there is none
    cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'voices_voice'")
    for index in indexes:
        cursor.execute(f'PRAGMA index_info("{index}")')
        columns = [row[2] for row in cursor.fetchall()]
        figures = [PLANNED_ROWS]
        for column in columns:
            figures.append(min(figures[-1], PLANNED_PER.get(column, 1)))
        cursor.execute(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('voices_voice', %s, %s)",
            [index, " ".join(map(str, figures))],
        )
    cursor.execute("ANALYZE sqlite_schema")  # read the figures again


def restore_sqlite_upkeep(using: str = "default") -> None:
    """Put back what a SQLite table rebuild dropped: the triggers and the planner's
    figures. Django alters a SQLite table by copying it into a new one (ids kept, so the
    index still fits the rows), which loses the old table's triggers and statistics;
    this runs after every migrate."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
        )
        if cursor.fetchone() is None:
            return  # not migrated that far (or migrated back)
        for sql in SQLITE_TRIGGERS:
            cursor.execute(sql)
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is not None:
            cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'voices_voice'")
            if cursor.fetchone() is not None:
                return
        plan_as_large(cursor)
