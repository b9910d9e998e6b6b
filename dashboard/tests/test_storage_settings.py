"""S3_* settings as a deployment sets them: the bucket becomes the default storage (its
secret may come from a file), the page policy lets players reach it, and a half-set
or impossible value stops start-up with a message naming it. Unset, the local folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps([s.STORAGES['default'], "
    "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']]))"
)


def _start(tmp_path, **names):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(DEBUG="1", VOXBOARD_VAR_DIR=str(tmp_path), **names)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_a_bucket_becomes_the_default_storage_with_its_secret_read_from_a_file(tmp_path):
    secret = tmp_path / "s3-secret"
    secret.write_text("from-a-file\n")
    started = _start(
        tmp_path,
        S3_BUCKET="voxboard-media",
        S3_ENDPOINT_URL="http://minio:9000/",
        S3_ACCESS_KEY_ID="key-id",
        S3_SECRET_ACCESS_KEY_FILE=str(secret),
        S3_REGION="eu-west-1",
        S3_PREFIX="/prod/",
    )
    assert started.returncode == 0, started.stderr
    default, media_src = json.loads(started.stdout.splitlines()[-1])
    assert default == {
        "BACKEND": "core.storage.BucketStorage",
        "OPTIONS": {
            "bucket_name": "voxboard-media",
            "endpoint_url": "http://minio:9000",
            "access_key": "key-id",
            "secret_key": "from-a-file",
            "region_name": "eu-west-1",
            "location": "prod",
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }
    assert "http://minio:9000" in media_src


def test_without_a_bucket_media_stays_in_the_local_folder(tmp_path):
    started = _start(tmp_path)
    assert started.returncode == 0, started.stderr
    default, media_src = json.loads(started.stdout.splitlines()[-1])
    assert default == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_src == ["'self'", "blob:"]


def test_a_key_id_without_its_secret_stops_start_up_saying_so(tmp_path):
    started = _start(tmp_path, S3_BUCKET="voxboard-media", S3_ACCESS_KEY_ID="key-id")
    assert started.returncode != 0
    assert "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither" in started.stderr


def test_input_links_longer_than_a_bucket_allows_stop_start_up(tmp_path):
    started = _start(tmp_path, S3_BUCKET="voxboard-media", INPUT_URL_LIFETIME="700000")
    assert started.returncode != 0
    assert "longer than a bucket's links may live (604800 s" in started.stderr
