"""Originals into a Respeecher folder: an uploaded audio file, or text Respeecher speaks,
each sent by a worker as a job and mirrored into the folder once Respeecher has it.

Crash safety. Respeecher keeps a recording's `label` (at most 40 characters) and
nothing else we choose, so the job's marker travels in the label: the label sent is
the person's label cut to fit, then ` [<marker>]` (`marked_label`). A submission whose
answer was lost is found again among the folder's originals by that suffix, never by
file name (people upload the same file twice). Once the job has the recording's id,
polls ask for it by id and PATCH the label back to exactly what the person typed; only
then is the job completed and the original mirrored, so the marker is never shown here.
A PATCH whose answer is lost is simply sent again by the next poll (it is idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from activity.models import Verb
from jobs import inputs, kinds
from jobs.kinds import COMPLETED, FAILED, PROCESSING, JobKind, Remote, Unsendable
from jobs.models import Status
from providers import BadRequest, NotFound, ProtocolError, RateLimited, Unavailable
from providers.respeecher import Recording as RemoteRecording
from providers.respeecher import RespeecherClient
from teams.models import Provider

MB = 1024 * 1024
# What Respeecher takes (docs/upstream/respeecher.md), judged by the bytes.
UPLOAD_FORMATS = ("wav", "ogg", "mp3", "flac")
# Respeecher publishes no limit for v2 text to speech; the sandbox's is this.
SPEECH_MAX_CHARS = 5000
# Originals asked for per list call when polling a folder with many jobs in flight.
LIST_PAGE = 100
# " [vb0123456789]": what the marker adds to a label.
MARKER_LENGTH = 15


def max_upload_bytes() -> int:
    return settings.RECORDINGS_MAX_UPLOAD_MB * MB


def upload_rules() -> inputs.Rules:
    return inputs.Rules(formats=UPLOAD_FORMATS, max_bytes=max_upload_bytes())


def marked_label(label: str, job) -> str:
    """The label sent upstream: the person's, cut so that the marker fits in 40."""
    from recordings.models import Recording

    kept = (label or "").strip()[: Recording.LABEL_MAX - MARKER_LENGTH].rstrip()
    return kinds.marked(kept, job) if kept else f"[{job.marker}]"


class FolderOriginal(JobKind):
    """What an upload and a spoken original share: found by the marker in the folder,
    followed by one list of the folder's originals per poll, labelled as the person
    asked, then mirrored into the folder."""

    provider = Provider.RESPEECHER
    # The activity verb written when the original has arrived.
    verb = ""
    made_label = "Open the take"

    @classmethod
    def made_url(cls, job) -> str | None:
        from recordings.kinds import made_take, take_url

        return take_url(made_take(job))

    @dataclass(frozen=True)
    class Params(kinds.Params):
        folder_pk: int
        folder_id: str
        label: str = ""

    def _remote(self, job, recording: RemoteRecording) -> Remote:
        if recording.state == FAILED:
            message = recording.error or "Respeecher could not make the original."
            return Remote(recording.id, FAILED, recording.status or "error", message, recording.raw)
        status = recording.status or ""
        if recording.state != COMPLETED:
            return Remote(recording.id, PROCESSING, status, payload=recording.raw)
        if kinds.carries_marker(recording.label, job):
            return Remote(recording.id, PROCESSING, f"{status}: labelling", payload=recording.raw)
        return Remote(recording.id, COMPLETED, status or "done", payload=recording.raw)

    def _labelled(
        self, job, recording: RemoteRecording, client: RespeecherClient
    ) -> RemoteRecording:
        """The recording with the person's label in place of the marked one, once it is
        done (a PATCH while Respeecher still processes it could be overwritten). Only a
        label still carrying the marker is replaced: one changed at Respeecher since
        stays, and whatever Respeecher keeps of ours ends the job (no PATCH loop)."""
        if recording.state != COMPLETED or not kinds.carries_marker(recording.label, job):
            return recording
        return client.update_recording(recording.id, label=self.params(job).label)

    def done_with_inputs(self, job) -> None:
        """What the job stored for sending, deleted once Respeecher has it."""

    def find(self, job, client: RespeecherClient) -> Remote | None:
        for recording in client.iter_originals(self.params(job).folder_id):
            if kinds.carries_marker(recording.label, job):
                return self._remote(job, recording)
        return None

    def fetch_one(self, job, client: RespeecherClient) -> Remote | None:
        try:
            recording = client.get_recording(job.remote_id)
        except NotFound:
            return None
        return self._remote(job, self._labelled(job, recording, client))

    def fetch_many(self, jobs, client: RespeecherClient) -> dict[str, Remote | None]:
        """Per folder, whichever costs fewer calls: its originals listed in pages of
        LIST_PAGE (as many pages as the mirror holds originals there), or one GET per
        job in flight. A job's refusal fails that job only; a passing failure waits."""
        from recordings.models import Recording

        found: dict[str, Remote | None] = {}
        by_folder: dict[int, list] = {}
        for job in jobs:
            by_folder.setdefault(self.params(job).folder_pk, []).append(job)
        for folder_pk, waiting in by_folder.items():
            listed = None
            known = Recording.objects.filter(folder_id=folder_pk).originals().count()
            if len(waiting) > known // LIST_PAGE + 1:
                folder_id = self.params(waiting[0]).folder_id
                try:
                    listed = {
                        r.id: r for r in client.iter_originals(folder_id, page_size=LIST_PAGE)
                    }
                except NotFound:
                    found.update(dict.fromkeys(job.remote_id for job in waiting))
                    continue
                except (RateLimited, Unavailable, ProtocolError):
                    continue
            for job in waiting:
                recording = listed.get(job.remote_id) if listed is not None else None
                try:
                    if recording is None:
                        # Not listed (yet, or any more), or cheaper so: asked for by id.
                        found[job.remote_id] = self.fetch_one(job, client)
                    else:
                        labelled = self._labelled(job, recording, client)
                        found[job.remote_id] = self._remote(job, labelled)
                except BadRequest as exc:
                    found[job.remote_id] = Remote(job.remote_id, FAILED, "refused", exc.message)
                except (RateLimited, Unavailable, ProtocolError):
                    continue
        return found

    def on_finished(self, job) -> None:
        """Mirror the new original into its folder at once, and say so in the log."""
        if job.status != Status.COMPLETED or job.account is None:
            return
        from django.db import transaction

        from activity.log import record
        from recordings import sync
        from recordings.models import Folder, Recording

        self.done_with_inputs(job)
        remote = RemoteRecording.from_raw(job.remote or {})
        params = self.params(job)
        folder = Folder.objects.filter(
            pk=params.folder_pk, team_id=job.team_id, account_id=job.account_id
        ).first()
        if not remote.id or folder is None:
            return  # the folder went while it was being made: the next sync finds it
        with transaction.atomic():
            mirrored = sync.recording_record(remote, folder.project_id, folder.pk)
            original = sync.save_one(Recording, job.account, mirrored)
            record(
                job.team,
                self.verb,
                actor=job.created_by,
                target=original,
                message=f"Into “{folder.name}”.",
            )


