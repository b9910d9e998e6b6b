"""A take's audio and waveform, relayed from Respeecher through our origin: its links are
on the provider's host, which the pages' CSP does not let a player or an image load, and
may need the account's key, which a browser does not have."""

from django.http import Http404, HttpResponse

from jobs.files import relay_response
from teams.connection import client_for

PARTS = ("audio", "waveform")


def relay(recording, part: str) -> HttpResponse:
    """Pass the file on as it arrives (typed by its bytes, never able to script); 404
    when there is no such file yet, 502 with Respeecher's reason when it refuses."""
    if part not in PARTS:
        raise Http404("No such part.")
    url = recording.media[part]
    if not url:
        raise Http404("Respeecher has no such file for it yet.")
    return relay_response(
        client_for(recording.account).stream(url),
        name=f"{part}-{recording.remote_id}",
        provider="Respeecher",
    )
