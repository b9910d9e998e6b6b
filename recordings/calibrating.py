"""The account's calibrations at Respeecher: one made from an audio file by a worker, as a
job followed until Respeecher has processed it, and enabling one as the default,
switching to auto, and deleting one, each upstream first and then the mirror.

Crash safety. Respeecher keeps nothing of ours on a calibration but its name, has no
call to rename one, and refuses a second calibration of the same name. So no marker is
sent: a submission whose answer was lost is found again as the calibration of the job's
name made no earlier than CLOCK_SKEW before the job, owned by no other job."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.db import transaction

from activity.log import Verb, record
from jobs import inputs, kinds
from jobs.kinds import COMPLETED, FAILED, PROCESSING, JobKind, Remote, Unsendable
from jobs.models import Status
from providers import NotFound, UpstreamError
from providers.respeecher import Calibration as RemoteCalibration
from providers.respeecher import RespeecherClient
from recordings import sync
from recordings.kinds import CLOCK_SKEW
from recordings.models import Calibration
from teams.connection import client_for
from teams.models import Provider

# Respeecher publishes no limit on a calibration's name; ours is the label's, so names
# fit beside takes and in the order form's list.
NAME_MAX = 40
# What Respeecher takes to calibrate from: the formats of an original.
CALIBRATION_FORMATS = ("wav", "ogg", "mp3", "flac")


def calibration_remote(calibration: RemoteCalibration) -> Remote:
    if calibration.state == FAILED:
        message = calibration.error or "Respeecher could not calibrate from this recording."
        return Remote(
            calibration.id, FAILED, calibration.status or "error", message, calibration.raw
        )
    if calibration.state == COMPLETED:
        return Remote(
            calibration.id, COMPLETED, calibration.status or "done", payload=calibration.raw
        )
    return Remote(calibration.id, PROCESSING, calibration.status or "", payload=calibration.raw)


class RespeecherCalibration(JobKind):
    """A calibration made from a stored recording, streamed from disk by the worker, then
    followed with one list of the account's calibrations per poll."""

    name = "respeecher.calibration"

    verbose_name = "Calibration"
    provider = Provider.RESPEECHER
    marker_note = (
        "Respeecher calibration: no marker (Respeecher renames none and refuses a second of "
        "the same name); found again by its name, newer than the job, owned by no other job"
    )
    made_label = "Open the calibrations"

    @dataclass(frozen=True)
    class Params(kinds.Params):
        name: str
        # What it is made from: a file stored here, or a take already at Respeecher.
        input_id: int | None = None
        recording_id: str = ""

    @classmethod
    def start(cls, *, account, by, name, stored):
        """Calibrate `account` (the team's Respeecher account) from `stored` (an InputFile)."""
        params = cls.Params(name=name, input_id=stored.pk)
        return cls.create(account=account, by=by, label=f"Calibration “{name}”", params=params)

    @classmethod
    def start_from_take(cls, *, take, by, name):
        """Calibrate the take's account from its audio (a mirrored original): the worker
        reads it from Respeecher and sends it back as the calibration's recording."""
        params = cls.Params(name=name, recording_id=take.remote_id)
        return cls.create(account=take.account, by=by, label=f"Calibration “{name}”", params=params)

    @classmethod
    def made_url(cls, job) -> str | None:
        from django.urls import reverse

        return reverse("recordings_calibrations", kwargs={"team": job.team.slug})

    def submit(self, job, client: RespeecherClient) -> Remote:
        from jobs.models import InputFile

        params = self.params(job)
        if params.recording_id:
            return calibration_remote(self._from_take(client, params))
        stored = InputFile.objects.filter(pk=params.input_id, team=job.team).first()
        if stored is None:
            raise Unsendable("Its recording was deleted before it could be sent.")
        with stored.file.open("rb") as handle:
            made = client.create_calibration(params.name, handle, filename=stored.original_name)
        return calibration_remote(made)

    @staticmethod
    def _from_take(client: RespeecherClient, params) -> RemoteCalibration:
        """The take's audio, read from Respeecher into a temporary file (at most an
        upload's size), sent as the calibration's recording."""
        from recordings.uploading import max_upload_bytes

        try:
            take = client.get_recording(params.recording_id)
        except NotFound:
            raise Unsendable(
                "The take was deleted at Respeecher before it could be sent."
            ) from None
        if not take.url:
            raise Unsendable("Respeecher has no audio for the take.")
        with tempfile.TemporaryFile() as audio:
            client.download(take.url, audio, max_bytes=max_upload_bytes())
            audio.seek(0)
            name = take.file_name or f"{take.label or 'take'}.wav"
            return client.create_calibration(params.name, audio, filename=name)

    def find(self, job, client: RespeecherClient) -> Remote | None:
        from jobs.models import Job

        since = job.created_at - CLOCK_SKEW
        name = self.params(job).name
        candidates = [
            c
            for c in client.list_calibrations()
            if c.id and c.name == name and (c.created_at is None or c.created_at >= since)
        ]
        owned = set(
            Job.objects.filter(kind=self.name, remote_id__in=[c.id for c in candidates])
            .exclude(pk=job.pk)
            .values_list("remote_id", flat=True)
        )
        found = next((c for c in candidates if c.id not in owned), None)
        return calibration_remote(found) if found else None

    def fetch_one(self, job, client: RespeecherClient) -> Remote | None:
        try:
            return calibration_remote(client.get_calibration(job.remote_id))
        except NotFound:
            return None

    def fetch_many(self, jobs, client: RespeecherClient) -> dict[str, Remote | None]:
        """One list of the account's calibrations for all its jobs in flight; one no
        longer listed is gone."""
        listed = {c.id: c for c in client.list_calibrations() if c.id}
        return {
            job.remote_id: calibration_remote(listed[job.remote_id])
            if job.remote_id in listed
            else None
            for job in jobs
        }

    def on_finished(self, job) -> None:
        """Mirror the calibration at once, however it ended, and drop the stored
        recording once Respeecher has processed it (a failed send keeps it, to retry)."""
        from jobs.models import InputFile

        if job.account is None or not job.remote_id or not job.remote:
            return
        remote = RemoteCalibration.from_raw(job.remote)
        if not remote.id:
            return
        with transaction.atomic():
            calibration = sync.save_one(Calibration, job.account, sync.calibration_record(remote))
            if job.status == Status.COMPLETED:
                record(job.team, Verb.CALIBRATION_CREATED, actor=job.created_by, target=calibration)
        if job.status == Status.COMPLETED:
            InputFile.objects.filter(pk=self.params(job).input_id, team=job.team).delete()


