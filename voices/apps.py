"""App config for voices: the voice catalog across providers, and its job kinds."""

from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "voices"

    def ready(self):
        from jobs.kinds import register
        from voices import kinds

        register(kinds.A2EVoiceClone())
        register(kinds.A2ETextToSpeech())
        register(kinds.BurkiClonedVoice())
        register(kinds.RespeecherTextToSpeech())
