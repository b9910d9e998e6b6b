"""App config for voices: the voice catalog across providers."""

from django.apps import AppConfig


class VoicesConfig(AppConfig):
    name = "voices"
