"""Finding voices by the words of their names through an index, as a person types.

What a query means, on both databases: each word typed (letters and digits) must begin
a word of the name, in any order; "nar" finds "Narrator", "em nar" finds "Narrator
Emma", and nothing is found in the middle of a word ("nar" does not find "Leonard").
A word of a name is a run of ASCII letters and digits and of characters beyond ASCII;
every other ASCII character parts words. Case does not count for A to Z (on
PostgreSQL, for any letter its lower() folds); accents count ("zoe" does not find "Zoé").

The catalog is ordered by `Voice.sort_key`: the name in lower case without the ASCII
punctuation or spaces it starts with (a generated column), so "(British) Emma" sorts
under B and "emma" beside "Emma".

The indexes: SQLite keeps an FTS5 table of the names (external content, kept in step by
triggers on the voices table, so the mirror's INSERT ... ON CONFLICT DO UPDATE and any
delete update it in the same statement). PostgreSQL has a GIN index on
voice_name_words(sort_key): the words of sort_key, every one but the first after "~".
Both are made by migrations 0013 and 0014.

How a page of matches is found (`page_rows`), ordered by name: the longest word typed
(the anchor) splits them in two, the names that begin with it ("Ella..." for "el") and
the others. The first sit together in name order, one range of `sort_key`, read straight
from the catalog's index. The others spread over the catalog with the names' first
words: if the index holds SORTED_AT or fewer of them they are read and sorted (a few
milliseconds), and if more, they are common enough that walking the catalog in name
order (skipping the range) meets a page of them soon. Other orders (provider, newest)
do the same with one part. The other words typed are tested on the rows read. Without
the split, a prefix such as "el" or "viole" at 1,000,000 voices has tens of thousands of
matches gathered late in the alphabet: walking reads most of the catalog and sorting
reads every match (figures in bench/README.md, search.py).
"""

from __future__ import annotations

import heapq
import json
import math
import re
import time

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "voices_voice_fts"
# A word as SQLite's ascii tokenizer cuts names into words: a run of ASCII letters and
# digits and of any character beyond ASCII.
WORD = re.compile(r"[A-Za-z0-9\u0080-\U0010ffff]+")
# What parts words: every ASCII character but letters and digits (NUL aside, which no
# name holds). sort_key is the name with these trimmed from its start, in lower case.
SEPARATORS = "".join(chr(c) for c in range(1, 128) if not chr(c).isalnum())
# The same, as a class in a GLOB (SQLite) or a regular expression (PostgreSQL).
SEPARATOR = "[^A-Za-z0-9\u0080-\U0010ffff]"
PG_SEPARATOR = "[^A-Za-z0-9\\u0080-\\U0010FFFF]"
# At most this many words of a query are looked up; more say little and cost more.
MAX_WORDS = 8
# A part of a search with no more matches than this (in every team) is sorted; with
# more, the catalog is walked in order. Sorting n matches costs about 1.5 us x n;
# walking, 51 x rows / n rows at 0.3 us each on SQLite and 3 us on PostgreSQL (which
# reads each from the table until VACUUM has marked its pages), the same where n is
# sqrt(100 x rows) on PostgreSQL (bench/README.md, search.py). So PostgreSQL takes that,
# from the table's size as ANALYZE last saw it (3,300 at 110,000 voices, 10,500 at
# 1,100,000), never under SORTED_AT_LEAST; SQLite counts its matches exactly but not
# its rows, and 2,000 served both sizes.
SORTED_AT = {"sqlite": 2000}
SORTED_AT_LEAST = 1000
PG_ROWS = "SELECT reltuples FROM pg_class WHERE oid = 'voices_voice'::regclass"

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

# PostgreSQL's index is on voice_name_words(sort_key), a function made by migration 0014:
# the words of sort_key, the first as it is and the others after "~" (which no first
# word begins with), so a query can ask for a word that begins the name or one that
# does not. Its declared cost (and its SET clause, which keeps it from being inlined)
# tells the planner that working it out row by row is dear, so it asks the index.
PG_WORDS = 'voice_name_words("voices_voice"."sort_key")'
PG_MATCH = f"{PG_WORDS} @@ %s::tsquery"
# PostgreSQL counts a GIN index's matches by reading every row; its planner's estimate
# (from ANALYZE's figures of the index's words) is good enough to choose a way by.
PG_ESTIMATE = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM voices_voice WHERE {PG_MATCH}"  # noqa: S608
SQLITE_MATCH = (
    '"voices_voice"."id" IN (SELECT rowid FROM voices_voice_fts WHERE voices_voice_fts MATCH %s)'
)
SQLITE_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM voices_voice_fts WHERE voices_voice_fts MATCH %s LIMIT %s)"
)
# A word's test of a row: LIKE first (cheap, case-blind for A to Z: a superset), then
# the word at the start of sort_key or after a separator.
SQLITE_WORD = (
    '("voices_voice"."sort_key" LIKE %s AND '
    '("voices_voice"."sort_key" GLOB %s OR "voices_voice"."sort_key" GLOB %s))'
)
# Inside COALESCE, which PostgreSQL's planner takes to keep half the rows: for LIKE and ~
# it guesses far fewer, and then sorts the catalog, or walks it with parallel workers
# (30 ms to start), rather than walk it in order to a page of matches.
PG_WORD = 'COALESCE("voices_voice"."sort_key" LIKE %s AND "voices_voice"."sort_key" ~ %s, false)'
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def words(q: str) -> list[str]:
    """The words of a query, the first MAX_WORDS of them."""
    return WORD.findall(q or "")[:MAX_WORDS]


