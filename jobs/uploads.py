"""The one way a view takes files: the person, their membership and their role settled
before a byte of the body is read, then a size cap that refuses an over-size upload while
it streams in, before Django has spooled it to disk, and never holds it in memory.

Django's own handlers keep small files in memory and spool large ones to a temporary
file; a size check in a form runs only after the whole body has arrived. The handler
here goes first: it refuses a body whose declared length is already too large at the
first file, and a file that grows past the cap at the chunk that crosses it (a client
may not declare its length). Parsing then stops, Django reads what is left of the body
and throws it away, and `refused(request)` tells the view (and, with a message, the person).
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from teams.models import Role
from teams.scoping import team_view

# Room for the form's other fields and the multipart framing around the file.
FORM_SLACK = 1024 * 1024
# A view taking any number of files still has a body cap (dashboard.middleware.BodyCap):
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


def upload_view(
    max_bytes,
    max_files: int | None = 1,
    *,
    write_role: str = Role.MEMBER,
    read_role: str = Role.VIEWER,
):
    """Decorate a team view taking files (it gets `team` like any `team_view`), so its
    uploads are capped at `max_bytes()` each as they arrive.

    The order is the point. Django's CSRF check reads request.POST, which parses (and
    spools to disk) a multipart body; run first, it let anyone, signed in or not, have
    gigabytes written before the 403. So the view is exempted from the middleware, the
    team's walls (`team_view`: who, which team, which role) are checked without touching
    the body, and only for a person allowed to upload are the cap installed and the CSRF
    token checked (from `X-CSRFToken`, or from a plain form's field once the body may be
    read), as Django's documentation on upload handlers says to."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def capped(request, team, *args, **kwargs):
            handler = CappedUploadHandler(request, max_bytes(), max_files)
            request.upload_handlers.insert(0, handler)
            request.upload_refusal = handler
            return protected(request, team, *args, **kwargs)

        guarded = team_view(write_role=write_role, read_role=read_role)(capped)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return guarded(request, *args, **kwargs)
            except (Http404, PermissionDenied):
                # Django's 403 and 404 pages check the CSRF token of a request whose view
                # was exempt (requires_csrf_token), which parses the body: mark the check
                # done, since a refusal changes nothing.
                request.csrf_processing_done = True
                raise

        # The whole body's cap, read by dashboard.middleware.BodyCap before any parsing.
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
