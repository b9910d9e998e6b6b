"""The upload cap: an over-size file is refused as it streams in, before Django's own
handlers keep it in memory or spool it to disk."""

from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler
from django.test import RequestFactory
from django.test.client import encode_multipart

from jobs.uploads import CappedUploadHandler

MB = 1024 * 1024


class Counting(FileUploadHandler):
    """Stands for Django's handlers: counts the file bytes that reach them."""

    seen = 0

    def receive_data_chunk(self, raw_data, start):
        Counting.seen += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def _request(size):
    body = encode_multipart("BoUnDaRy", {"name": "Clip", "source": _File(size)})
    request = RequestFactory().generic(
        "POST", "/", data=body, content_type="multipart/form-data; boundary=BoUnDaRy"
    )
    cap = CappedUploadHandler(request, MB)
    request.upload_handlers = [cap, Counting(request), MemoryFileUploadHandler(request)]
    Counting.seen = 0
    return request, cap


class _File:
    def __init__(self, size):
        self.name, self.size, self._left = "clip.wav", size, size

    def read(self, n=-1):
        data = b"\x01" * self._left
        self._left = 0
        return data


def test_a_file_within_the_cap_passes_through_untouched():
    request, cap = _request(MB // 2)
    assert request.FILES["source"].size == MB // 2
    assert cap.refused == "" and request.POST["name"] == "Clip"


def test_a_body_declared_over_the_cap_is_refused_before_any_byte_is_kept():
    request, cap = _request(3 * MB)
    assert "source" not in request.FILES
    assert cap.refused == "clip.wav is larger than 1 MB."
    assert Counting.seen == 0


def test_a_file_just_over_the_cap_is_refused_at_the_chunk_that_crosses_it():
    # The body is within the cap plus room for other fields, so only the count can tell.
    request, cap = _request(MB + MB // 2)
    assert "source" not in request.FILES
    assert cap.refused == "clip.wav is larger than 1 MB."
    assert Counting.seen <= MB  # Django's handlers never held more than the cap