def upload_rules(max_bytes: int) -> inputs.Rules:
    return inputs.Rules(formats=CALIBRATION_FORMATS, max_bytes=max_bytes)


def create(account, *, name: str, upload, rules: inputs.Rules, user=None):
    """Store the recording (checked by its bytes) and start the job that sends it."""
    with transaction.atomic():
        stored = inputs.store(account.team, upload, rules, user=user)
        return RespeecherCalibration.start(account=account, by=user, name=name, stored=stored)


def from_take(take, *, name: str, user=None):
    """Start the job that calibrates the take's account from the take's audio."""
    return RespeecherCalibration.start_from_take(take=take, by=user, name=name)


# (None) when Respeecher did it; (its reason) when it did not, and nothing changed here.
Refusal = str | None


def _mirror_listed(account, client: RespeecherClient) -> None:
    """The account's calibrations as Respeecher lists them now: enabling one turns the
    others off there, so all are read again, not guessed."""
    records = [sync.calibration_record(c) for c in client.list_calibrations() if c.id]
    with transaction.atomic():
        sync.mirror(Calibration, account).sync(records, sync.timezone.now(), sync.SyncResult())


def enable(calibration: Calibration, user=None) -> Refusal:
    """Make `calibration` the default Respeecher applies to conversions."""
    client = client_for(calibration.account)
    try:
        client.enable_calibration(calibration.remote_id)
        _mirror_listed(calibration.account, client)
    except UpstreamError as exc:
        record(
            calibration.team,
            Verb.CALIBRATION_ENABLED,
            actor=user,
            target=calibration,
            outcome="failed",
            message=exc.message,
        )
        return exc.message
    record(calibration.team, Verb.CALIBRATION_ENABLED, actor=user, target=calibration)
    return None


def use_auto(account, user=None) -> Refusal:
    """Let Respeecher choose the calibration for each conversion by itself."""
    client = client_for(account)
    try:
        client.use_auto_calibration()
        _mirror_listed(account, client)
    except UpstreamError as exc:
        record(
            account.team, Verb.CALIBRATION_AUTO, actor=user, outcome="failed", message=exc.message
        )
        return exc.message
    record(account.team, Verb.CALIBRATION_AUTO, actor=user)
    return None


def delete(calibration: Calibration, user=None) -> Refusal:
    """Delete it at Respeecher, then here; Respeecher's reason when it refuses, and then
    it is kept here too. One already gone there is deleted here."""
    try:
        client_for(calibration.account).delete_calibration(calibration.remote_id)
    except NotFound:
        pass
    except UpstreamError as exc:
        record(
            calibration.team,
            Verb.CALIBRATION_DELETED,
            actor=user,
            target=calibration,
            outcome="failed",
            message=exc.message,
        )
        return exc.message
    with transaction.atomic():
        record(calibration.team, Verb.CALIBRATION_DELETED, actor=user, label=str(calibration))
        calibration.delete()
    return None


def name_taken(account, name: str) -> bool:
    """Whether a calibration of the account, listed or on its way, has this name
    (Respeecher refuses a second calibration of one name)."""
    from jobs.models import UNFINISHED, Job

    if Calibration.objects.filter(account=account, name=name).listed().exists():
        return True
    return any(
        RespeecherCalibration.params(job).name == name
        for job in Job.objects.filter(
            account=account, kind=RespeecherCalibration.name, status__in=UNFINISHED
        )
    )


# The calibration jobs the page shows (JobQuerySet.recent: running or just ended).
JOBS_SHOWN = 20


def recent_jobs(team) -> list:
    """The team's calibration jobs running or recently ended, newest first."""
    from jobs.models import Job

    jobs = Job.objects.for_team(team).filter(kind=RespeecherCalibration.name)
    return list(jobs.recent()[:JOBS_SHOWN])


def refresh(account) -> Refusal:
    """Read the account's calibrations again from Respeecher."""
    try:
        _mirror_listed(account, client_for(account))
    except UpstreamError as exc:
        return exc.message
    return None
