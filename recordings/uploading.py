"""Originals into a Respeecher folder: an uploaded audio file, or text Respeecher speaks,
each sent by a worker as a job and mirrored into the folder once Respeecher has it.
Speech from the Voices page is the same kind, with one more step: once spoken, the
original is converted into the chosen voice, and that conversion's audio is the result.

Crash safety. Respeecher keeps a recording's `label` (at most 40 characters) and
nothing else we choose, so the job's marker travels in the label: the label sent is
the person's label cut to fit, then ` [<marker>]` (`marked_label`). A submission whose
answer was lost is found again among the folder's originals by that suffix, never by
file name (people upload the same file twice). Once the job has the recording's id,
polls ask for it by id and PATCH the label back to exactly what the person typed; only
then is the job completed and the original mirrored, so the marker is never shown here.
A PATCH whose answer is lost is simply sent again by the next poll (it is idempotent).
Speech in a voice orders its conversion with a label marked the same way; the order is
placed by one poll at a time (engine.take_step), only when no conversion of the
original carries the marker, and the conversion is relabelled once its id is on the job.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from activity.models import Verb
from jobs import inputs, kinds
from jobs.kinds import COMPLETED, FAILED, PROCESSING, JobKind, Remote, Unsendable
from jobs.models import Status
from providers import BadRequest, NotFound, ProtocolError, RateLimited, Unavailable
from providers.respeecher import Conversion, RespeecherClient
from providers.respeecher import Recording as RemoteRecording
from recordings.kinds import calibration_choice
from recordings.models import Arrival, Recording
from teams.models import Provider

MB = 1024 * 1024
# What Respeecher takes (docs/upstream/respeecher.md), judged by the bytes.
UPLOAD_FORMATS = ("wav", "ogg", "mp3", "flac")
# The shortest take recorded in the page that is kept (the page says so too).
RECORDED_MIN_SECONDS = 1.0
# Respeecher's `microphone` is a free string; a device's name is kept to this here.
MICROPHONE_MAX = 100
# Respeecher publishes no limit for v2 text to speech; the sandbox's is this.
SPEECH_MAX_CHARS = 5000
# Originals asked for per list call when polling a folder with many jobs in flight.
LIST_PAGE = 100
# " [vb0123456789]": what the marker adds to a label.
MARKER_LENGTH = 15
# How long a poll that placed a conversion order holds the job before another may look
# again and, finding no conversion carrying the marker, order once more.
ORDER_HOLD = 300


def max_upload_bytes() -> int:
    return settings.RECORDINGS_MAX_UPLOAD_MB * MB


def upload_rules() -> inputs.Rules:
    return inputs.Rules(formats=UPLOAD_FORMATS, max_bytes=max_upload_bytes())


def recorded_rules() -> inputs.Rules:
    """A take recorded in the page (static/js/recorder.js): the WAV it encodes, of at
    least RECORDED_MIN_SECONDS, read from its header."""
    return inputs.Rules(
        formats=("wav",), max_bytes=max_upload_bytes(), min_seconds=RECORDED_MIN_SECONDS
    )


def marked_label(label: str, job) -> str:
    """The label sent upstream: the person's, cut so that the marker fits in 40."""
    kept = (label or "").strip()[: Recording.LABEL_MAX - MARKER_LENGTH].rstrip()
    return kinds.marked(kept, job) if kept else f"[{job.marker}]"


def carries_marker(label: str | None, job) -> bool:
    """Whether a recording's label is still the one `marked_label` sent for `job`. Speech
    from the Voices page started before its kind and the folder's were one (migration
    jobs 0009) sent the bare marker as the whole label: those jobs are found by it too."""
    return kinds.carries_marker(label, job) or (label or "") == job.marker


