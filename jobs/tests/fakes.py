"""A job kind backed by an in-memory upstream, for testing the job engine itself."""

import itertools
from datetime import timedelta

from django.utils import timezone

from jobs import engine
from jobs.kinds import JobKind, Remote, register
from jobs.models import Job
from providers import BadRequest, RateLimited, Unavailable


class FakeUpstream:
    """Records what was created; tests set states and failures on it."""

    def __init__(self):
        self.records = {}
        self.created = 0
        self.fetch_calls = 0
        self.fail_next_submit = None
        self.refuse_cancel = None  # an UpstreamError the next cancel raises
        self.canceled = []
        self._ids = itertools.count(1)

    def create(self, marker, reached=True):
        remote_id = f"r{next(self._ids)}"
        self.records[remote_id] = {"marker": marker, "state": "processing", "status": "running"}
        self.created += 1
        return remote_id

    def set(self, remote_id, state, status=None, message="", results=()):
        self.records[remote_id].update(
            state=state, status=status or state, message=message, results=results
        )

    def remote(self, remote_id):
        r = self.records[remote_id]
        return Remote(
            remote_id=remote_id,
            state=r["state"],
            status=r["status"],
            message=r.get("message", ""),
            payload={"id": remote_id, "status": r["status"]},
            results=tuple(r.get("results", ())),
        )


UPSTREAM = FakeUpstream()


class FakeKind(JobKind):
    name = "test.fake"
    verbose_name = "Test job"
    provider = "a2e"

    @classmethod
    def start(cls, *, account, by=None, label="Greeting"):
        """A job of this kind on `account`, as a domain kind's `start` writes one."""
        return cls.create(account=account, by=by, label=label, params=cls.Params())

    def submit(self, job, client):
        failure = UPSTREAM.fail_next_submit
        UPSTREAM.fail_next_submit = None
        if failure == "lost-response":
            # The request reached the provider and created the job, then the answer was lost.
            UPSTREAM.create(job.marker)
            raise Unavailable("Fake", None, "read timeout", maybe_processed=True)
        if failure == "slow-lost-response":
            # The provider had the request but had not made the record when we gave up.
            raise Unavailable("Fake", None, "read timeout", maybe_processed=True)
        if failure == "rate-limited":
            raise RateLimited("Fake", 429, retry_after=120)
        if failure == "bad-request":
            raise BadRequest("Fake", 400, "name is required")
        return UPSTREAM.remote(UPSTREAM.create(job.marker))

    def find(self, job, client):
        for remote_id, record in UPSTREAM.records.items():
            if record["marker"] == job.marker:
                return UPSTREAM.remote(remote_id)
        return None

    def fetch_one(self, job, client):
        if job.remote_id not in UPSTREAM.records:
            return None
        return UPSTREAM.remote(job.remote_id)

    def fetch_many(self, jobs, client):
        UPSTREAM.fetch_calls += 1
        return {job.remote_id: self.fetch_one(job, client) for job in jobs}


class FakeStoppableKind(FakeKind):
    """The same, at a provider that can stop a running job."""

    name = "test.stoppable"
    can_cancel = True

    def cancel(self, job, client):
        if UPSTREAM.refuse_cancel is not None:
            raise UPSTREAM.refuse_cancel
        UPSTREAM.records[job.remote_id].update(state="canceled")
        UPSTREAM.canceled.append(job.remote_id)


def processing(account, n):
    """`n` jobs of FakeKind on `account`, submitted to the fake upstream (r1, r2, ...) and
    due for a poll."""
    jobs = []
    for i in range(n):
        job = FakeKind.start(account=account, label=f"job {i}")
        engine.submit(job.pk)
        jobs.append(job)
    Job.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
    return jobs


register(FakeKind())
register(FakeStoppableKind())
