"""A size cap that refuses an over-size upload while it streams in, before Django has
spooled it to disk, and never holds it in memory.

Django's own handlers keep small files in memory and spool large ones to a temporary
file; a size check in a form runs only after the whole body has arrived. The handler
here goes first: it refuses a body whose declared length is already too large at the
first file, and a file that grows past the cap at the chunk that crosses it (a client
may not declare its length). Parsing then stops, Django reads what is left of the body
and throws it away, and `refused(request)` tells the view (and, with a message, the person).
"""

from functools import wraps

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room for the form's other fields and the multipart framing around the file.
FORM_SLACK = 1024 * 1024
# A view taking any number of files still has a body cap (dashboard.middleware.body_cap):
# this many files' worth.
MANY_FILES = 10


class CappedUploadHandler(FileUploadHandler):
    """Each file at most `max_bytes`; with `max_files`, a body declared larger than
    that many such files is refused at its first file (None: any number of files)."""

    def __init__(self, request, max_bytes: int, max_files: int | None = 1):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.refused = ""
        self._declared_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.max_files is not None and content_length:
            limit = self.max_bytes * self.max_files + FORM_SLACK
            self._declared_too_large = content_length > limit
        return None  # the multipart parser carries on, with this handler first

    def _refuse(self, name: str):
        self.refused = f"{name} is larger than {self.max_bytes // (1024 * 1024)} MB."
        raise StopUpload(connection_reset=False)

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if self._declared_too_large:
            self._refuse(file_name)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self._refuse(self.file_name)
        return raw_data  # passed on to Django's own handlers

    def file_complete(self, file_size):
        return None


def capped_uploads(max_bytes, max_files: int | None = 1):
    """Decorate a view so its uploads are capped at `max_bytes()` each as they arrive.

    The handler must be installed before anything reads request.POST, and the CSRF
    middleware reads it before the view runs; so, as Django's documentation on upload
    handlers says, the view is exempted from the middleware and protected inside."""

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            handler = CappedUploadHandler(request, max_bytes(), max_files)
            request.upload_handlers.insert(0, handler)
            request.upload_refusal = handler
            return protected(request, *args, **kwargs)

        # The whole body's cap, read by dashboard.middleware.body_cap before any parsing.
        wrapper.max_body_bytes = lambda: max_bytes() * (max_files or MANY_FILES) + FORM_SLACK
        return wrapper

    return decorator


def refused(request) -> bool:
    """Whether this request's capped upload was stopped; if so the person is told why
    (a message), and the view shows its form again with what did arrive."""
    handler = getattr(request, "upload_refusal", None)
    if handler is None or not handler.refused:
        return False
    messages.error(request, f"The upload was stopped: {handler.refused}")
    return True
