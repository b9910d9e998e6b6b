"""The next state of one job from one provider answer: the rules apply() writes in bulk."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from jobs import kinds
from jobs.engine import next_state
from jobs.kinds import Remote
from jobs.models import Job, Status

NOW = timezone.now()


def _job(**fields):
    values = {"status": Status.PROCESSING, "remote_status": "running", "remote_message": ""}
    return Job(**{**values, **fields})


def test_the_same_answer_again_backs_the_next_poll_off():
    state = next_state(_job(idle_polls=2), Remote("r1", kinds.PROCESSING, "running"), NOW)
    assert not state.changed
    assert state.idle_polls == 3
    assert state.next_poll_in == timedelta(
        seconds=min(settings.JOBS_POLL_MAX, settings.JOBS_POLL_MIN * 2**3)
    )


def test_a_watched_job_is_polled_soon_even_when_nothing_changed():
    job = _job(idle_polls=5, watched_until=NOW + timedelta(seconds=10))
    state = next_state(job, Remote("r1", kinds.PROCESSING, "running"), NOW)
    assert state.next_poll_in == timedelta(seconds=settings.JOBS_POLL_MIN)


def test_news_from_the_provider_is_a_change_and_polls_again_soon():
    state = next_state(_job(idle_polls=4), Remote("r1", kinds.PROCESSING, "rendering", "50%"), NOW)
    assert (state.changed, state.status, state.idle_polls) == (True, Status.PROCESSING, 0)
    assert (state.remote_status, state.remote_message) == ("rendering", "50%")
    assert state.next_poll_in == timedelta(seconds=settings.JOBS_POLL_MIN)


def test_a_completed_job_stops_polling_and_names_its_results():
    remote = Remote("r1", kinds.COMPLETED, "done", results=(("result", "https://x/a.mp4"),))
    state = next_state(_job(), remote, NOW)
    assert (state.status, state.finished, state.next_poll_in) == (Status.COMPLETED, True, None)
    assert state.results == [["result", "https://x/a.mp4"]]


def test_a_failed_job_has_no_results_to_copy():
    remote = Remote("r1", kinds.FAILED, "error", results=(("result", "https://x/a.mp4"),))
    state = next_state(_job(), remote, NOW)
    assert (state.status, state.results) == (Status.FAILED, [])


def test_an_older_answer_never_moves_a_finished_job_back():
    state = next_state(_job(status=Status.COMPLETED), Remote("r1", kinds.PROCESSING), NOW)
    assert state.status == Status.COMPLETED
