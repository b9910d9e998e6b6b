"""Turns Django messages into toast events on htmx responses, which render no page chrome."""

import json

from django.contrib import messages


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
