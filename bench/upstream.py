"""Benchmark of the upstream clients against a sandbox subprocess: call overhead and paging."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as `python bench/upstream.py`, the script's own folder is on sys.path, not the repo.
sys.path.insert(0, str(ROOT))
# The sandbox listens on loopback: its host may be a provider base URL (providers/guard.py).
os.environ.setdefault("PROVIDER_PRIVATE_HOSTS", "127.0.0.1")

import httpx  # noqa: E402
from common import free_port, percentile, say, start_sandbox  # noqa: E402

from providers import config  # noqa: E402
from providers.a2e import A2EClient  # noqa: E402
from providers.respeecher import RespeecherClient  # noqa: E402

A2E_TOKEN = "bench-a2e-token"  # noqa: S105 -- the sandbox this script starts
RESPEECHER_KEY = "bench-respeecher-key"
# Both clients' default page size.
PAGE_SIZE = 50


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def overhead(base: str, calls: int) -> tuple[float, float]:
    """p50 and p95 of the client's latency minus bare httpx's, same endpoint, interleaved."""
    client = A2EClient(base + "/a2e", A2E_TOKEN)
    bare = httpx.Client(
        base_url=base + "/a2e", headers={"Authorization": f"Bearer {A2E_TOKEN}"}, timeout=30
    )

    def bare_call() -> object:
        response = bare.get("/api/v1/user/remainingCoins")
        response.raise_for_status()
        return response.json()["data"]

    def client_call() -> object:
        return client.remaining_coins()

    for _ in range(50):  # warm both pools and the code paths
        bare_call()
        client_call()
    ours, theirs = [], []
    for i in range(calls):
        # Alternate which goes first, so neither always follows the other's work.
        if i % 2:
            theirs.append(timed(bare_call))
            ours.append(timed(client_call))
        else:
            ours.append(timed(client_call))
            theirs.append(timed(bare_call))
        if (i + 1) % 100 == 0:
            say(f"  overhead: {i + 1}/{calls} pairs")
    bare.close()
    paired = [a - b for a, b in zip(ours, theirs, strict=True)]
    say(
        f"  client p50={statistics.median(ours):.3f} ms p95={percentile(ours, 0.95):.3f} ms; "
        f"httpx p50={statistics.median(theirs):.3f} ms p95={percentile(theirs, 0.95):.3f} ms; "
        f"paired difference p50={statistics.median(paired):.3f} ms "
        f"p95={percentile(paired, 0.95):.3f} ms"
    )
    return (
        statistics.median(ours) - statistics.median(theirs),
        percentile(ours, 0.95) - percentile(theirs, 0.95),
    )


def paging(
    control: httpx.Client,
    kind: str,
    count: int,
    path: str,
    walk: Callable[[], object],
    bare_page: Callable[[int], int],
    rounds: int = 3,
) -> float:
    """Median pages per second over `rounds` walks of `count` seeded records.

    The same pages fetched with bare httpx follow each walk, to tell the sandbox's share
    of the time from the client's. On a small shared machine one walk varies by 2x;
    the median of three is steadier.
    """
    control.post("/_sandbox/reset").raise_for_status()
    control.post("/_sandbox/seed", json={"kind": kind, "count": count}).raise_for_status()
    rates, bare_rates = [], []
    for round_ in range(1, rounds + 1):
        control.delete("/_sandbox/requests").raise_for_status()
        started = time.perf_counter()
        items = sum(1 for _ in walk())
        elapsed = time.perf_counter() - started
        if items < count:
            raise SystemExit(f"walked {items} of {count} {kind} records")
        # The sandbox's request log says how many pages were really fetched.
        pages = control.get("/_sandbox/requests", params={"path": path}).json()["count"]
        started = time.perf_counter()
        for number in range(pages):
            bare_page(number)
        bare = time.perf_counter() - started
        rates.append(pages / elapsed)
        bare_rates.append(pages / bare)
        say(
            f"  {kind} round {round_}: {items} items in {pages} pages, {elapsed:.2f} s: "
            f"{rates[-1]:.2f} pages/s (bare httpx, same pages: {bare_rates[-1]:.2f} pages/s)"
        )
    say(
        f"  {kind}: median {statistics.median(rates):.2f} pages/s "
        f"(bare httpx {statistics.median(bare_rates):.2f})"
    )
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="calls each for the overhead")
    parser.add_argument("--records", type=int, default=10_000, help="records to page through")
    args = parser.parse_args()
    os.chdir(ROOT)
    # This process's own cap, whatever REDIS_URL says: the bench measures the client.
    config.configure(redis_url=None)
    port = free_port()
    say(f"starting the sandbox on 127.0.0.1:{port}")
    sandbox = start_sandbox(port, "--a2e-token", A2E_TOKEN, "--respeecher-key", RESPEECHER_KEY)
    base = f"http://127.0.0.1:{port}"
    control = httpx.Client(base_url=base, timeout=120)
    try:
        say(f"(a) A2E remainingCoins, {args.calls} calls each, client vs bare httpx")
        p50, p95 = overhead(base, args.calls)
        say(f"(b) Respeecher voices, {args.records} seeded, iter_voices()")
        respeecher = RespeecherClient(base + "/respeecher", RESPEECHER_KEY)
        bare = httpx.Client(base_url=base, timeout=30)

        def bare_voices(number: int) -> int:
            params = {"limit": PAGE_SIZE, "offset": number * PAGE_SIZE}
            answer = bare.get(
                "/respeecher/api/v2/voices", params=params, headers={"api-key": RESPEECHER_KEY}
            )
            return len(answer.raise_for_status().json()["list"])

        voices = paging(
            control,
            "respeecher.voice",
            args.records,
            "/respeecher/api/v2/voices",
            lambda: respeecher.iter_voices(page_size=PAGE_SIZE),
            bare_voices,
        )
        say(f"(c) A2E dubbing records, {args.records} seeded, iter_dubbings()")
        a2e = A2EClient(base + "/a2e", A2E_TOKEN)

        def bare_dubbings(number: int) -> int:
            params = {"pageNum": number + 1, "pageSize": PAGE_SIZE}
            answer = bare.get(
                "/a2e/api/v1/userDubbing/allRecords",
                params=params,
                headers={"Authorization": f"Bearer {A2E_TOKEN}"},
            )
            return len(answer.raise_for_status().json()["data"]["rows"])

        dubbings = paging(
            control,
            "a2e.dubbing",
            args.records,
            "/a2e/api/v1/userDubbing/allRecords",
            lambda: a2e.iter_dubbings(page_size=PAGE_SIZE),
            bare_dubbings,
        )
        bare.close()
    finally:
        control.close()
        sandbox.terminate()
        sandbox.wait(timeout=10)
    say(
        f"upstream overhead_p50_ms={p50:.2f} overhead_p95_ms={p95:.2f} "
        f"voices_pages_per_s={voices:.2f} dubbing_pages_per_s={dubbings:.2f}"
    )


if __name__ == "__main__":
    main()