def first_words(text: str) -> str:
    """The label of speech nobody labelled (the Voices page has no label field): the
    text's first words that fit in Respeecher's 40 characters, with … when cut."""
    words = " ".join((text or "").split())
    if len(words) <= Recording.LABEL_MAX:
        return words
    room = Recording.LABEL_MAX - 1  # for the …
    head = words[: room + 1]
    head = head[: head.rindex(" ")] if " " in head else head[:room]
    return head.rstrip(" ,;:") + "…"


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

    # What the folder's row says arrived (recordings.models.Arrival.Kind).
    arrival = ""

    @classmethod
    def arrive(cls, job, folder):
        """The folder's row for the original on its way: its page lists these jobs."""
        return Arrival.objects.create(team_id=job.team_id, job=job, folder=folder, kind=cls.arrival)

    def on_retry(self, old, new) -> None:
        """The retry is shown where the first attempt was: in the same folder."""
        first = Arrival.objects.filter(job=old).select_related("folder").first()
        if first is not None:
            self.arrive(new, first.folder)

    @dataclass(frozen=True)
    class Params(kinds.Params):
        # The mirrored folder; None for a folder the mirror may not hold (Voices page).
        folder_pk: int | None = None
        folder_id: str = ""
        label: str = ""

    def _remote(self, job, recording: RemoteRecording) -> Remote:
        if recording.state == FAILED:
            message = recording.error or "Respeecher could not make the original."
            return Remote(recording.id, FAILED, recording.status or "error", message, recording.raw)
        status = recording.status or ""
        if recording.state != COMPLETED:
            return Remote(recording.id, PROCESSING, status, payload=recording.raw)
        if carries_marker(recording.label, job):
            return Remote(recording.id, PROCESSING, f"{status}: labelling", payload=recording.raw)
        return Remote(recording.id, COMPLETED, status or "done", payload=recording.raw)

    def _labelled(
        self, job, recording: RemoteRecording, client: RespeecherClient
    ) -> RemoteRecording:
        """The recording with the person's label in place of the marked one, once it is
        done (a PATCH while Respeecher still processes it could be overwritten). Only a
        label still carrying the marker is replaced: one changed at Respeecher since
        stays, and whatever Respeecher keeps of ours ends the job (no PATCH loop)."""
        if recording.state != COMPLETED or not carries_marker(recording.label, job):
            return recording
        return client.update_recording(recording.id, label=self.params(job).label)

    def done_with_inputs(self, job) -> None:
        """What the job stored for sending, deleted once Respeecher has it."""

    def find(self, job, client: RespeecherClient) -> Remote | None:
        for recording in client.iter_originals(self.params(job).folder_id):
            if carries_marker(recording.label, job):
                return self._remote(job, recording)
        return None

    def follow(self, job, recording: RemoteRecording, client: RespeecherClient) -> Remote | None:
        """The job's state from its original as just read (by id, or listed)."""
        return self._remote(job, self._labelled(job, recording, client))

    def fetch_one(self, job, client: RespeecherClient) -> Remote | None:
        try:
            recording = client.get_recording(job.remote_id)
        except NotFound:
            return None
        return self.follow(job, recording, client)

    def fetch_many(self, jobs, client: RespeecherClient) -> dict[str, Remote | None]:
        """Per folder, whichever costs fewer calls: its originals listed in pages of
        LIST_PAGE (as many pages as the mirror holds originals there), or one GET per
        job in flight. A job's refusal fails that job only; a passing failure waits."""
        found: dict[str, Remote | None] = {}
        by_folder: dict[int | None, list] = {}
        for job in jobs:
            by_folder.setdefault(self.params(job).folder_pk, []).append(job)
        for folder_pk, waiting in by_folder.items():
            listed = None
            # A folder not in the mirror (chosen on the Voices page) is asked job by job.
            if folder_pk is not None and len(waiting) > _known(folder_pk) // LIST_PAGE + 1:
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
                        found[job.remote_id] = self.follow(job, recording, client)
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
        from recordings.models import Folder

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
    arrival = Arrival.Kind.UPLOAD
    marker_note = (
        "Respeecher upload: the label sent ends with ` [<marker>]` (the person's label cut "
        "to fit 40); found among the folder's originals by that suffix, then relabelled"
    )

    @dataclass(frozen=True)
    class Params(FolderOriginal.Params):
        input_id: int | None = None
        # Respeecher's `microphone`: the device a take recorded in the page came from;
        # "" for a file, sent as Respeecher's "file".
        microphone: str = ""

    @classmethod
    def start(cls, *, folder, by, stored, label="", microphone=""):
        """Send a stored file (an InputFile) into `folder` (a mirrored Folder)."""
        params = cls.Params(
            folder_pk=folder.pk,
            folder_id=folder.remote_id,
            label=label or "",
            input_id=stored.pk,
            microphone=microphone or "",
        )
        title = f"Upload “{stored.original_name}”"
        job = cls.create(account=folder.account, by=by, label=title, params=params)
        cls.arrive(job, folder)
        return job

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
                microphone=params.microphone or "file",
            )
        # Relabelled by the polls, which ask by id: a lost answer there costs nothing.
        return self._remote(job, recording)