def folded(found: list[str], vendor: str) -> list[str]:
    """The words in lower case as the database folds sort_key: SQLite's lower() folds
    A to Z only, PostgreSQL's any letter. Repeated words are looked up once."""
    out = []
    for word in found:
        word = word.lower() if vendor == "postgresql" else word.translate(ASCII_LOWER)
        if word not in out:
            out.append(word)
    return out


def search_names(queryset, q: str):
    """`queryset` narrowed to the voices whose names hold every word of `q` as a word
    prefix. The narrowing is a test of each row's sort_key (right wherever the queryset
    goes); the catalog's pages are found through the index by `page_rows`, which the
    queryset remembers the words for."""
    found = words(q)
    if not found:
        # Nothing searchable (only spaces or punctuation): as before, no narrowing.
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor not in ("sqlite", "postgresql"):
        # No index elsewhere: each word anywhere in the name, as the catalog once did.
        for word in found:
            queryset = queryset.filter(name__icontains=word)
        return queryset
    found = folded(found, vendor)
    for word in found:
        queryset = queryset.filter(_word_test(vendor, word))
    queryset._name_words = tuple(found)
    return queryset


def _word_test(vendor: str, word: str) -> RawSQL:
    """sort_key holds `word` at its start or after a separator. Words hold no ASCII
    but letters and digits, so none of GLOB's or a regular expression's signs."""
    if vendor == "postgresql":
        return _raw(PG_WORD, f"%{word}%", f"(^|{PG_SEPARATOR}){word}")
    return _raw(SQLITE_WORD, f"%{word}%", f"{word}*", f"*{SEPARATOR}{word}*")


def _raw(sql: str, *params: str) -> RawSQL:
    # The SQL is one of this module's constants; the words come only as parameters.
    return RawSQL(sql, list(params), output_field=BooleanField())  # noqa: S611


def prefix_end(word: str) -> str | None:
    """The least string after every string that begins with `word`, in code point order
    (SQLite's BINARY, PostgreSQL's "C"): its last character raised by one."""
    chars = list(word)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF:
            last += 1
            if 0xD800 <= last <= 0xDFFF:  # no character is a lone surrogate
                last = 0xE000
            return "".join(chars) + chr(last)
    return None


def _inside(word: str) -> Q:
    """sort_key begins with `word`: one range of the catalog's index."""
    end = prefix_end(word)
    return Q(sort_key__gte=word) & (Q(sort_key__lt=end) if end is not None else Q())


def _outside(word: str) -> list[Q]:
    """sort_key does not begin with `word`: the stretches before and after its range."""
    end = prefix_end(word)
    return [Q(sort_key__lt=word)] + ([Q(sort_key__gte=end)] if end is not None else [])


def _anchor(found: tuple[str, ...]) -> str:
    """The word a search is split by and asks the index for: the longest, whose names
    are the fewest. The other words are tested on the rows read."""
    return max(found, key=len)


def _probe_query(vendor: str, anchor: str, part: str) -> str:
    """The index's query for the anchor anywhere ("all") or beginning a word after the
    name's first ("rest"; on SQLite, anywhere but at the name's start)."""
    if vendor == "postgresql":
        return f"'~{anchor}':*" if part == "rest" else f"'{anchor}':* | '~{anchor}':*"
    return f'"{anchor}"* NOT ^"{anchor}"*' if part == "rest" else f'"{anchor}"*'


# The table's size changes slowly; asked once every ROWS_FOR seconds in each process.
ROWS_FOR = 300
_rows_seen: dict = {}


def _pg_rows(cursor) -> float:
    now = time.monotonic()
    rows, until = _rows_seen.get("voices_voice", (0.0, 0.0))
    if now >= until:
        cursor.execute(PG_ROWS)
        rows = max(cursor.fetchone()[0], 0.0)
        _rows_seen["voices_voice"] = (rows, now + ROWS_FOR)
    return rows


# After a write of this many voices (a first sync of a large catalog), PostgreSQL reads
# the names' figures again at once (ANALYZE). Autovacuum would, in a minute or more; until
# then the planner guesses a typed prefix's matches from an empty table and `_few` sorts
# tens of thousands of them: bench/load.py's first minute at 100,000 voices had catalog
# searches of 142 ms at the median, 13 ms once analysed.
ANALYZE_AFTER_ROWS = 1000


