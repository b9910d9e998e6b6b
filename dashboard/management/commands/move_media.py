"""Copy an install's media from its local folder (MEDIA_ROOT) into the bucket that
S3_BUCKET names, under the same names; run again to resume one cut short."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from core import storage


class Command(BaseCommand):
    help = (
        "Copy every stored file from the local media folder into the S3 bucket (S3_BUCKET). "
        "Files already there at the same size are skipped, so a move cut short is resumed "
        "by running it again. Nothing is deleted from the folder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", choices=["s3"], required=True, help="where media goes")

    def handle(self, *args, **options):
        if not storage.in_bucket(default_storage):
            raise CommandError(
                "Media is not in a bucket: set S3_BUCKET (and S3_ENDPOINT_URL and the keys "
                "if needed) for this command as for the web and worker processes, then run "
                "it again."
            )
        source = storage.local_storage()
        verbose = options["verbosity"] > 1

        def told(name, outcome):
            if verbose or outcome not in ("copied", "skipped"):
                self.stdout.write(f"  {name}: {outcome}")

        moved = storage.move_to_bucket(source, default_storage, on_file=told)
        plural = "" if moved.copied == 1 else "s"
        self.stdout.write(
            f"Copied {moved.copied} file{plural} ({filesizeformat(moved.copied_bytes)}) "
            f"into the bucket {settings.S3_BUCKET}; {moved.skipped} already there were left "
            "alone."
        )
        if moved.failed:
            raise CommandError(
                f"{len(moved.failed)} could not be copied (listed above); run the command "
                "again to try them once more."
            )
        self.stdout.write(
            "Nothing was deleted from the local folder: remove it once every web and "
            "worker process runs with S3_BUCKET set."
        )
