"""Media in a bucket of moto's S3 server, for the tests (the `bucket` fixture in the
root conftest): a new bucket set up as S3_BUCKET and its settings set it, and what a
test asks of the bucket and of MEDIA_ROOT."""

import os
import uuid

KEYS = {"aws_access_key_id": "voxboard-test", "aws_secret_access_key": "voxboard-test"}
PREFIX = "vb"


class Bucket:
    def __init__(self, client, name: str, endpoint: str) -> None:
        self.client, self.name, self.endpoint = client, name, endpoint

    def objects(self) -> dict[str, int]:
        """Every object's key and size."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", ())}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)

    def unfinished_uploads(self) -> list[str]:
        answer = self.client.list_multipart_uploads(Bucket=self.name)
        return [u["Key"] for u in answer.get("Uploads", ())]


def storage_options(endpoint: str, name: str) -> dict:
    """STORAGES["default"] as dashboard/settings.py makes it from the S3_* settings."""
    return {
        "BACKEND": "core.storage.BucketStorage",
        "OPTIONS": {
            "bucket_name": name,
            "endpoint_url": endpoint,
            "access_key": KEYS["aws_access_key_id"],
            "secret_key": KEYS["aws_secret_access_key"],
            "region_name": "us-east-1",
            "location": PREFIX,
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }


def new_bucket(endpoint: str, settings) -> Bucket:
    """A new bucket on the server at `endpoint`, made the default storage."""
    import boto3

    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=name)
    settings.S3_BUCKET, settings.S3_ENDPOINT_URL, settings.S3_PREFIX = name, endpoint, PREFIX
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(endpoint, name)}
    return Bucket(client, name, endpoint)


def media_root_files(settings) -> list[str]:
    """Every file under MEDIA_ROOT; with media in a bucket, there are none."""
    return [n for _d, _s, names in os.walk(settings.MEDIA_ROOT) for n in names]