class RespeecherUpload(FolderOriginal):
    """An audio file we stored (an InputFile), sent to a folder as a new original,
    streamed from disk by the worker."""

    name = "respeecher.upload"

    verbose_name = "Upload"
    verb = Verb.TAKE_UPLOADED
    marker_note = (
        "Respeecher upload: the label sent ends with ` [<marker>]` (the person's label cut "
        "to fit 40); found among the folder's originals by that suffix, then relabelled"
    )

    @dataclass(frozen=True)
    class Params(FolderOriginal.Params):
        input_id: int | None = None

    @classmethod
    def start(cls, *, folder, by, stored, label=""):
        """Send a stored file (an InputFile) into `folder` (a mirrored Folder)."""
        params = cls.Params(
            folder_pk=folder.pk, folder_id=folder.remote_id, label=label or "", input_id=stored.pk
        )
        title = f"Upload “{stored.original_name}”"
        return cls.create(account=folder.account, by=by, label=title, params=params)

    def done_with_inputs(self, job) -> None:
        """The stored copy goes once Respeecher has the original (it may be as large as
        RECORDINGS_MAX_UPLOAD_MB); a failed upload keeps it, for a retry."""
        from jobs.models import InputFile

        InputFile.objects.filter(pk=self.params(job).input_id, team=job.team).delete()

    def submit(self, job, client: RespeecherClient) -> Remote:
        from jobs.models import InputFile

        params = self.params(job)
        stored = InputFile.objects.filter(pk=params.input_id, team=job.team).first()
        if stored is None:
            raise Unsendable("Its file was deleted before it could be sent.")
        with stored.file.open("rb") as handle:
            recording = client.upload_recording(
                params.folder_id,
                handle,
                label=marked_label(params.label, job),
                filename=stored.original_name,
            )
        # Relabelled by the polls, which ask by id: a lost answer there costs nothing.
        return self._remote(job, recording)


class RespeecherSpeech(FolderOriginal):
    """Text Respeecher speaks (v2 text to speech) into a folder, as a new original."""

    name = "respeecher.speech"

    verbose_name = "Speech"
    verb = Verb.TAKE_SPOKEN
    marker_note = (
        "Respeecher text to speech into a folder: as the upload, the label ends with "
        "` [<marker>]`; found among the folder's originals, then relabelled"
    )

    @dataclass(frozen=True)
    class Params(FolderOriginal.Params):
        text: str = ""
        language: str = ""

    @classmethod
    def start(cls, *, folder, by, text, language="", label=""):
        params = cls.Params(
            folder_pk=folder.pk,
            folder_id=folder.remote_id,
            label=label or "",
            text=text,
            language=language or "",
        )
        title = f"Speak “{text[:60]}”"
        return cls.create(account=folder.account, by=by, label=title, params=params)

    def submit(self, job, client: RespeecherClient) -> Remote:
        params = self.params(job)
        recording = client.create_tts_recording(
            params.folder_id,
            params.text,
            text_language=params.language or None,
            label=marked_label(params.label, job),
        )
        return self._remote(job, recording)


KINDS = (RespeecherUpload.name, RespeecherSpeech.name)


def upload_files(folder, files, *, label="", user=None) -> list:
    """Store each file (checked by its bytes again) and start one upload job for it, in
    one transaction: a file refused here leaves nothing stored and nothing started."""
    from django.db import transaction

    rules = upload_rules()
    with transaction.atomic():
        return [
            RespeecherUpload.start(
                folder=folder,
                by=user,
                stored=inputs.store(folder.team, upload, rules, user=user),
                label=label,
            )
            for upload in files
        ]


def speak(folder, text, *, language="", label="", user=None):
    """Start the job that has Respeecher speak `text` into `folder`."""
    return RespeecherSpeech.start(folder=folder, by=user, text=text, language=language, label=label)
