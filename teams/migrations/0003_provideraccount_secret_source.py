"""Remember whether a key was entered by hand or made by Voxboard at sign-in; every key
stored so far was entered by hand."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0002_provideraccount_secret_origin"),
    ]

    operations = [
        migrations.AddField(
            model_name="provideraccount",
            name="secret_source",
            field=models.CharField(
                choices=[
                    ("entered", "Entered by hand"),
                    ("login", "Made by Voxboard when connecting with email and password"),
                ],
                default="entered",
                editable=False,
                max_length=10,
            ),
        ),
    ]