def analyze_after(written: int, using: str = "default") -> bool:
    """Read the voices table's figures again when `written` rows were just written
    (PostgreSQL; SQLite counts a prefix's matches exactly). True when it did."""
    connection = connections[using]
    if connection.vendor != "postgresql" or written < ANALYZE_AFTER_ROWS:
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE voices_voice")
    _rows_seen.pop("voices_voice", None)
    return True


def _few(connection, found, part) -> RawSQL | None:
    """The index's test for a part's rows (those holding the anchor, a superset of the
    matches) when there are SORTED_AT or fewer of them in every team (on PostgreSQL,
    as its planner estimates), else None."""
    query = _probe_query(connection.vendor, _anchor(found), part)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sorted_at = SORTED_AT.get("postgresql")
            if sorted_at is None:
                sorted_at = max(SORTED_AT_LEAST, int(math.sqrt(100 * _pg_rows(cursor))))
            cursor.execute(PG_ESTIMATE, [query])
            (plan,) = cursor.fetchone()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            count = plan[0]["Plan"]["Plan Rows"]
        else:
            sorted_at = SORTED_AT["sqlite"]
            cursor.execute(SQLITE_COUNT, [query, sorted_at + 1])
            (count,) = cursor.fetchone()
    if count > sorted_at:
        return None
    if count == 0 and connection.vendor == "sqlite":
        return NOTHING
    return _raw(PG_MATCH if connection.vendor == "postgresql" else SQLITE_MATCH, query)


# What _few gives for a part the index has no match for: nothing to read.
NOTHING = _raw("1 = 0")


def _sorted(queryset, ordering, match: RawSQL, limit: int) -> list[tuple]:
    """The first `limit` of the rows of `queryset` the index finds in `ordering`, sorted
    after they are read: the read is fenced off from the sort (OFFSET 0), or a planner
    expecting the matches spread evenly walks the catalog in order instead."""
    if match is NOTHING:
        return []
    fields = [name.lstrip("-") for name in ordering]
    inner = queryset.filter(match).order_by().values_list(*fields)
    connection = connections[queryset.db]
    sql, params = inner.query.get_compiler(using=queryset.db).as_sql()
    fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    quote = connection.ops.quote_name
    # values_list() names each column after its field ("pk" too).
    order = ", ".join(f"{quote(n.lstrip('-'))}{' DESC' if n[0] == '-' else ''}" for n in ordering)
    names = ", ".join(quote(f) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM ({sql} {fence}) AS matches ORDER BY {order} LIMIT %s",  # noqa: S608
            [*params, limit],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _walked(queryset, ordering, stretches: list[Q], limit: int) -> list[tuple]:
    """The first `limit` rows of `queryset` in `ordering`, read in that order through
    each stretch of sort_key in turn."""
    fields = [name.lstrip("-") for name in ordering]
    out: list[tuple] = []
    for stretch in stretches:
        out += queryset.filter(stretch).values_list(*fields)[: limit - len(out)]
        if len(out) >= limit:
            break
    return out


def page_rows(queryset, ordering: tuple[str, ...], after: Q | None, limit: int) -> list:
    """The first `limit` rows of a searched `queryset` in `ordering` after the cursor
    `after`, found through the index as the module's docstring says."""
    found = queryset._name_words
    connection = connections[queryset.db]
    base = queryset.order_by(*ordering)
    if after is not None:
        base = base.filter(after)
    by_name = ordering[0].lstrip("-") == "sort_key"
    descending = ordering[0].startswith("-")
    keys: list[tuple] = []
    if not by_name:
        few = _few(connection, found, "all")
        keys = (
            _sorted(base, ordering, few, limit)
            if few is not None
            else _walked(base, ordering, [Q()], limit)
        )
    else:
        anchor = _anchor(found)
        inside, outside = [_inside(anchor)], _outside(anchor)
        if descending:
            outside.reverse()
        # Names beginning with the anchor sit in one range of the catalog's index, read
        # in order (the other words tested as it is).
        parts = [_walked(base, ordering, inside, limit)]
        few = _few(connection, found, "rest")
        parts.append(
            _sorted(base.exclude(inside[0]), ordering, few, limit)
            if few is not None
            else _walked(base, ordering, outside, limit)
        )
        # Both parts are in the page's order (sort_key, then id, compared as the
        # database does: by code point), so merging them keeps it.
        keys = list(heapq.merge(*parts, reverse=descending))[:limit]
    pks = [key[-1] for key in keys]
    if not pks:
        return []
    # The rows themselves, as the queryset would give them; without a LIMIT a planner
    # has no reason to walk the catalog for these few ids.
    rows = {row.pk: row for row in queryset.filter(pk__in=pks).order_by()}
    return [rows[pk] for pk in pks if pk in rows]


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
