"""The A2E dubbing job kind: how a dubbing is started, found again, and followed."""

from dataclasses import dataclass

from jobs import kinds
from jobs.kinds import COMPLETED, JobKind, Remote, carries_marker, marked
from providers import NotFound
from providers.a2e import A2EClient, Dubbing
from teams.models import Provider

# Pages of the full record list read per poll when some jobs have left the processing
# list; 2 x 500 covers a thousand jobs finishing between two polls.
ALL_RECORDS_PAGE_SIZE = 500
ALL_RECORDS_PAGES = 2
# Jobs still unaccounted for after that are asked about one by one, a few per poll.
SINGLE_LOOKUPS_PER_POLL = 5


def remote_from(dubbing: Dubbing) -> Remote:
    results = ()
    if dubbing.state == COMPLETED and dubbing.result_url:
        results = (("result", dubbing.result_url),)
    return Remote(
        remote_id=dubbing.id,
        state=dubbing.state,
        status=dubbing.status or "",
        message=dubbing.failed_message or "",
        payload=dubbing.raw,
        results=results,
    )


def upstream_name(job) -> str:
    """The name A2E shows; it ends with the job's marker so an interrupted submission
    can be recognised among the account's records."""
    return marked(A2EDubbing.params(job).name or job.label, job)


def source_url(job) -> str:
    """A link A2E can fetch the source from: the one given, or a fresh signed link to
    the file uploaded here (made at sending time, so it has not expired)."""
    from jobs import inputs
    from jobs.kinds import Unsendable
    from jobs.models import InputFile

    params = A2EDubbing.params(job)
    if params.source_url:
        return params.source_url
    stored = InputFile.objects.filter(pk=params.input_id, team=job.team).first()
    if stored is None:
        raise Unsendable("Its source file was deleted before it could be sent.")
    return inputs.public_url(stored)


class A2EDubbing(JobKind):
    name = "a2e.dubbing"
    verbose_name = "Dubbing"
    provider = Provider.A2E
    marker_note = "A2E dubbing: the `name` sent ends with `[<marker>]`; found by that suffix"
    page_url_name = "dubbing_detail"
    made_label = "Open the results"

    @classmethod
    def made_url(cls, job) -> str | None:
        """The dubbing's page, at its result, when the job has a dubbing row."""
        from django.urls import reverse

        from dubbing.models import Dubbing as DubbingRow

        if not DubbingRow.objects.filter(job=job).exists():
            return None
        url = reverse("dubbing_detail", kwargs={"team": job.team.slug, "job_id": job.pk})
        return f"{url}#result-card"

    @classmethod
    def file_title(cls, job) -> str:
        """`<title> (Spanish)`: the dubbing's name and the language it was dubbed into."""
        from core.words import language_name

        dubbing = getattr(job, "dubbing", None)
        if dubbing is None:
            return job.label
        return f"{dubbing.name} ({language_name(dubbing.target_lang)})"

    @dataclass(frozen=True)
    class Params(kinds.Params):
        target_lang: str
        source_lang: str = "auto"
        # The name A2E shows, before the marker; empty on records imported from A2E.
        name: str = ""
        source_url: str = ""
        input_id: int | None = None
        num_speakers: int | None = None
        drop_background_audio: bool = False

    @classmethod
    def start(cls, *, batch, account, target: str, target_label: str, by):
        """Dub the batch's source into one language: the job and its Dubbing row."""
        from dubbing.models import Dubbing as DubbingRow

        params = cls.Params(
            target_lang=target,
            source_lang=batch.source_lang,
            name=f"{batch.name} ({target})",
            source_url=batch.source_url or "",
            input_id=batch.source_id,
            num_speakers=batch.num_speakers,
            drop_background_audio=batch.drop_background_audio,
        )
        job = cls.create(
            account=account, by=by, label=f"{batch.name} → {target_label}", params=params
        )
        DubbingRow.objects.create(
            team_id=batch.team_id, batch=batch, job=job, name=batch.name, target_lang=target
        )
        return job

    callback_kind = "dubbing"

    def from_callback(self, record: dict) -> Remote | None:
        dubbing = Dubbing.from_raw(record)
        return remote_from(dubbing) if dubbing.id else None

    def submit(self, job, client: A2EClient) -> Remote:
        params = self.params(job)
        return remote_from(
            client.start_dubbing(
                upstream_name(job),
                source_url(job),
                params.target_lang,
                source_lang=params.source_lang or "auto",
                num_speakers=int(params.num_speakers or 1),
                drop_background_audio=params.drop_background_audio,
            )
        )

    def find(self, job, client: A2EClient) -> Remote | None:
        for dubbing in client.list_processing_dubbings():
            if carries_marker(dubbing.name, job):
                return remote_from(dubbing)
        for page in range(1, ALL_RECORDS_PAGES + 1):
            listing = client.list_dubbings(page=page, page_size=ALL_RECORDS_PAGE_SIZE)
            for dubbing in listing:
                if carries_marker(dubbing.name, job):
                    return remote_from(dubbing)
            if len(listing) < ALL_RECORDS_PAGE_SIZE:
                break
        return None

    def fetch_one(self, job, client: A2EClient) -> Remote | None:
        try:
            return remote_from(client.get_dubbing(job.remote_id))
        except NotFound:
            return None

    def fetch_many(self, jobs, client: A2EClient) -> dict[str, Remote | None]:
        wanted = {job.remote_id: job for job in jobs}
        found = {}
        for dubbing in client.list_processing_dubbings():
            if dubbing.id in wanted:
                found[dubbing.id] = remote_from(dubbing)
        for page in range(1, ALL_RECORDS_PAGES + 1):
            if len(found) == len(wanted):
                return found
            listing = client.list_dubbings(page=page, page_size=ALL_RECORDS_PAGE_SIZE)
            for dubbing in listing:
                if dubbing.id in wanted and dubbing.id not in found:
                    found[dubbing.id] = remote_from(dubbing)
            if len(listing) < ALL_RECORDS_PAGE_SIZE:
                break
        leftovers = [job for rid, job in wanted.items() if rid not in found]
        for job in leftovers[:SINGLE_LOOKUPS_PER_POLL]:
            found[job.remote_id] = self.fetch_one(job, client)
        return found

    def on_retry(self, old, new) -> None:
        from dubbing.models import Dubbing

        previous = Dubbing.objects.filter(job=old).first()
        if previous is not None:
            Dubbing.objects.create(
                team=previous.team,
                batch=previous.batch,
                job=new,
                name=previous.name,
                target_lang=previous.target_lang,
            )

    can_cancel = True

    def cancel(self, job, client: A2EClient) -> None:
        # A2E has no cancel; deleting the record stops the work and its charges.
        client.delete_dubbing(job.remote_id)
