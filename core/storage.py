"""Where media lives: the local folder (MEDIA_ROOT) or, with S3_BUCKET set, an
S3-compatible bucket, both behind Django's storage API; and the few things only a
bucket does: links a provider or a browser fetches from it directly, and writes sent
in parts as they arrive. Nothing else in Voxboard opens a path under MEDIA_ROOT
(dashboard/tests/test_storage_rules.py reads the source to keep it so)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

MB = 1024 * 1024
# A multipart upload's parts: S3 takes at least 5 MiB a part (the last excepted). Each
# is gathered in a temporary file on local disk, never in memory, then sent from there.
PART_BYTES = 8 * MB
# What every object is stored as: it is only ever served through a link that says its
# type (from its bytes, jobs/files.py), so one reached without that is never a page.
STORED_TYPE = "application/octet-stream"
# How long a browser's link to a stored file lives: a player may seek for an hour.
DOWNLOAD_LINK_SECONDS = 3600
COPY_CHUNK = 1024 * 1024


class BucketStorage(S3Storage):
    """django-storages' S3 storage as Voxboard uses it: objects private (reached through
    presigned links only), a new file never replaces one stored under the same name
    (as on disk), and every write streamed in parts, never held whole."""

    file_overwrite = False
    default_acl = None
    querystring_auth = True
    # A stored file opened for reading (a take sent on to Respeecher) is fetched into a
    # temporary file that spills to disk past this, instead of into memory whole.
    max_memory_size = MB

    def get_default_settings(self):
        # Where browsers and providers reach the bucket server, when that is not where
        # we do (S3_PUBLIC_ENDPOINT_URL): links are signed for that address alone.
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_link_client", None)
        return state

    def url(self, name, parameters=None, expire=None, http_method=None):
        if not self.public_endpoint_url:
            return super().url(name, parameters, expire, http_method)
        params = {**(parameters or {}), "Bucket": self.bucket_name}
        params["Key"] = self._normalize_name(clean_name(name))
        return self._public_client().generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )

    def _public_client(self):
        """A client on the public address, for signing links only: a signature covers
        the host it is sent to, so a link signed for the address we store through
        would fail at the one a browser reaches."""
        client = self.__dict__.get("_link_client")
        if client is None:
            # Signing reads only keys and the clock; one client may serve every thread.
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
            self.__dict__["_link_client"] = client
        return client

    def _save(self, name, content):
        cleaned = clean_name(name)
        if hasattr(content, "seek") and content.seekable():
            content.seek(0)
        upload(self, cleaned, content)
        return cleaned


def in_bucket(storage: Storage | None = None) -> bool:
    """Whether `storage` (the default storage when None) is a bucket."""
    return isinstance(storage if storage is not None else default_storage, S3Storage)


def local_storage() -> FileSystemStorage:
    """The local media folder, whatever the default storage is: where `move_media`
    reads an install's files from before they go to the bucket."""
    return FileSystemStorage()  # its location is the MEDIA_ROOT setting


def upload(bucket: S3Storage, name: str, content: File) -> None:
    """`content` (a Django File) streamed into the object `name`, chunk by chunk."""
    with BucketWriter(bucket, name) as out:
        for chunk in content.chunks(COPY_CHUNK):
            out.write(chunk)


class BucketWriter:
    """A binary file written into one object of a bucket: the bytes go in parts
    (a multipart upload) as they come, each part gathered on local disk, so memory stays
    at a chunk whatever the size. The object appears whole when `finish` completes it,
    or never: `abort` drops every part sent."""

    def __init__(self, storage: S3Storage, name: str) -> None:
        self._client = storage.connection.meta.client
        self._bucket = storage.bucket_name
        self._key = storage._normalize_name(clean_name(name))
        self._part = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish/abort
        self._parts: list[dict] = []
        self._upload_id: str | None = None
        self.size = 0

    def __enter__(self) -> BucketWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.finish()
        else:
            self.abort()

    def write(self, data) -> int:
        self._part.write(data)
        self.size += len(data)
        if self._part.tell() >= PART_BYTES:
            self._send_part()
        return len(data)

    def _send_part(self) -> None:
        if self._upload_id is None:
            self._upload_id = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=STORED_TYPE
            )["UploadId"]
        number = len(self._parts) + 1
        length = self._part.tell()
        self._part.seek(0)
        answer = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=self._part,
            ContentLength=length,
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._part.seek(0)
        self._part.truncate()

    def finish(self) -> None:
        try:
            if self._upload_id is None:  # smaller than a part: one plain PUT
                length = self._part.tell()
                self._part.seek(0)
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=self._key,
                    Body=self._part,
                    ContentLength=length,
                    ContentType=STORED_TYPE,
                )
            else:
                if self._part.tell():
                    self._send_part()
                self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=self._key,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                )
        except BaseException:
            self.abort()
            raise
        self._part.close()

    def abort(self) -> None:
        self._part.close()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=upload_id
            )


