"""Remember the host each key was entered for; existing keys belong to today's base URL."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from teams.models import url_origin

    ProviderAccount = apps.get_model("teams", "ProviderAccount")
    for account in ProviderAccount.objects.only("pk", "base_url"):
        ProviderAccount.objects.filter(pk=account.pk).update(
            secret_origin=url_origin(account.base_url)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="provideraccount",
            name="secret_origin",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
