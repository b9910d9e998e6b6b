"""Re-encrypt every stored secret under the first key of VOXBOARD_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from teams import crypto


def encrypted_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, crypto.EncryptedTextField):
                yield model, field.attname


class Command(BaseCommand):
    help = (
        "Re-encrypt every secret under the first key in VOXBOARD_ENCRYPTION_KEYS. Prepend the "
        "new key, deploy, run this, then drop the old key."
    )

    def handle(self, *args, **options):
        total = 0
        for model, attname in encrypted_fields():
            count = 0
            with transaction.atomic():
                rows = model._default_manager.select_for_update().only("pk", attname)
                batch = []
                for row in rows.iterator(chunk_size=500):
                    token = getattr(row, attname)
                    if not token:
                        continue
                    setattr(row, attname, crypto.rotate(token))
                    batch.append(row)
                    if len(batch) >= 500:
                        model._default_manager.bulk_update(batch, [attname])
                        count += len(batch)
                        batch = []
                if batch:
                    model._default_manager.bulk_update(batch, [attname])
                    count += len(batch)
            label = f"{model._meta.label}.{attname}"
            self.stdout.write(f"{label}: re-encrypted {count} row(s)")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Done: {total} secret(s) now under the first key."))
