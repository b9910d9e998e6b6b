"""Starting the voice catalog's jobs: speech in a voice, with its history row beside."""

from recordings.uploading import RespeecherSpeech
from voices.kinds import record_generation


def respeecher_speech(*, target, by, text, folder_id, calibration_id="", language=""):
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
