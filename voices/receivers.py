"""The voice catalog answers what the recordings app asks of it (recordings.signals)."""

from django.dispatch import receiver

from recordings.signals import convertible_voices, voice_records
from teams.models import Provider
from voices.models import Voice


@receiver(convertible_voices)
def account_convertible_voices(sender, account, **kwargs) -> list[Voice]:
    return list(
        Voice.objects.for_team(account.team)
        .filter(account=account)
        .listed()
        .convertible()
        .only("name", "remote_id", "raw", "account_id", "provider")
        .order_by("name", "pk")
    )


@receiver(voice_records)
def respeecher_voice_records(sender, team_id, remote_ids, **kwargs) -> dict[str, dict]:
    return {
        v.remote_id: v.raw or {}
        for v in Voice.objects.filter(
            team_id=team_id, provider=Provider.RESPEECHER, remote_id__in=remote_ids
        ).only("remote_id", "raw")
    }
