"""Starting the voice catalog's jobs: clones at A2E and Burki, and speech with any voice,
each written with its row beside it (a Clone, a Generation). Views read the request and
call these; a form only checks what was sent."""

from django.db import transaction

from jobs import inputs
from jobs.models import Job
from recordings import options
from recordings.uploading import RespeecherSpeech
from teams.models import Provider
from voices.forms import A2E_SAMPLE_RULES, SpeechForm
from voices.kinds import A2ETextToSpeech, A2EVoiceClone, BurkiClonedVoice, record_generation


def a2e_clone(*, account, by, data: dict) -> Job:
    """Store the samples and start training the clone; `data` is a valid CloneForm's
    cleaned data. A sample refused as it is stored leaves nothing stored or started."""
    with transaction.atomic():
        stored = [inputs.store(account.team, f, A2E_SAMPLE_RULES, user=by) for f in data["samples"]]
        return A2EVoiceClone.start(
            account=account,
            by=by,
            name=data["name"],
            gender=data["gender"],
            language=data["language"],
            model=data["model"],
            denoise=data["denoise"],
            samples=stored,
            sample_urls=data["sample_urls"],
        )


def burki_clone(*, account, by, data: dict, rules: inputs.Rules | None = None) -> list[Job]:
    """Start one clone per chosen host (`data["provider"]`) for the assistant; `data` is
    a valid BurkiCloneForm's cleaned data. A new recording is stored first (checked by
    `rules`, its host's) and uploaded when its job is sent; one of the assistant's
    samples (`data["voice_sample"]`) is cloned as it is, uploaded by no job."""
    with transaction.atomic():
        stored = None
        if data.get("voice_sample") is None:
            stored = inputs.store(account.team, data["sample"], rules, user=by)
        return [
            BurkiClonedVoice.start(
                account=account,
                by=by,
                assistant_id=data["assistant"],
                provider=host,
                name=data["name"],
                sample=stored,
                voice_sample_id=data.get("voice_sample"),
                language=data["language"],
                description=data["description"],
                tags=data["tags"],
                enhance_quality=data["enhance_quality"],
            )
            for host in data["provider"]
        ]


def speak(*, by, data: dict) -> Job:
    """Start the speech job for the chosen voice at its provider; `data` is a valid
    SpeechForm's cleaned data."""
    voice = data["voice"]
    with transaction.atomic():
        if voice.provider == Provider.RESPEECHER:
            target = options.target(voice, data, tts=True, named=SpeechForm.ORDER_NAMES)
            return respeecher_speech(
                target=target,
                by=by,
                text=data["text"],
                folder_id=data.get("folder", ""),
                calibration_id=data.get("calibration", ""),
                language=data.get("language", ""),
            )
        return A2ETextToSpeech.start(
            voice=voice,
            by=by,
            text=data["text"],
            speech_rate=data.get("speech_rate"),
            country=data.get("country", ""),
            region=data.get("region", ""),
        )


def respeecher_speech(*, target, by, text, folder_id, calibration_id="", language="") -> Job:
    """Have Respeecher speak `text` into the folder `folder_id`, then convert it into
    `target.voice` (recordings.options.Target: its narration style and semitones); the
    speech history's row is written with the job. Call inside a transaction."""
    job = RespeecherSpeech.start_in_voice(
        target=target,
        by=by,
        text=text,
        folder_id=folder_id,
        calibration_id=calibration_id,
        language=language,
    )
    record_generation(job, target.voice, text)
    return job
