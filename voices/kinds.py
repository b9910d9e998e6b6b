"""Job kinds of the voice catalog: training an A2E clone, A2E text-to-speech and cloning a
Burki voice. Respeecher speech in a voice is the recordings app's speech kind
(recordings.uploading.RespeecherSpeech), started from voices.starting."""

from dataclasses import dataclass, field

from jobs import kinds
from jobs.kinds import (
    COMPLETED,
    FAILED,
    JobKind,
    Remote,
    Unsendable,
    carries_marker,
    marked,
)
from jobs.models import Status
from providers import NotFound
from providers.a2e import A2EClient
from providers.a2e import Voice as A2EVoice
from providers.burki import BurkiClient
from teams.models import Provider


def made_voice_url(job) -> str | None:
    """The catalog page of the voice a finished clone job made, once it is there."""
    from voices.models import Voice

    voice = Voice.objects.filter(
        team_id=job.team_id, provider=job.provider, tts_list=False, remote_id=job.remote_id
    ).first()
    return voice.get_absolute_url() if voice and job.remote_id else None


def record_clone(job, name: str) -> None:
    """A clone's row beside its job: what was asked for, linked to the voice once made."""
    from voices.models import Clone

    Clone.objects.create(team_id=job.team_id, job=job, name=name, created_by=job.created_by)


class CloneKind(JobKind):
    """What an A2E and a Burki clone share: their row, kept through a retry, and linked
    to the voice the finished job put into the catalog."""

    made_label = "Open the voice"

    @classmethod
    def made_url(cls, job) -> str | None:
        return made_voice_url(job)

    def on_retry(self, old, new) -> None:
        from voices.models import Clone

        first = Clone.objects.filter(job=old).first()
        record_clone(new, first.name if first else self.params(old).name)

    def link_voice(self, job) -> None:
        from voices.models import Clone, Voice

        voice = Voice.objects.filter(
            account_id=job.account_id, tts_list=False, remote_id=job.remote_id
        ).first()
        if voice is not None:
            Clone.objects.filter(job=job).update(voice=voice)


# What to do about a clone that failed, after the provider's reason (docs/upstream: A2E
# takes 15-60 s of one speaker; Burki's hosts each have their own limits).
A2E_CLONE_TIPS = (
    "Clone it again with clearer samples: one speaker, little background noise,"
    " 15 to 60 seconds each."
)
A2E_CLONE_ADVICE = f"{A2E_CLONE_TIPS} Retry sends the same samples again."
BURKI_CLONE_TIPS = "Clone it again from a clearer recording, or at another host."
BURKI_CLONE_ADVICE = f"{BURKI_CLONE_TIPS} Retry sends the same sample to the same host."


def clone_remote(voice: A2EVoice) -> Remote:
    return Remote(
        remote_id=voice.id,
        state=voice.state,
        status=voice.status or "",
        message=voice.failed_message or "",
        payload=voice.raw,
    )


class A2EVoiceClone(CloneKind):
    name = "a2e.voice_clone"
    verbose_name = "Voice clone"
    failure_advice = A2E_CLONE_ADVICE
    provider = Provider.A2E
    callback_kind = "voice"
    marker_note = "A2E voice clone: the `name` sent ends with `[<marker>]`; found by that suffix"

    @dataclass(frozen=True)
    class Params(kinds.Params):
        name: str
        gender: str
        language: str
        model: str = ""
        denoise: bool = False
        input_ids: list[int] = field(default_factory=list)
        sample_urls: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        *,
        account,
        by,
        name,
        gender,
        language,
        model="",
        denoise=False,
        samples=(),
        sample_urls=(),
    ):
        """Train a clone from stored samples (InputFiles) and/or links to samples."""
        params = cls.Params(
            name=name,
            gender=gender,
            language=language,
            model=model or "",
            denoise=bool(denoise),
            input_ids=[f.pk for f in samples],
            sample_urls=list(sample_urls),
        )
        if not (params.input_ids or params.sample_urls):
            raise ValueError("A clone needs at least one sample.")
        job = cls.create(account=account, by=by, label=f"Clone “{name}”", params=params)
        record_clone(job, name)
        return job

    def submit(self, job, client: A2EClient) -> Remote:
        from jobs import inputs
        from jobs.models import InputFile

        params = self.params(job)
        files = InputFile.objects.filter(pk__in=params.input_ids, team=job.team)
        urls = [inputs.public_url(f) for f in files] + params.sample_urls
        if not urls:
            raise Unsendable("Its samples were deleted before it could be sent.")
        voice = client.train_voice(
            marked(params.name, job),
            urls,
            params.gender,
            params.language,
            model=params.model or None,
            # Left unsaid unless asked for: A2E's default applies.
            denoise=True if params.denoise else None,
        )
        return clone_remote(voice)

    def _all(self, client: A2EClient):
        yield from client.list_processing_voices()
        yield from client.list_completed_voices()

    def find(self, job, client: A2EClient) -> Remote | None:
        for voice in self._all(client):
            if carries_marker(voice.name, job):
                return clone_remote(voice)
        return None

    def fetch_one(self, job, client: A2EClient) -> Remote | None:
        try:
            return clone_remote(client.get_voice(job.remote_id))
        except NotFound:
            return None

    def fetch_many(self, jobs, client: A2EClient) -> dict[str, Remote | None]:
        wanted = {job.remote_id for job in jobs}
        found = {v.id: clone_remote(v) for v in self._all(client) if v.id in wanted}
        # A failed clone may drop out of both lists: ask for a few of those one by one.
        for job in [j for j in jobs if j.remote_id not in found][:5]:
            found[job.remote_id] = self.fetch_one(job, client)
        return found

    def from_callback(self, record: dict) -> Remote | None:
        voice = A2EVoice.from_raw(record)
        return clone_remote(voice) if voice.id else None

    def on_finished(self, job) -> None:
        if job.status != Status.COMPLETED or job.account is None:
            return
        from voices import sync

        voice = A2EVoice.from_raw(job.remote)
        if voice.id:
            sync.save_record(job.account, sync.a2e_clone_record(voice))
            self.link_voice(job)


