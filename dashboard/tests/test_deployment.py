"""compose.yaml cannot run here (no Docker engine), so its rules are checked by reading:
the environment it gives the app passes `check --deploy` with no warning."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
# ${NAME}, ${NAME:-default} or ${NAME:?message}, as compose substitutes them.
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def _compose_environment(dotenv: dict[str, str], anchor: str = "x-app") -> dict[str, str]:
    """The environment compose gives a service built on `anchor` (x-app: every app
    service's; x-bucket-media: the scale profile's web and workers)."""
    app = yaml.safe_load((ROOT / "compose.yaml").read_text())[anchor]

    def substitute(match):
        name, op, rest = match.groups()
        if name in dotenv:
            return dotenv[name]
        assert op != ":?", f"compose requires {name} ({rest}); the test's .env lacks it"
        return rest or ""

    return {k: VARIABLE.sub(substitute, str(v)) for k, v in app["environment"].items()}


def _dotenv() -> dict[str, str]:
    """What the compose file tells an operator to put in .env, and nothing else."""
    return {
        "SECRET_KEY": "k" * 20 + Fernet.generate_key().decode(),
        "VOXBOARD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "voxboard.example.com",
        "COMPOSE_PROFILES": "single",
    }


def test_compose_runs_behind_tls_by_default():
    env = _compose_environment(_dotenv())
    assert env["VOXBOARD_HTTPS"] == "1"
    assert env["PUBLIC_BASE_URL"].startswith("https://")
    assert "DEBUG" not in env or env["DEBUG"] in ("", "0")


def _deploy_check(tmp_path, environment):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(environment)
    env["VOXBOARD_VAR_DIR"] = str(tmp_path)  # /app/var does not exist outside the image
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_with_compose_environment(tmp_path):
    _deploy_check(tmp_path, _compose_environment(_dotenv()))


def test_deploy_check_is_clean_with_the_scale_profiles_environment(tmp_path):
    # What the scale profile adds to .env: MinIO's password (its key for the bucket) and
    # where browsers reach the bucket.
    dotenv = {
        **_dotenv(),
        "MINIO_ROOT_PASSWORD": "m" * 24,
        "S3_PUBLIC_ENDPOINT_URL": "https://media.example.com",
    }
    environment = _compose_environment(dotenv, "x-bucket-media")
    assert environment["S3_BUCKET"] and environment["VOXBOARD_PROXY_COUNT"] == "2"
    assert "MEDIA_ROOT" not in environment
    _deploy_check(tmp_path, environment)


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_make_runs_sandbox_listens_where_sandbox_url_points():
    # One setting for the sandbox's address: the accounts `manage.py demo` makes and the
    # port the sandbox binds both come from SANDBOX_URL.
    sandbox = _procfile()["sandbox"]
    assert "--url ${SANDBOX_URL:-http://127.0.0.1:8765}" in sandbox
    assert "--port" not in sandbox and "--host" not in sandbox
    # The demo world, kept in var/ across restarts (the tests' sandboxes keep nothing).
    assert "--world demo" in sandbox and "--state-dir ${VOXBOARD_VAR_DIR:-var}/sandbox" in sandbox
    makefile = (ROOT / "Makefile").read_text()
    assert "SANDBOX_URL=$(SANDBOX_URL)" in makefile


def test_make_run_ends_with_the_login_once_every_process_answers():
    ready = _procfile()["ready"]
    # Honcho gives each process its own PORT (counting up), so the web's is passed apart.
    assert "${WEB_PORT:-8000}" in ready and "${SANDBOX_URL:-" in ready
    makefile = (ROOT / "Makefile").read_text()
    assert "WEB_PORT=$(PORT)" in makefile
    # Nothing logs below a warning after it while all is well (LOG_LEVEL=INFO for all).
    assert "LOG_LEVEL=$${LOG_LEVEL:-WARNING}" in makefile
    for name in ("worker", "beat"):
        assert "--loglevel=${LOG_LEVEL:-INFO}" in _procfile()[name]
