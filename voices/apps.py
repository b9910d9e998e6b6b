"""App config for voices: the voice catalog across providers, its job kinds, and its
answers to what recordings asks of the catalog."""

from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "voices"

    def ready(self):
        from jobs.kinds import register
        from voices import kinds, receivers  # noqa: F401 - receivers connect on import

        register(kinds.A2EVoiceClone())
        register(kinds.A2ETextToSpeech())
        register(kinds.BurkiClonedVoice())
