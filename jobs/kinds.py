"""How a domain app declares a kind of remote job: submit, find, read status, fetch results."""

from __future__ import annotations

import abc
import dataclasses
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from jobs import engine

# A domain app declares its kinds with this module alone: the states, Remote and the
# registry live below the engine (which reads them too) and are named here for it.
from jobs.registry import get, register, registered  # noqa: F401
from jobs.remote import COMPLETED, FAILED, PROCESSING, QUEUED, Remote, Unsendable  # noqa: F401
from providers.client import ProviderClient

if TYPE_CHECKING:
    from jobs.models import Job

# The marker (jobs.models.new_marker) travels at the end of a name sent upstream.
MARKER_SUFFIX = re.compile(r" \[vb[0-9a-f]{10}\]$")


def marked(name: str, job: Job) -> str:
    """`name` as sent upstream: ending with the job's marker, so that a submission cut
    off before its answer can be recognised among the provider's records."""
    return f"{name} [{job.marker}]"


def carries_marker(name: str | None, job: Job) -> bool:
    """Whether an upstream record's name is the one `marked` gave this job."""
    return (name or "").endswith(f"[{job.marker}]")


def without_marker(name: str) -> str:
    """A name as people gave it, without the marker appended for crash recovery."""
    return MARKER_SUFFIX.sub("", name)


def audio_url(job: Job) -> str | None:
    """The stored audio a finished job made (speech), to listen to."""
    from django.urls import reverse

    audio = next((f for f in job.files.all() if f.media_kind == "audio"), None)
    if audio is None:
        return None
    return reverse("job_file", kwargs={"team": job.team.slug, "file_id": audio.pk})


@dataclass(frozen=True)
class Params:
    """A kind's typed parameters: what its `start` was given and its `submit` needs.
    Stored as JSON on Job.params and read back through the same type, so a kind never
    reads a key that its start did not write."""

    @classmethod
    def read(cls, raw: dict | None) -> Self:
        """The parameters a job was started with. Keys this type does not know are
        left out (rows written before a field was dropped); a missing field takes
        its default (rows imported from the provider carry only what it reported)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in (raw or {}).items() if key in names})

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class JobKind(abc.ABC):
    """One kind of upstream task. Subclasses live in the domain apps and register here.

    A job starts through its kind: each kind has a `start(...)` classmethod taking typed
    keyword arguments, which builds its `Params`, writes the Job through `create` and
    writes the domain row beside it, in the caller's transaction. Views never name a
    kind or build a params dict."""

    name: str
    # What people call this kind of job: the pages print this, never `name`.
    verbose_name: str
    provider: str
    # How the marker is sent and matched, for the note on crash recovery (README).
    marker_note = ""
    # The URL name of the page that shows one job of this kind (taking team and job_id).
    page_url_name = "job_detail"
    # Whether `cancel` stops the work at the provider (else canceling only stops watching).
    can_cancel = False
    Params: ClassVar[type[Params]] = Params
    # What the link from a completed job to what it made says ("Open the voice").
    made_label = "Open the result"

    @classmethod
    def made_url(cls, job: Job) -> str | None:
        """Where what a completed job made lives (its voice, its take, its audio): the
        finished job page leads there. None when it made nothing with a place of its own,
        or that place is not here yet."""
        return None

    @classmethod
    def made_label_for(cls, job: Job) -> str:
        """What the link to what `job` made says: `made_label`, unless the kind makes
        different things (speech into a folder makes a take, in a voice audio)."""
        return cls.made_label

    # What to do about a failed job of this kind, said after its reason ("" says nothing).
    failure_advice = ""

    @classmethod
    def params(cls, job: Job) -> Params:
        return cls.Params.read(job.params)

    @classmethod
    def file_title(cls, job: Job) -> str:
        """What a result file of this job is called when it is saved ("Trailer (Spanish)"),
        without its extension: the job's label unless the kind knows better."""
        return job.label

    @classmethod
    def create(cls, *, account, by, label: str, params: Params, retry_of=None) -> Job:
        """Write a job of this kind on `account` (its team's); submission starts after
        the caller's transaction commits. Kinds' `start` methods call this."""
        if type(params) is not cls.Params:
            raise TypeError(f"{cls.name} takes {cls.Params.__qualname__}, not {type(params)}")
        if account.provider != cls.provider:
            raise ValueError(f"{cls.name} runs on {cls.provider}, not {account.provider}")
        return engine._create(
            team=account.team,
            account=account,
            kind=cls.name,
            label=label,
            params=params.as_json(),
            created_by=by,
            retry_of=retry_of,
        )

    @abc.abstractmethod
    def submit(self, job: Job, client: ProviderClient) -> Remote:
        """Create the upstream task, sending job.marker where the provider keeps it."""

    @abc.abstractmethod
    def find(self, job: Job, client: ProviderClient) -> Remote | None:
        """Look among recent upstream records for one carrying job.marker."""

    @abc.abstractmethod
    def fetch_one(self, job: Job, client: ProviderClient) -> Remote | None:
        """The status of one submitted job; None when the provider no longer has it."""

    def fetch_many(self, jobs: list[Job], client: ProviderClient) -> dict[str, Remote | None]:
        """Statuses of many jobs of one account, keyed by remote id: a Remote, or None when
        the provider says it has no such job. Jobs left out were not checked this time.
        Kinds whose provider has a list endpoint override this so that a poll costs calls
        per account, not per job."""
        return {job.remote_id: self.fetch_one(job, client) for job in jobs}

    # The `kind` a provider's status callback names for this kind of job ("" when its
    # provider never calls back); see jobs/callbacks.py.
    callback_kind = ""

    def from_callback(self, record: dict) -> Remote | None:
        """The job status inside a status callback's record; None when it is unreadable."""
        return None

    def cancel(self, job: Job, client: ProviderClient) -> None:  # noqa: B027 - optional, most cannot cancel
        """Stop the upstream task when the provider can; by default only we stop watching."""

    def on_retry(self, old: Job, new: Job) -> None:  # noqa: B027 - optional hook
        """Domain follow-up when a failed job is retried as `new`."""

    def on_finished(self, job: Job) -> None:  # noqa: B027 - optional hook
        """Domain follow-up once a job has ended and its results are stored."""
