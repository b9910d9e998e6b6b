"""App config for voices: the voice catalog across providers, its job kinds, and its
answers to what recordings asks of the catalog."""

from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "voices"

    def ready(self):
        from django.db.models.signals import post_migrate

        from jobs.kinds import register
        from voices import kinds, receivers  # noqa: F401 - receivers connect on import

        register(kinds.A2EVoiceClone())
        register(kinds.A2ETextToSpeech())
        register(kinds.BurkiClonedVoice())

        post_migrate.connect(_search_triggers, sender=self)


def _search_triggers(using, **kwargs):
    from voices.search import restore_sqlite_upkeep

    restore_sqlite_upkeep(using)
