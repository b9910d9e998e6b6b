"""Benchmark of the catalog's search as a person types: the catalog's own first-page
query for each prefix typed, through the name index, against the old `icontains` scan.

In process, on a throwaway SQLite database (or on DATABASE_URL when set). The voices are
written with the mirror's bulk upsert (core.bulk.upsert_rows), so the index is built the
way a sync builds it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
from common import production_env  # noqa: E402

production_env()

import django  # noqa: E402

django.setup()

from common import percentile, say  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.bulk import BATCH, upsert_rows  # noqa: E402
from core.paging import keyset_page  # noqa: E402
from teams.models import ProviderAccount, Team  # noqa: E402
from voices.models import SORTS, Kind, Voice  # noqa: E402
from voices.search import analyze_after  # noqa: E402
from voices.views import PAGE_SIZE, ROW_FIELDS  # noqa: E402

FIRST = [
    "Emma",
    "Olivia",
    "Ava",
    "Sophia",
    "Mia",
    "Amelia",
    "Harper",
    "Evelyn",
    "Abigail",
    "Emily",
    "Ella",
    "Elizabeth",
    "Camila",
    "Luna",
    "Sofia",
    "Avery",
    "Mila",
    "Aria",
    "Scarlett",
    "Penelope",
    "Layla",
    "Chloe",
    "Victoria",
    "Madison",
    "Eleanor",
    "Grace",
    "Nora",
    "Riley",
    "Zoey",
    "Hannah",
    "Hazel",
    "Lily",
    "Ellie",
    "Violet",
    "Lillian",
    "Zoe",
    "Stella",
    "Aurora",
    "Natalie",
    "Emilia",
    "Everly",
    "Leah",
    "Aubrey",
    "Willow",
    "Addison",
    "Lucy",
    "Audrey",
    "Bella",
    "Nova",
    "Brooklyn",
    "Liam",
    "Noah",
    "Oliver",
    "Elijah",
    "James",
    "William",
    "Benjamin",
    "Lucas",
    "Henry",
    "Theodore",
    "Jack",
    "Levi",
    "Alexander",
    "Jackson",
    "Mateo",
    "Daniel",
    "Michael",
    "Mason",
    "Sebastian",
    "Ethan",
    "Logan",
    "Owen",
    "Samuel",
    "Jacob",
    "Asher",
    "Aiden",
    "John",
    "Joseph",
    "Wyatt",
    "David",
    "Leo",
    "Luke",
    "Julian",
    "Hudson",
    "Grayson",
    "Matthew",
    "Ezra",
    "Gabriel",
    "Carter",
    "Isaac",
    "Jayden",
    "Luca",
    "Anthony",
    "Dylan",
    "Lincoln",
    "Thomas",
    "Maverick",
    "Elias",
    "Josiah",
    "Charles",
    "Caleb",
    "Christopher",
    "Ezekiel",
    "Miles",
    "Jaxon",
    "Isaiah",
    "Andrew",
    "Joshua",
    "Nathan",
    "Hans",
    "Klaus",
    "Greta",
    "Ingrid",
    "Pierre",
    "Amelie",
    "Chloé",
    "Léa",
    "Zoé",
    "Marco",
    "Giulia",
    "Sakura",
    "Haruto",
    "Yuki",
]
TRAITS = [
    "Warm",
    "Deep",
    "Calm",
    "Bright",
    "Crisp",
    "Gentle",
    "Husky",
    "Smooth",
    "Raspy",
    "Soft",
    "Clear",
    "Rich",
    "Young",
    "Mature",
    "Energetic",
    "Friendly",
    "Serious",
    "Playful",
    "Confident",
    "Soothing",
    "Breathy",
    "Gravelly",
    "Mellow",
    "Lively",
]
ROLES = [
    "Narrator",
    "Announcer",
    "Storyteller",
    "Presenter",
    "Newsreader",
    "Host",
    "Teacher",
    "Guide",
    "Assistant",
    "Character",
    "Villain",
    "Hero",
    "Commentator",
    "Documentary",
    "Audiobook",
    "Podcaster",
    "Trailer",
    "Support",
]
ACCENTS = [
    "American",
    "British",
    "Australian",
    "Irish",
    "Scottish",
    "Canadian",
    "Indian",
    "German",
    "French",
    "Spanish",
    "Italian",
    "Japanese",
    "Brazilian",
    "Mexican",
    "Swedish",
    "Dutch",
    "Polish",
    "Nigerian",
    "Kenyan",
    "Texan",
]
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "len",
    "sa",
    "tu",
    "vo",
    "bel",
    "dri",
    "fen",
    "gal",
    "hor",
    "ix",
    "jun",
    "kel",
    "mar",
    "nev",
    "or",
    "pax",
    "qui",
    "ros",
]


def made_up(rng: random.Random) -> str:
    """A word of two or three syllables, so names have a long tail of rare words."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def name(rng: random.Random) -> str:
    words = [rng.choice(FIRST), rng.choice(TRAITS), rng.choice(ROLES)]
    if rng.random() < 0.5:
        words.append(f"({rng.choice(ACCENTS)})")
    words.append(made_up(rng))
    return " ".join(words)


