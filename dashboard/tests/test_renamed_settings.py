"""Settings renamed to say what they are (the job holds' *_LEASE and *_CLAIM became
*_HOLD): a deployment still setting an old name keeps working for one release, and
every start-up says which name to change."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "from django.conf import settings as s; "
    "print(s.JOBS_SUBMIT_HOLD, s.JOBS_RESULTS_HOLD, s.JOBS_POLL_HOLD)"
)


def _start(tmp_path, **names):
    """Start the app as `manage.py` does, with these environment variables; what the
    hold settings came to, and what start-up logged."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(DEBUG="1", VOXBOARD_VAR_DIR=str(tmp_path), **names)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()[-1].split(), result.stderr


def test_an_old_setting_name_still_works_and_start_up_says_to_rename_it(tmp_path):
    values, log = _start(
        tmp_path, JOBS_SUBMIT_LEASE="33", JOBS_RESULTS_LEASE="44", JOBS_POLL_CLAIM="55"
    )
    assert values == ["33", "44", "55"]
    assert "The setting JOBS_SUBMIT_LEASE is now called JOBS_SUBMIT_HOLD" in log
    assert "The setting JOBS_RESULTS_LEASE is now called JOBS_RESULTS_HOLD" in log
    assert "The setting JOBS_POLL_CLAIM is now called JOBS_POLL_HOLD" in log


def test_the_new_name_wins_over_the_old_one(tmp_path):
    values, log = _start(tmp_path, JOBS_SUBMIT_HOLD="12", JOBS_SUBMIT_LEASE="33")
    assert values[0] == "12"
    assert "JOBS_SUBMIT_LEASE is now called JOBS_SUBMIT_HOLD" in log


def test_new_names_start_without_a_word_about_renaming(tmp_path):
    values, log = _start(tmp_path, JOBS_SUBMIT_HOLD="12", JOBS_RESULTS_HOLD="13")
    assert values == ["12", "13", "60"]
    assert "is now called" not in log