class RespeecherSpeech(FolderOriginal):
    """Text Respeecher speaks (v2 text to speech) into a folder, as a new original; from
    the Voices page, then converted into the chosen voice with a narration style (the
    conversion's audio is the result, and nothing is mirrored). Both steps carry the
    marker in their label, relabelled to the person's label before the job completes."""

    name = "respeecher.speech"

    verbose_name = "Speech"
    verb = Verb.TAKE_SPOKEN
    arrival = Arrival.Kind.SPEECH
    marker_note = (
        "Respeecher speech (into a folder, or from the Voices page into a voice): as the "
        "upload, the original's label ends with ` [<marker>]`, and so does its "
        "conversion's; found among the folder's originals, then the original's "
        "conversions, by that suffix, and each relabelled"
    )

    @dataclass(frozen=True)
    class Params(FolderOriginal.Params):
        text: str = ""
        language: str = ""
        # The conversion after speaking (the Voices page); no voice_id: no conversion.
        voice_id: str = ""
        narration_style_id: str = ""
        semitones: float | None = None
        # "" converts with the account's enabled calibration, as Respeecher does itself.
        calibration_id: str = ""

    @classmethod
    def start(cls, *, folder, by, text, language="", label=""):
        """Speak `text` into `folder` (a mirrored Folder) as a new original."""
        params = cls.Params(
            folder_pk=folder.pk,
            folder_id=folder.remote_id,
            label=label or "",
            text=text,
            language=language or "",
        )
        title = f"Speak “{text[:60]}”"
        job = cls.create(account=folder.account, by=by, label=title, params=params)
        cls.arrive(job, folder)
        return job

    @classmethod
    def start_in_voice(cls, *, target, by, text, folder_id, calibration_id="", language=""):
        """Speak `text` into the Respeecher folder `folder_id`, then convert it into
        `target.voice` (a catalog voice) with `target`'s narration style and semitones
        (recordings.options.Target). Both are labelled with the text's first words.
        The caller writes the speech history's row (voices.starting)."""
        voice = target.voice
        params = cls.Params(
            folder_pk=None,
            folder_id=folder_id,
            label=target.label or first_words(text),
            text=text,
            language=language or "",
            voice_id=voice.remote_id,
            narration_style_id=target.narration_style_id,
            semitones=target.semitones,
            calibration_id=calibration_id or "",
        )
        title = f"Speech: {text[:60]}"
        return cls.create(account=voice.account, by=by, label=title, params=params)

    @classmethod
    def in_voice(cls, job) -> bool:
        return bool(cls.params(job).voice_id)

    @classmethod
    def made_label_for(cls, job) -> str:
        return "Listen" if cls.in_voice(job) else cls.made_label

    @classmethod
    def made_url(cls, job) -> str | None:
        return kinds.audio_url(job) if cls.in_voice(job) else super().made_url(job)

    def submit(self, job, client: RespeecherClient) -> Remote:
        params = self.params(job)
        recording = client.create_tts_recording(
            params.folder_id,
            params.text,
            text_language=params.language or None,
            label=marked_label(params.label, job),
        )
        return self._remote(job, recording)

    def follow(self, job, recording: RemoteRecording, client: RespeecherClient) -> Remote | None:
        spoken = super().follow(job, recording, client)
        if spoken is None or spoken.state != COMPLETED or not self.in_voice(job):
            return spoken
        return self._conversion(job, recording, client)

    # The conversion into the voice -------------------------------------------------------

    def _conversion(self, job, original: RemoteRecording, client: RespeecherClient):
        """The conversion's state, ordering it first when none carries the marker. Its
        label is given back only once its id is on the job (kept by an earlier poll), so
        that a poll whose answer is lost after the PATCH never loses sight of it."""
        known = (job.remote or {}).get("conversion_id") or ""
        if known:
            try:
                conversion = client.get_recording(known)
            except NotFound:
                return None
            if conversion.state == COMPLETED and carries_marker(conversion.label, job):
                conversion = client.update_recording(conversion.id, label=self.params(job).label)
            return self._converting(original, conversion)
        conversion = next(
            (c for c in client.iter_conversions(original.id) if carries_marker(c.label, job)),
            None,
        )
        if conversion is None:
            return self._order(job, original, client)
        if conversion.state == COMPLETED:
            # Kept now (a new status, so the row keeps this payload); relabelled next poll.
            return Remote(
                original.id,
                PROCESSING,
                "converting: labelling",
                payload=self._payload(original, conversion.id, conversion.raw),
            )
        return self._converting(original, conversion)

    @staticmethod
    def _payload(original: RemoteRecording, conversion_id: str, raw: dict | None = None) -> dict:
        return {"original": original.raw, "conversion_id": conversion_id, "conversion": raw or {}}

    def _order(self, job, original: RemoteRecording, client: RespeecherClient) -> Remote:
        """Order the conversion, unless another poll holds the order step (it is
        ordering, or its order is not listed yet)."""
        from jobs import engine

        if not engine.take_step(job, ORDER_HOLD):
            return Remote(
                original.id, PROCESSING, "converting: ordering", payload={"original": original.raw}
            )
        params = self.params(job)
        items = client.create_order(
            original.id,
            [
                Conversion(
                    voice_id=params.voice_id,
                    narration_style_id=params.narration_style_id or None,
                    semitones_correction=params.semitones,
                    label=marked_label(params.label, job),
                )
            ],
            **calibration_choice(params.calibration_id),
        )
        item = items[0] if items else None
        if item is not None and item.state == FAILED:
            return Remote(
                original.id,
                FAILED,
                item.status or "error",
                item.error or "Respeecher refused the conversion.",
                item.raw,
            )
        conversion_id = item.conversion_id if item is not None else ""
        return Remote(
            original.id,
            PROCESSING,
            "converting: ordered",
            payload=self._payload(original, conversion_id or ""),
        )

    def _converting(self, original: RemoteRecording, conversion: RemoteRecording) -> Remote:
        """The job's state as its conversion shows it: done once it has audio to copy."""
        payload = self._payload(original, conversion.id, conversion.raw)
        if conversion.state == COMPLETED and conversion.url:
            return Remote(
                original.id,
                COMPLETED,
                conversion.status or "done",
                payload=payload,
                results=(("audio", conversion.url),),
            )
        if conversion.state == FAILED:
            return Remote(
                original.id,
                FAILED,
                conversion.status or "error",
                conversion.error or "The conversion failed.",
                payload,
            )
        return Remote(
            original.id,
            PROCESSING,
            f"converting: {conversion.status or ''}".strip(),
            payload=payload,
        )

    def on_finished(self, job) -> None:
        """Speech in a voice made audio, kept with the job; the folder's is mirrored."""
        if not self.in_voice(job):
            super().on_finished(job)


def _known(folder_pk: int) -> int:
    """How many originals the mirror holds in the folder."""
    return Recording.objects.filter(folder_id=folder_pk).originals().count()


def upload_files(folder, files, *, label="", user=None, microphone="") -> list:
    """Store each file (checked by its bytes again) and start one upload job for it, in
    one transaction: a file refused here leaves nothing stored and nothing started.
    `microphone` names the device of a take recorded in the page (recorded_rules)."""
    from django.db import transaction

    rules = recorded_rules() if microphone else upload_rules()
    with transaction.atomic():
        return [
            RespeecherUpload.start(
                folder=folder,
                by=user,
                stored=inputs.store(folder.team, upload, rules, user=user),
                label=label,
                microphone=microphone,
            )
            for upload in files
        ]


def speak(folder, text, *, language="", label="", user=None):
    """Start the job that has Respeecher speak `text` into `folder`."""
    return RespeecherSpeech.start(folder=folder, by=user, text=text, language=language, label=label)