def speech_label(text: str) -> str:
    return f"Speech: {text[:60]}"


def record_generation(job, voice, text, *, speech_rate=None, country="", region="") -> None:
    """The speech history's row for a text-to-speech job, whichever provider speaks."""
    from voices.models import Generation

    Generation.objects.create(
        team_id=job.team_id,
        voice=voice,
        voice_name=voice.name,
        text=text,
        speech_rate=speech_rate if speech_rate is not None else 1.0,
        country=country,
        region=region,
        job=job,
        created_by=job.created_by,
    )


class A2ETextToSpeech(JobKind):
    """A2E speaks synchronously: the answer to the request is the audio's URL. There is
    no record upstream to find again, so a submission cut off by a dead worker is sent
    once more (at most one extra generation is billed)."""

    name = "a2e.tts"

    verbose_name = "Speech"
    provider = Provider.A2E
    marker_note = "A2E text-to-speech: synchronous, nothing to find; an interrupted one is resent"
    made_label = "Listen"

    @dataclass(frozen=True)
    class Params(kinds.Params):
        text: str
        speech_rate: float | None = None
        # A public voice is named by tts_id, a clone by user_voice_id with its accent.
        tts_id: str | None = None
        user_voice_id: str | None = None
        country: str = ""
        region: str = ""

    @classmethod
    def start(cls, *, voice, by, text, speech_rate=None, country="", region=""):
        """Speak `text` with an A2E voice of the catalog; its Generation row beside."""
        from voices.models import Kind

        if voice.kind == Kind.CLONE:
            params = cls.Params(
                text=text,
                speech_rate=speech_rate,
                user_voice_id=voice.remote_id,
                country=country,
                region=region,
            )
        else:
            params = cls.Params(text=text, speech_rate=speech_rate, tts_id=voice.remote_id)
        job = cls.create(account=voice.account, by=by, label=speech_label(text), params=params)
        record_generation(job, voice, text, speech_rate=speech_rate, country=country, region=region)
        return job

    @classmethod
    def made_url(cls, job) -> str | None:
        return kinds.audio_url(job)

    def submit(self, job, client: A2EClient) -> Remote:
        params = self.params(job)
        url = client.send_tts(
            params.text,
            tts_id=params.tts_id,
            user_voice_id=params.user_voice_id,
            country=params.country or None,
            region=params.region or None,
            speech_rate=params.speech_rate,
        )
        return Remote(
            remote_id=f"tts-{job.marker}",
            state=COMPLETED,
            status="completed",
            payload={"url": url},
            results=(("audio", url),),
        )

    def find(self, job, client: A2EClient) -> Remote | None:
        return None

    def fetch_one(self, job, client: A2EClient) -> Remote | None:
        # The answer to the submission completes the job in the same transaction; a job
        # polled at all lost that answer, and A2E keeps nothing to ask again for.
        return Remote(
            remote_id=job.remote_id,
            state=FAILED,
            status="lost",
            message="The audio's address was lost when a worker stopped; generate it again.",
        )


def burki_remote(voice) -> Remote:
    return Remote(
        remote_id=str(voice.id),
        state=voice.state,
        status=voice.status or "",
        message=str(voice.raw.get("error_message") or ""),
        payload=voice.raw,
    )


