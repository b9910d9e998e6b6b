"""`make run`'s last words wait for every process: the waiting, with a fake clock."""

import io
import os

import pytest
from django.core.management import call_command

from dashboard import readiness


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def _answers_from(when: float, time: FakeTime):
    return lambda: time.now >= when


def test_it_returns_once_every_check_has_held():
    time = FakeTime()
    missing = readiness.wait_for(
        {"web": _answers_from(1.0, time), "sandbox": _answers_from(3.0, time)},
        timeout=60,
        interval=0.5,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert missing == [] and time.now == 3.0


def test_a_check_that_held_once_is_not_asked_again():
    time, asked = FakeTime(), []

    def flaky():
        asked.append(time.now)
        return len(asked) == 1  # answers once, then not

    missing = readiness.wait_for(
        {"worker": flaky, "web": _answers_from(2.0, time)},
        timeout=60,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert missing == [] and asked == [0.0]


def test_at_the_deadline_it_names_what_never_answered():
    time = FakeTime()
    missing = readiness.wait_for(
        {"web": _answers_from(0, time), "worker": lambda: False, "sandbox": lambda: False},
        timeout=10,
        interval=1,
        clock=time.clock,
        sleep=time.sleep,
    )
    assert missing == ["worker", "sandbox"] and time.now == 10


def test_a_pid_file_counts_only_while_its_process_runs(tmp_path):
    pid_file = tmp_path / "worker.ready"
    check = readiness.process_running(pid_file)
    assert not check()  # none yet
    pid_file.write_text(f"{os.getpid()}\n")
    assert check()
    pid_file.write_text("999999999\n")  # left by a worker long gone
    assert not check()
    pid_file.write_text("garbage")
    assert not check()


def test_an_address_answers_only_with_a_success(sandbox_url):
    assert readiness.answers(sandbox_url + "/_sandbox")()
    assert not readiness.answers(sandbox_url + "/_sandbox/nothing-here")()
    assert not readiness.answers("http://127.0.0.1:9/", timeout=0.5)()


@pytest.mark.django_db
def test_the_ready_command_ends_with_the_login(sandbox_url, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", "--sandbox-url", sandbox_url, "--empty", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "ready",
        "--url",
        "http://127.0.0.1:9/",
        "--sandbox-url",
        sandbox_url,
        "--timeout",
        "0",
        "--exit",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert "web, worker" in lines[0]  # nothing listens on port 9, no worker wrote its pid
    password = (tmp_path / "demo-password.txt").read_text().strip()
    assert lines[-1] == f"Log in as: demo / {password}"
