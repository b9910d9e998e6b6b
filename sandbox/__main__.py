"""Command line: `python -m sandbox --port 8765` serves the three fake upstreams."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from sandbox.server import run
from sandbox.state import TTS_ENGINES, WORLDS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Fake A2E, Respeecher and Burki APIs."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--url",
        default=None,
        help="listen on this URL's host and port (what clients are given as SANDBOX_URL); "
        "overrides --host and --port",
    )
    parser.add_argument("--speed", type=float, default=1.0, help="10 = jobs finish 10x sooner")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of jobs that fail")
    parser.add_argument("--a2e-token", default="sandbox-a2e")
    parser.add_argument("--respeecher-key", default="sandbox-respeecher")
    parser.add_argument("--burki-key", default="sandbox-burki")
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--webhook-secret", default=None, help="whsec_<base64>")
    parser.add_argument("--tts-engine", choices=TTS_ENGINES, default="auto")
    parser.add_argument("--download-timeout", type=float, default=10.0)
    parser.add_argument(
        "--marketplace",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="list a few Respeecher marketplace voices beside the seed records",
    )
    parser.add_argument(
        "--world",
        choices=WORLDS,
        default="examples",
        help="what a reset loads: the seed documents' example records, or a team's work "
        "with names a person would give (what `make run` shows)",
    )
    parser.add_argument(
        "--state-dir",
        default=None,
        help="keep records and media in this folder across restarts (default: memory only)",
    )
    args = parser.parse_args(argv)
    if args.url:
        parts = urlsplit(args.url)
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme != "http" or not parts.hostname or port is None:
            parser.error(f"--url {args.url!r} is not http://HOST:PORT")
        args.host, args.port = parts.hostname, port
    del args.url
    if args.speed <= 0:
        parser.error("--speed must be > 0")
    if not 0 <= args.fail_rate <= 1:
        parser.error("--fail-rate must be from 0 to 1")
    if args.webhook_url and not (args.webhook_secret or "").startswith("whsec_"):
        parser.error("--webhook-url needs --webhook-secret whsec_<base64>")
    print(f"Sandbox: http://{args.host}:{args.port}  (control API under /_sandbox/)", flush=True)
    run(**{k: v for k, v in vars(args).items()})


if __name__ == "__main__":
    main()