class Written:
    """What `writing` hands out: `write(bytes)`, and once done the name it was stored under."""

    def __init__(self, out, name: str) -> None:
        self._out, self.name = out, name

    def write(self, data) -> int:
        return self._out.write(data)


@contextmanager
def writing(name: str) -> Iterator[Written]:
    """A new stored file under `name`, or a free name like it (`.name`), written
    chunk by chunk as bytes arrive (a result streamed from a provider) and never held
    whole in memory. On an error inside the block nothing is kept under that name."""
    storage = default_storage
    if in_bucket(storage):
        name = storage.get_available_name(name)
        with BucketWriter(storage, name) as out:
            yield Written(out, name)
        return
    # On disk: the name is claimed first (an empty file, created exclusively), then
    # filled in place, so two writers never share one.
    name = storage.save(name, ContentFile(b""))
    try:
        with storage.open(name, "wb") as out:
            yield Written(out, name)
    except BaseException:
        storage.delete(name)
        raise


def first_bytes(stored_file, count: int = 64) -> bytes:
    """The first `count` bytes of a stored file (to tell its type), without reading the
    rest: from a bucket, one ranged GET."""
    storage = stored_file.storage
    if in_bucket(storage):
        answer = storage.connection.meta.client.get_object(
            Bucket=storage.bucket_name,
            Key=storage._normalize_name(clean_name(stored_file.name)),
            Range=f"bytes=0-{count - 1}",
        )
        with answer["Body"] as body:
            return body.read(count)
    with storage.open(stored_file.name, "rb") as handle:
        return handle.read(count)


def fetch_link(stored_file, *, content_type: str, lifetime: int) -> str:
    """A presigned GET of a stored file in a bucket, living `lifetime` seconds, whose
    answer says `content_type` (a provider fetching an input we host)."""
    return stored_file.storage.url(
        stored_file.name, parameters={"ResponseContentType": content_type}, expire=lifetime
    )


def download_link(stored_file, *, name: str, content_type: str) -> str:
    """A presigned GET of a stored file in a bucket for a browser: always an attachment
    named `name`, of `content_type` (read from its bytes, never the uploader's claim)."""
    return stored_file.storage.url(
        stored_file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, name),
            "ResponseContentType": content_type,
        },
        expire=DOWNLOAD_LINK_SECONDS,
    )


def is_bucket_link(url: str) -> bool:
    """Whether `url` is a presigned link into our bucket (it expires)."""
    storage = default_storage
    if not in_bucket(storage):
        return False
    probe = urlsplit(storage.url("probe"))
    folder = probe.path.rsplit("/", 1)[0] + "/"
    there = urlsplit(url)
    return (there.scheme, there.netloc) == (probe.scheme, probe.netloc) and there.path.startswith(
        folder
    )


# Moving an install's media from its local folder into the bucket (manage.py move_media).

# Where the copier of results before issue 23 kept its partial downloads: never media.
OLD_PARTIALS = "tmp"


@dataclass
class Moved:
    """What a move did: files copied (and their bytes), files already in the bucket at
    the same size and so left alone, and the names of those that failed."""

    copied: int = 0
    copied_bytes: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in `storage` under `folder`, depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no media folder at all: nothing was ever stored
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        if not folder and sub == OLD_PARTIALS:
            continue
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def bucket_sizes(bucket: S3Storage) -> dict[str, int]:
    """{name: size} of every object in the bucket (under its prefix): one listing of up
    to 1,000 objects a request, not a question per file."""
    client = bucket.connection.meta.client
    prefix = bucket._normalize_name("")
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    sizes = {}
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=bucket.bucket_name, Prefix=prefix
    ):
        for item in page.get("Contents", []):
            sizes[item["Key"][len(prefix) :]] = item["Size"]
    return sizes


def move_to_bucket(source: Storage, bucket: S3Storage, on_file=None) -> Moved:
    """Copy every file of `source` into `bucket` under the same name (rows name their
    files, so names must not change), skipping one already there at the same size: a
    move cut short is resumed by running it again. Nothing is deleted from `source`.
    `on_file(name, outcome)` hears of each file ("copied", "skipped" or the error)."""
    moved = Moved()
    sizes = bucket_sizes(bucket)
    for name in stored_names(source):
        size = source.size(name)
        if sizes.get(name) == size:
            moved.skipped += 1
            outcome = "skipped"
        else:
            try:
                with source.open(name, "rb") as handle:
                    upload(bucket, name, handle)
            except (OSError, BotoCoreError, ClientError) as exc:
                moved.failed.append(name)
                outcome = f"failed: {exc}"
            else:
                moved.copied += 1
                moved.copied_bytes += size
                outcome = "copied"
        if on_file is not None:
            on_file(name, outcome)
    return moved