class BurkiClonedVoice(CloneKind):
    """Burki clones in two calls: upload the sample, then create the cloned voice from
    it; or in one, from a sample the assistant already has (`voice_sample_id`), which is
    how one sample is cloned on several hosts to compare them. A worker lost between the
    two calls re-uploads (a spare sample costs nothing) and the voice is created once:
    its name carries the marker, looked for before creating."""

    name = "burki.cloned_voice"

    verbose_name = "Voice clone"
    failure_advice = BURKI_CLONE_ADVICE
    provider = Provider.BURKI
    callback_kind = "cloned_voice"
    marker_note = (
        "Burki cloned voice: the `name` ends with `[<marker>]`; found in the assistant's list"
    )

    @dataclass(frozen=True)
    class Params(kinds.Params):
        assistant_id: int
        provider: str
        name: str
        input_id: int | None = None
        language: str = ""
        description: str = ""
        tags: list[str] = field(default_factory=list)
        enhance_quality: bool = True
        voice_sample_id: int | None = None

    @classmethod
    def start(
        cls,
        *,
        account,
        by,
        assistant_id,
        provider,
        name,
        sample=None,
        voice_sample_id=None,
        language="",
        description="",
        tags=(),
        enhance_quality=True,
    ):
        """Clone a voice for one assistant from a stored sample (an InputFile), uploaded
        when the job is sent, or from one of the assistant's samples at Burki."""
        if (sample is None) == (voice_sample_id is None):
            raise ValueError("A Burki clone takes a stored sample or a Burki sample id.")
        params = cls.Params(
            assistant_id=int(assistant_id),
            provider=provider,
            name=name,
            input_id=sample.pk if sample is not None else None,
            language=language or "",
            description=description or "",
            tags=list(tags),
            enhance_quality=bool(enhance_quality),
            voice_sample_id=int(voice_sample_id) if voice_sample_id is not None else None,
        )
        job = cls.create(account=account, by=by, label=f"Burki clone “{name}”", params=params)
        cls._record(job, name, params.voice_sample_id)
        return job

    @staticmethod
    def _record(job, name, voice_sample_id) -> None:
        from voices.models import Clone

        record_clone(job, name)
        if voice_sample_id is not None:
            Clone.objects.filter(job=job).update(burki_sample_id=voice_sample_id)

    def on_retry(self, old, new) -> None:
        super().on_retry(old, new)
        from voices.models import Clone

        sample_id = self.params(new).voice_sample_id
        if sample_id is not None:
            Clone.objects.filter(job=new).update(burki_sample_id=sample_id)

    def submit(self, job, client: BurkiClient) -> Remote:
        from jobs.models import InputFile
        from voices.models import Clone

        params = self.params(job)
        sample_id = params.voice_sample_id
        if sample_id is None:
            sample_file = InputFile.objects.filter(pk=params.input_id, team=job.team).first()
            if sample_file is None:
                raise Unsendable("Its sample was deleted before it could be sent.")
            with sample_file.file.open("rb") as handle:
                sample = client.upload_voice_sample(
                    params.assistant_id,
                    handle,
                    name=params.name,
                    filename=sample_file.original_name,
                )
            sample_id = sample.id
            Clone.objects.filter(job=job).update(burki_sample_id=sample_id)
        voice = client.create_cloned_voice(
            params.assistant_id,
            sample_id,
            params.provider,
            marked(params.name, job),
            language=params.language or None,
            description=params.description or None,
            tags=params.tags or None,
            enhance_quality=params.enhance_quality,
        )
        return burki_remote(voice)

    def find(self, job, client: BurkiClient) -> Remote | None:
        for voice in client.list_cloned_voices(self.params(job).assistant_id):
            if carries_marker(voice.name, job):
                return burki_remote(voice)
        return None

    def fetch_one(self, job, client: BurkiClient) -> Remote | None:
        return self.fetch_many([job], client).get(job.remote_id)

    def fetch_many(self, jobs, client: BurkiClient) -> dict[str, Remote | None]:
        by_assistant: dict[int, set[str]] = {}
        for job in jobs:
            by_assistant.setdefault(self.params(job).assistant_id, set()).add(job.remote_id)
        found: dict[str, Remote | None] = {}
        for assistant_id, wanted in by_assistant.items():
            try:
                listed = client.list_cloned_voices(assistant_id)
            except NotFound:
                found.update(dict.fromkeys(wanted))  # the assistant, and its voices, are gone
                continue
            seen = {str(v.id): v for v in listed}
            for remote_id in wanted:
                found[remote_id] = burki_remote(seen[remote_id]) if remote_id in seen else None
        return found

    def from_callback(self, record: dict) -> Remote | None:
        from providers.burki import ClonedVoice

        voice = ClonedVoice.from_raw(record)
        return burki_remote(voice) if voice.id is not None else None

    def on_finished(self, job) -> None:
        if job.status != Status.COMPLETED or job.account is None:
            return
        from providers.burki import ClonedVoice
        from voices import sync

        voice = ClonedVoice.from_raw(job.remote)
        if voice.id is not None:
            assistant_id = self.params(job).assistant_id
            name = sync.known_assistant_name(job.account, assistant_id)
            sync.save_record(job.account, sync.burki_clone_record(voice, assistant_id, name))
            self.link_voice(job)
