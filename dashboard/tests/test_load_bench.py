"""bench/load.py's options, summary line and page reading (its figures are measured by
running it, never here)."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load.py"


@pytest.fixture(scope="module")
def load():
    # The module's top imports nothing that gevent must patch first: importing it here
    # patches nothing in the test process.
    spec = importlib.util.spec_from_file_location("load_bench_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        assert "locust" not in sys.modules
        assert "gevent" not in sys.modules or not _patched()
        yield module
    finally:
        del sys.modules[spec.name]


def _patched() -> bool:
    from gevent import monkey

    return monkey.is_module_patched("socket")


def test_defaults_are_fifty_people_for_a_minute_without_the_probe(load):
    args = load.parse_args([])
    assert (args.users, args.seconds, args.max_rps) == (50, 60, False)
    assert args.database_url.endswith("/voxboard_load")


def test_options_are_read(load):
    args = load.parse_args(
        ["--users", "5", "--seconds", "15", "--max-rps", "--probe-users", "5,10,40"]
    )
    assert (args.users, args.seconds, args.max_rps, args.probe_users) == (5, 15, True, [5, 10, 40])


@pytest.mark.parametrize(
    "argv",
    [
        ["--users", "0"],
        ["--seconds", "-5"],
        ["--users", "many"],
        ["--probe-users", "10,5"],
        ["--database-url", "sqlite:///x.db"],
        ["--redis-url", "memory://"],
    ],
)
def test_bad_options_stop_before_anything_starts(load, argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        load.parse_args(argv)
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_summary_line_has_every_figure_in_order(load):
    figures = load.Figures(
        users=50,
        seconds=60,
        requests=6021,
        errors=0,
        p95_ms=143.25,
        rps=100.35,
        max_rps=None,
        jobs_started=31,
        jobs_finished=31,
    )
    assert load.summary_line(figures) == (
        "load users=50 seconds=60 requests=6021 errors=0 p95_ms=143.2 rps=100.3 max_rps=- "
        "jobs_started=31 jobs_finished=31"
    )
    figures.max_rps = 123.456
    assert " max_rps=123.5 " in load.summary_line(figures)


def test_samples_give_percentiles_and_errors_per_route(load):
    samples = load.Samples()
    for ms in range(1, 101):
        samples.add("catalog", float(ms), None)
    samples.add("home", 500.0, "HTTP 500")
    assert samples.requests == 101
    assert samples.error_count == 1
    table = samples.table()
    assert table[0].split() == [
        "route",
        "requests",
        "errors",
        "p50",
        "ms",
        "p95",
        "ms",
        "p99",
        "ms",
    ]
    assert table[1].split() == ["catalog", "100", "0", "51.0", "95.0", "99.0"]
    assert table[2].split() == ["home", "1", "1", "500.0", "500.0", "500.0"]
    assert table[-1].split()[:4] == ["all", "routes", "101", "1"]
    assert samples.reasons == {"home: HTTP 500": 1}


def test_pollers_are_read_as_htmx_reads_them(load):
    page = """
    <a id="jobs-badge" href="/t/x/jobs/?status=active"
       hx-get="/t/x/jobs/badge/" hx-trigger="every 5s, jobFinished from:body" hx-swap="outerHTML">
    <tr id="job-7" class="job-row"
        hx-get="/t/x/jobs/7/row/?seen=processing&amp;select=1"
        hx-trigger="every 2s" hx-swap="outerHTML" data-poll>
    <tbody id="originals" hx-get="/t/x/f/?q=" hx-trigger="jobFinished from:body delay:1s">
    <div hx-get="/t/x/voices/syncs/3/?live=1" hx-trigger="every 500ms">
    """
    assert load.pollers(page) == [
        ("/t/x/jobs/badge/", 5.0),
        ("/t/x/jobs/7/row/?seen=processing&select=1", 2.0),
        ("/t/x/voices/syncs/3/?live=1", 0.5),
    ]
    assert load.poll_route("/t/x/jobs/7/row/?seen=queued") == "job row (poll)"
    assert load.poll_route("/t/x/jobs/badge/") == "jobs badge (poll)"
    assert load.poll_route("/t/x/dubbing/9/?seen=processing") == "dubbing page (poll)"


def test_next_page_is_the_keyset_link(load):
    page = (
        '<a href="?q=nora&amp;after=abc:def" hx-get="?q=nora&amp;after=abc:def" '
        'hx-target="#voice-rows">Next page →</a>'
    )
    assert load.next_page(page) == "?q=nora&after=abc:def"
    assert load.next_page("<p>No more voices.</p>") is None


@pytest.mark.django_db
def test_a_refused_form_says_why_as_the_page_says_it(load, member_client, team, a2e_account):
    url = f"/t/{team.slug}/voices/speech/"
    # The speech form sent empty: its first field error, read off the real page.
    page = member_client.post(url, {"speech_rate": "1.0"}).content.decode()
    assert load.refusal(page) == "Choose the voice to speak with."
    # A message toast is read too: here, a team with nothing connected to speak with.
    a2e_account.delete()
    page = member_client.post(url, {"text": "Hello.", "speech_rate": "1.0"}).content.decode()
    assert load.refusal(page) == "Connect A2E or Respeecher first: speech is generated there."
    assert load.refusal("<p>All good.</p>") == ""