def load(team, account, count: int, rng: random.Random) -> float:
    """`count` voices through the mirror's bulk upsert; returns seconds."""
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, count, BATCH * 10):
        rows = [
            {
                "team": team,
                "account": account,
                "provider": account.provider,
                "remote_id": f"bench-{i}",
                "kind": Kind.PUBLIC,
                "name": name(rng),
                "language": "en-US",
                "status": "available",
                "can_speak": True,
                "raw": {},
                "fingerprint": "bench",
                "first_seen_at": now,
                "synced_at": now,
            }
            for i in range(offset, min(offset + BATCH * 10, count))
        ]
        with transaction.atomic():
            upsert_rows(
                Voice,
                rows,
                unique=["team", "provider", "tts_list", "remote_id"],
                update=["name", "fingerprint", "synced_at"],
            )
    return time.perf_counter() - started


def first_page(queryset) -> int:
    """The catalog's first page for this narrowing, as voices.views.catalog asks it."""
    page = keyset_page(queryset.only(*ROW_FIELDS).with_speech(), SORTS["name"], None, PAGE_SIZE)
    return len(page.rows)


def timed(make, queries: list[str], rounds: int) -> tuple[list[float], list[int]]:
    out, found = [], []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            rows = first_page(make(q))
            out.append((time.perf_counter() - started) * 1000)
            found.append(rows)
    return out, found


def typed(word: str, upto: int = 8) -> list[str]:
    """What the search box holds after each key: "n", "na", "nar"..."""
    return [word[:i] for i in range(1, min(len(word), upto) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is timed")
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    stamp = f"{time.time_ns() % 10**9}"
    team = Team.objects.create(name="Bench", slug=f"bench-search-{stamp}")
    other = Team.objects.create(name="Other", slug=f"bench-other-{stamp}")
    accounts = []
    for owner in (team, other):
        account = ProviderAccount(team=owner, provider="a2e", base_url="http://127.0.0.1:9/a2e")
        account.set_secret("unused")
        account.save()
        accounts.append(account)
    seconds = load(team, accounts[0], args.voices, rng)
    # Another team's voices share the index: the wall keeps them out of this team's page.
    load(other, accounts[1], max(args.voices // 10, 1000), rng)
    analyze_after(args.voices)  # as a sync that wrote them does
    say(f"(a) {args.voices} voices written through upsert_rows in {seconds:.1f} s")

    listed = Voice.objects.for_team(team).listed()
    # Hits: a person typing a first name, a trait, a role, a rare word, and two words.
    hits = []
    for word in rng.sample(FIRST, 6) + rng.sample(TRAITS, 3) + rng.sample(ROLES, 3):
        hits += typed(word.lower())
    for _ in range(4):
        hits += typed(made_up(rng).lower())
    for _ in range(4):
        first, role = rng.choice(FIRST).lower(), rng.choice(ROLES).lower()
        hits += [f"{first} {role[:i]}" for i in range(1, 5)]
    # Misses: words no voice has, typed to their end; only what finds nothing counts.
    misses = []
    for word in ("qwzx", "zyxwvut", "xjqk", "vbnmq", "wxyz", "jjjjk", "pqpqpq", "kzzk"):
        misses += typed(word)
    misses = [q for q in misses if not listed.search(q).exists()]
    hits = [q for q in hits if listed.search(q).exists()]
    say(f"(b) {len(hits)} queries that find voices, {len(misses)} that find none")

    indexed = lambda q: listed.search(q)  # noqa: E731
    scanned = lambda q: listed.filter(name__icontains=q)  # noqa: E731
    timed(indexed, hits[:10] + misses[:5], 1)  # warm the caches
    timed(scanned, hits[:10] + misses[:5], 1)
    hit_ms, hit_rows = timed(indexed, hits, args.rounds)
    miss_ms, miss_rows = timed(indexed, misses, args.rounds)
    scan_ms, _ = timed(scanned, hits + misses, args.rounds)
    if any(miss_rows) or not all(hit_rows):
        raise SystemExit("a hit found nothing or a miss found something")
    worst = sorted(zip(hit_ms + miss_ms, hits * args.rounds + misses * args.rounds, strict=True))[
        -5:
    ]
    say(
        f"(c) index: hits median {statistics.median(hit_ms):.2f} ms, misses median "
        f"{statistics.median(miss_ms):.2f} ms; icontains median {statistics.median(scan_ms):.2f} ms"
    )
    say("(d) slowest through the index: " + ", ".join(f"{q!r} {ms:.1f} ms" for ms, q in worst))
    say(
        f"search voices={args.voices} search_p95_ms={percentile(hit_ms, 0.95):.2f} "
        f"miss_p95_ms={percentile(miss_ms, 0.95):.2f} "
        f"icontains_p95_ms={percentile(scan_ms, 0.95):.2f}"
    )


if __name__ == "__main__":
    main()
