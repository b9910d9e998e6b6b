"""App config for the Usage page: what the team's provider accounts used and have left."""

from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "usage"
