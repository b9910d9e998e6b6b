# One word per idea: the column that holds a job's submit, step and results holds.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("jobs", "0004_job_polling_until")]

    operations = [
        migrations.RenameField(model_name="job", old_name="claimed_until", new_name="held_until"),
    ]
