"""Each room's coins its own: what opening charged and what leaving refunded, measured
around each event, replace the three balances read around the room's whole life. Old
rooms keep their figures where no other room of the account opened or was left while
they were read; where one did, their figures may hold the other room's, so they are
said to be unknown."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

ALONGSIDE = "it was open alongside another room before each room's coins were counted apart"
# The last coin read of an old room could come a little after its leave (the sweep
# retried failed reads).
LATE_READS = timedelta(minutes=10)


def carry_over(apps, schema_editor):
    Room = apps.get_model("avatars", "Room")
    now = timezone.now()
    measured = Room.objects.exclude(coins_before__isnull=True, coins_after__isnull=True)
    for room in measured.iterator():
        if room.coins_before is None or room.coins_opened is None:
            continue
        charged = room.coins_before - room.coins_opened
        refunded = None
        end = (room.opened_at or room.created_at) + timedelta(minutes=1)
        if room.coins_after is not None:
            refunded = room.coins_after - room.coins_opened
            end = (room.left_at or now) + LATE_READS
        others = Room.objects.filter(account_id=room.account_id).exclude(pk=room.pk)
        during = Q(created_at__range=(room.created_at, end)) | Q(
            left_at__range=(room.created_at, end)
        )
        unknown = ""
        if room.account_id is None or others.filter(during).exists():
            unknown = ALONGSIDE
        elif refunded is None and room.state in ("left", "expired"):
            unknown = "what came back when it was left was never read"
        elif charged < 0 or (refunded is not None and refunded < 0):
            unknown = "the account's coins changed for something else at the same moment"
        Room.objects.filter(pk=room.pk).update(
            coins_charged=charged, coins_refunded=refunded, coins_unknown=unknown
        )


class Migration(migrations.Migration):
    dependencies = [
        ("avatars", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CoinHold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("held_until", models.DateTimeField(blank=True, null=True)),
                ("holder", models.CharField(blank=True, max_length=32)),
            ],
        ),
        migrations.AddField(
            model_name="room",
            name="coins_charged",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="room",
            name="coins_refunded",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="room",
            name="coins_unknown",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="room",
            name="coin_reads",
        ),
        migrations.RemoveField(
            model_name="room",
            name="coins_after",
        ),
        migrations.RemoveField(
            model_name="room",
            name="coins_before",
        ),
        migrations.RemoveField(
            model_name="room",
            name="coins_opened",
        ),
        migrations.RemoveField(
            model_name="room",
            name="coins_pending",
        ),
    ]
