# One word per idea: a delivery's and an inbound event's hold, named as jobs' are.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="inboundevent", name="inbound_due"),
        migrations.RenameField(model_name="delivery", old_name="lease", new_name="holder"),
        migrations.RenameField(
            model_name="delivery", old_name="locked_until", new_name="held_until"
        ),
        migrations.RenameField(model_name="inboundevent", old_name="lease", new_name="holder"),
        migrations.RenameField(
            model_name="inboundevent", old_name="locked_until", new_name="held_until"
        ),
        migrations.AddIndex(
            model_name="inboundevent",
            index=models.Index(fields=["status", "held_until"], name="inbound_due"),
        ),
    ]
