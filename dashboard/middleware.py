"""Turns Django messages into toast events on htmx responses, which render no page chrome,
keeps an upload's redirect (and its message) for the page, not the script, and refuses a
request body over its view's cap before anything reads it."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.template.loader import render_to_string


def htmx_messages(get_response):
    def middleware(request):
        response = get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        # A full-page htmx navigation (hx-boost or HX-Refresh) renders messages itself.
        if response.get("HX-Refresh") or response.get("HX-Redirect"):
            return response
        toasts = [{"message": str(m), "level": m.level_tag} for m in messages.get_messages(request)]
        if not toasts:
            return response
        triggers = {}
        if response.get("HX-Trigger"):
            try:
                triggers = json.loads(response["HX-Trigger"])
            except ValueError:
                triggers = {name.strip(): None for name in response["HX-Trigger"].split(",")}
        triggers["toasts"] = toasts + list(triggers.get("toasts") or [])
        response["HX-Trigger"] = json.dumps(triggers)
        return response

    return middleware


# Sent by static/js/app.js with a form it uploads with a progress bar.
UPLOAD_HEADER = "X-Upload-Progress"


def upload_redirects(get_response):
    """A redirect answering an upload sent by script becomes 204 with the target in
    `X-Location`. An XMLHttpRequest would otherwise follow the redirect itself, and
    fetching the target there would use up the message it carries ("Training started")
    before the page the person sees is loaded."""

    def middleware(request):
        response = get_response(request)
        if (
            request.method == "POST"
            and request.headers.get(UPLOAD_HEADER) == "1"
            and response.status_code in (301, 302, 303)
        ):
            answer = HttpResponse(status=204)
            answer["X-Location"] = response["Location"]
            answer["Cache-Control"] = "no-store"
            answer.cookies = response.cookies  # a session or CSRF cookie set on the way
            return answer
        return response

    return middleware


class BodyCap:
    """Answer 413 to a body declared larger than its view accepts, before any of it is
    read: the CSRF check (the first thing to read a body) would otherwise parse it, and
    Django spools a multipart body's files to disk as it parses. Django reads at most the
    declared CONTENT_LENGTH of a body (none of one without it), so the declared length
    bounds what could be read. A view's cap is its `max_body_bytes()` (the upload views,
    jobs.uploads.upload_view); every other view's is REQUEST_MAX_KB."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        view_cap = getattr(view_func, "max_body_bytes", None)
        cap = view_cap() if view_cap else settings.REQUEST_MAX_KB * 1024
        if declared <= cap:
            return None
        return HttpResponse(render_to_string("413.html", {"limit": _size(cap)}), status=413)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"
