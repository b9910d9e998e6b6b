"""Turns Django messages into toast events on htmx responses, which render no page chrome,
and keeps an upload's redirect (and its message) for the page, not the script."""

import json

from django.contrib import messages
from django.http import HttpResponse


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
