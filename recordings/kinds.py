"""The recordings app's job kind: a Respeecher conversion of one original into one voice,
ordered with its accent or narration style, semitones, label and calibration, and
followed by listing the folders that hold work in flight."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from jobs import kinds
from jobs.kinds import COMPLETED, FAILED, PROCESSING, JobKind, Remote
from providers import BadRequest, NotFound, ProtocolError, RateLimited, Unavailable
from providers.respeecher import Conversion, RespeecherClient
from teams.models import Provider

# The folder listing's page size (Respeecher's largest page), newest first: conversions
# in flight are the folder's most recent records, so a poll usually reads one page.
POLL_PAGE = 100
# A conversion made before its job was written cannot be the job's: find() looks only
# at conversions created after this much before the job (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)


def conversion_remote(recording) -> Remote:
    """A job's state as Respeecher's conversion record shows it; done only once it has
    audio to copy."""
    if recording.state == COMPLETED and recording.url:
        return Remote(
            recording.id,
            COMPLETED,
            recording.status or "done",
            payload=recording.raw,
            results=(("audio", recording.url),),
        )
    if recording.state == FAILED:
        message = recording.error or "Respeecher could not convert this take."
        return Remote(recording.id, FAILED, recording.status or "error", message, recording.raw)
    return Remote(recording.id, PROCESSING, recording.status or "", payload=recording.raw)


def _ordered(item) -> Remote:
    if not item.conversion_id:
        raise ProtocolError(
            Provider.RESPEECHER, 200, "Respeecher's order answer names no conversion."
        )
    if item.state == FAILED:
        message = item.error or "Respeecher refused the conversion."
        return Remote(item.conversion_id, FAILED, item.status or "error", message, item.raw)
    return Remote(item.conversion_id, PROCESSING, item.status or "new", payload=item.raw)


def calibration_choice(calibration_id: str) -> dict:
    """What an order says of its calibration: the one named (use_calibration true), or
    use_calibration false, which Respeecher documents as "the currently enabled
    calibration on your account" (automatic when none is enabled)."""
    if calibration_id:
        return {"calibration_id": calibration_id, "use_calibration": True}
    return {"use_calibration": False}


def take_url(recording) -> str | None:
    from django.urls import reverse

    if recording is None:
        return None
    return reverse(
        "recordings_take", kwargs={"team": recording.team.slug, "recording_id": recording.pk}
    )


def made_take(job):
    """The mirrored take a finished job made: its order's conversion, or the record
    Respeecher gave it (an upload, a spoken original, a conversion not linked yet)."""
    from recordings.models import Order, Recording

    order = Order.objects.filter(job=job).select_related("conversion__team").first()
    if order is not None and order.conversion is not None:
        return order.conversion
    if not job.remote_id:
        return None
    return (
        Recording.objects.filter(team_id=job.team_id, remote_id=job.remote_id)
        .select_related("team")
        .first()
    )


