"""App config for recordings: Respeecher's projects, folders, takes and their conversions."""

from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"

    def ready(self):
        from jobs.kinds import register
        from recordings import calibrating, kinds, uploading

        register(kinds.RespeecherConversion())
        register(uploading.RespeecherUpload())
        register(uploading.RespeecherSpeech())
        register(calibrating.RespeecherCalibration())
