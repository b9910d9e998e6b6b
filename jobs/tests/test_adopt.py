"""Work started elsewhere becomes jobs here (an import): adopted with the provider's
state, as old news, and never twice."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dubbing.kinds import A2EDubbing
from jobs import engine
from jobs.engine import Adoption
from jobs.models import Job, JobEvent, ResultsState, Status
from jobs.remote import COMPLETED, FAILED, PROCESSING, Remote

pytestmark = pytest.mark.django_db

MADE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ENDED = datetime(2026, 3, 1, 9, 45, tzinfo=UTC)


def _adoption(remote_id, state, **extra) -> Adoption:
    results = (("result", f"https://cdn.example/{remote_id}.mp4"),) if state == COMPLETED else ()
    return Adoption(
        Remote(remote_id, state, state, payload={"_id": remote_id}, results=results, **extra),
        label=f"Trailer {remote_id}",
        params=A2EDubbing.Params(target_lang="es"),
        created_at=MADE,
        finished_at=ENDED,
    )


def test_adopted_records_take_the_providers_state_as_old_news(a2e_account):
    now = timezone.now()
    with transaction.atomic():
        done, running, failed = engine.adopt_many(
            A2EDubbing,
            a2e_account,
            [
                _adoption("d-1", COMPLETED),
                _adoption("d-2", PROCESSING),
                _adoption("d-3", FAILED, message="The source could not be read."),
            ],
            now=now,
        )
    done, running, failed = (Job.objects.get(pk=j.pk) for j in (done, running, failed))
    assert (done.status, running.status, failed.status) == (
        Status.COMPLETED,
        Status.PROCESSING,
        Status.FAILED,
    )
    # Nothing is announced: a webhook for work finished before it came here is noise.
    assert [j.announced for j in (done, running, failed)] == [
        j.status for j in (done, running, failed)
    ]
    # The finished one's results are copied; the running one is followed from now on.
    assert done.result_urls == [["result", "https://cdn.example/d-1.mp4"]]
    assert done.results_state == ResultsState.PENDING and failed.results_state == ResultsState.NONE
    assert (done.finished_at, done.next_poll_at, done.created_at) == (ENDED, None, MADE)
    assert (running.finished_at, running.next_poll_at) == (None, now)
    assert failed.remote_message == "The source could not be read."
    assert (done.label, A2EDubbing.params(done).target_lang) == ("Trailer d-1", "es")
    (event,) = done.events.all()
    assert (event.source, event.message) == (JobEvent.Source.SYSTEM, "Imported from A2E")


def test_a_record_adopted_before_is_not_adopted_again(a2e_account):
    first = engine.adopt(A2EDubbing, a2e_account, _adoption("d-1", PROCESSING).remote, label="x")
    assert first is not None
    again = engine.adopt_many(
        A2EDubbing, a2e_account, [_adoption("d-1", COMPLETED), _adoption("d-2", COMPLETED)]
    )
    assert [j.remote_id for j in again] == ["d-2"]
    assert Job.objects.get(pk=first.pk).status == Status.PROCESSING


def test_adopting_a_page_costs_the_same_queries_for_five_records_as_for_a_hundred(a2e_account):
    def cost(prefix, count):
        page = [_adoption(f"{prefix}-{n}", COMPLETED) for n in range(count)]
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            assert len(engine.adopt_many(A2EDubbing, a2e_account, page)) == count
        return len(queries)

    assert cost("small", 5) == cost("big", 100)