class RespeecherConversion(JobKind):
    """One voice for one original. The order's conversion is a recording in the
    original's folder; polls list each folder with work in flight (newest first, pages
    of POLL_PAGE) rather than asking once per conversion.

    No marker is sent: a conversion's label is the person's (at most 40 characters, the
    marker would not fit beside it). A submission whose answer was lost is recognised
    among the original's conversions by its voice, made no earlier than CLOCK_SKEW before
    the job (or undated), and owned by no other job; a retry by its conversion leaving
    the failed state."""

    name = "respeecher.conversion"

    verbose_name = "Conversion"
    provider = Provider.RESPEECHER
    marker_note = (
        "Respeecher conversion: no marker (labels are people's); found again as the "
        "original's conversion into the same voice, newer than the job, owned by no other job"
    )
    made_label = "Open the take"

    @dataclass(frozen=True)
    class Params(kinds.Params):
        original_id: str
        folder_id: str
        voice_id: str
        voice_name: str = ""
        accent_id: str = ""
        narration_style_id: str = ""
        semitones: float | None = None
        label: str = ""
        # "" orders with the account's enabled calibration, as Respeecher does by default.
        calibration_id: str = ""
        # A conversion made elsewhere (at Respeecher's site) that this job retries.
        retry_conversion_id: str = ""

    @classmethod
    def start(cls, *, original, target, by, calibration_id=""):
        """Order `original` (a mirrored Recording) into `target` (recordings.options.Target)."""
        from recordings.models import Order

        params = cls.Params(
            original_id=original.remote_id,
            folder_id=original.folder.remote_id if original.folder else "",
            voice_id=target.voice.remote_id,
            voice_name=target.voice.name,
            # Respeecher converts speech with an accent and text to speech with a style.
            accent_id="" if original.tts else target.accent_id,
            narration_style_id=target.narration_style_id if original.tts else "",
            semitones=target.semitones,
            label=target.label,
            calibration_id=calibration_id or "",
        )
        job = cls.create(
            account=original.account,
            by=by,
            label=_label(original, target.voice.name),
            params=params,
        )
        Order.objects.create(
            team=original.team, job=job, original=original, voice_name=target.voice.name
        )
        return job

    @classmethod
    def made_url(cls, job) -> str | None:
        return take_url(made_take(job))

    @classmethod
    def start_retry(cls, *, conversion, by):
        """Retry a failed conversion that no job of ours ordered (orders/retry)."""
        from recordings.models import Order

        original = conversion.original
        params = cls.Params(
            original_id=original.remote_id,
            folder_id=original.folder.remote_id if original.folder else "",
            voice_id=conversion.model_id,
            voice_name=conversion.voice_name,
            retry_conversion_id=conversion.remote_id,
        )
        job = cls.create(
            account=conversion.account,
            by=by,
            label=_label(original, conversion.voice_name),
            params=params,
        )
        Order.objects.create(
            team=conversion.team,
            job=job,
            original=original,
            conversion=conversion,
            voice_name=conversion.voice_name,
        )
        return job

    def on_retry(self, old, new) -> None:
        """The retry is shown where the first attempt was: under the same original."""
        from recordings.models import Order

        first = Order.objects.filter(job=old).first()
        if first is not None:
            Order.objects.create(
                team=first.team,
                job=new,
                original=first.original,
                conversion=first.conversion,
                voice_name=first.voice_name,
            )

    @staticmethod
    def _retrying(job, params) -> str:
        """The failed conversion this job asks Respeecher to make again, if any: its
        predecessor's (a retry of ours) or one made elsewhere."""
        if params.retry_conversion_id:
            return params.retry_conversion_id
        if job.retry_of_id and job.retry_of.remote_id:
            return job.retry_of.remote_id
        return ""

    def submit(self, job, client: RespeecherClient) -> Remote:
        params = self.params(job)
        again = self._retrying(job, params)
        if again:
            return self._retry(client, params.original_id, again)
        conversion = Conversion(
            voice_id=params.voice_id,
            narration_style_id=params.narration_style_id or None,
            accent_id=params.accent_id or None,
            semitones_correction=params.semitones,
            label=params.label or None,
        )
        items = client.create_order(
            params.original_id, [conversion], **calibration_choice(params.calibration_id)
        )
        if not items:
            raise ProtocolError(
                Provider.RESPEECHER, 200, "Respeecher's order answer holds no conversion."
            )
        return _ordered(items[0])

    @staticmethod
    def _retry(client: RespeecherClient, original_id: str, conversion_id: str) -> Remote:
        """orders/retry takes the original's id (seed 003: "retry a conversion order for
        a specific original") and remakes every failed conversion of it. So a sibling's
        retry may already have remade this one: Respeecher then says nothing failed, and
        the conversion, no longer failed, is followed as it is, and no second retry is
        sent (one read first; a retry crossing ours is told by Respeecher's refusal)."""

        def remade() -> Remote | None:
            try:
                conversion = client.get_recording(conversion_id)
            except NotFound:
                return None
            return None if conversion.state == FAILED else conversion_remote(conversion)

        already = remade()
        if already is not None:
            return already
        try:
            items = client.retry_order(original_id)
        except BadRequest:
            already = remade()
            if already is None:
                raise
            return already
        item = next((i for i in items if i.conversion_id == conversion_id), None)
        return _ordered(item) if item else Remote(conversion_id, PROCESSING, "new")

    def find(self, job, client: RespeecherClient) -> Remote | None:
        from jobs.models import Job

        params = self.params(job)
        again = self._retrying(job, params)
        if again:
            try:
                conversion = client.get_recording(again)
            except NotFound:
                return None
            # Still failed: the retry never reached Respeecher, so it is sent again.
            return None if conversion.state == FAILED else conversion_remote(conversion)
        since = job.created_at - CLOCK_SKEW
        candidates = [
            c
            for c in client.iter_conversions(params.original_id)
            if c.model_id == params.voice_id and (c.created_at is None or c.created_at >= since)
        ]
        owned = set(
            Job.objects.filter(kind=self.name, remote_id__in=[c.id for c in candidates])
            .exclude(pk=job.pk)
            .values_list("remote_id", flat=True)
        )
        found = next((c for c in candidates if c.id not in owned), None)
        return conversion_remote(found) if found else None

    def fetch_one(self, job, client: RespeecherClient) -> Remote | None:
        return _fetch(client, job.remote_id)

    def fetch_many(self, jobs, client: RespeecherClient) -> dict[str, Remote | None]:
        """One listing per folder with work in flight, newest first, stopping once every
        wanted conversion is seen; a conversion missing from a whole listing is gone.
        A folder whose listing fails passingly is left for the next poll; any other
        refusal (a revoked key, say) is the whole poll's, recorded on the jobs."""
        by_folder: dict[str, set[str]] = defaultdict(set)
        for job in jobs:
            by_folder[self.params(job).folder_id].add(job.remote_id)
        found: dict[str, Remote | None] = {}
        for folder_id, wanted in by_folder.items():
            if not folder_id:  # an original outside any folder: ask one by one
                for remote_id in wanted:
                    found[remote_id] = _fetch(client, remote_id)
                continue
            try:
                found.update(self._list_folder(client, folder_id, wanted))
            except NotFound:
                found.update(dict.fromkeys(wanted))  # the folder, and its takes, are gone
            except (RateLimited, Unavailable, ProtocolError):
                continue  # passing: this folder is asked again at the next poll
        return found

    @staticmethod
    def _list_folder(
        client: RespeecherClient, folder_id: str, wanted: set[str]
    ) -> dict[str, Remote | None]:
        left, found, offset = set(wanted), {}, 0
        while left:
            page = client.list_recordings(
                folder_id=folder_id, limit=POLL_PAGE, offset=offset, direction="desc"
            )
            for recording in page.items:
                if recording.id in left:
                    found[recording.id] = conversion_remote(recording)
                    left.discard(recording.id)
            offset += len(page.items)
            short = len(page.items) < POLL_PAGE
            if short or (page.total is not None and offset >= page.total):
                break
        found.update(dict.fromkeys(left))
        return found

    def on_finished(self, job) -> None:
        from recordings import ordering

        ordering.finished(job)


def _fetch(client: RespeecherClient, remote_id: str) -> Remote | None:
    """One conversion asked for by id; None when Respeecher no longer has it."""
    try:
        return conversion_remote(client.get_recording(remote_id))
    except NotFound:
        return None


def _label(original, voice_name: str) -> str:
    take = original.label or original.file_name or "Untitled take"
    return f"{take} → {voice_name or 'a voice'}"
