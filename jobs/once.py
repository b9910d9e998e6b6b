"""One-time keys for the forms that spend a team's money (orders, speech, dubbing,
clones, opening a room): a double click or a retried POST starts the work once.

Each such form carries a fresh key (`{% once_key %}`). The first POST with it writes
the key, committed in its own transaction, before the view runs, so a concurrent twin's
insert of the same key fails on the unique constraint at once and the twin waits for the
first one's answer instead. The first POST keeps where its answer led; a repeat waits
briefly for that and is sent there too, with no second job and no second call upstream.
An answer that led nowhere (the form again, with its errors) gives the key back, so the
corrected form can be sent.
"""

import secrets
import time
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from jobs.models import SubmitKey

FIELD = "once"
# A repeat waits up to ONCE_WAIT_SECONDS for its first twin's answer, polling at this step.
STEP_SECONDS = 0.1
KEEP = timedelta(days=1)


def new_key() -> str:
    return secrets.token_urlsafe(18)


def field() -> str:
    """The hidden input a form that spends money carries."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())


def _valid(key: str) -> bool:
    return 16 <= len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum()


def per_submit(view):
    """Decorate a team view (inside `team_view`) so a POST carrying a key runs once."""

    @wraps(view)
    def wrapper(request, team, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _valid(key):
            return view(request, team, *args, **kwargs)
        deadline = time.monotonic() + settings.ONCE_WAIT_SECONDS
        while True:
            try:
                with transaction.atomic():
                    claimed = SubmitKey.objects.create(team=team, key=key, path=request.path)
                break
            except IntegrityError:
                first = SubmitKey.objects.for_team(team).filter(key=key).first()
            if first is not None and first.answer:
                messages.info(request, "That was already sent once; here is what it started.")
                return redirect(first.answer)
            if time.monotonic() >= deadline:
                return _still_handled(request, team)
            # The first is still being handled, or gave its key back (then this claims it).
            time.sleep(STEP_SECONDS)
        try:
            response = view(request, team, *args, **kwargs)
        except BaseException:
            claimed.delete()
            raise
        if 300 <= response.status_code < 400 and response.get("Location") and not _refused(request):
            SubmitKey.objects.filter(pk=claimed.pk).update(answer=response["Location"])
        else:
            claimed.delete()
        return response

    return wrapper


def _refused(request) -> bool:
    """Whether the view answered with an error message ("Choose at least one take"): a
    redirect that started nothing, so the key is given back, not kept as its result."""
    storage = messages.get_messages(request)
    # The messages added during this request only; iterating the storage would mark
    # them read.
    return any(m.level >= messages.ERROR for m in getattr(storage, "_queued_messages", []))


def _still_handled(request, team):
    messages.warning(
        request, "That was already sent and is still being handled; it was not sent twice."
    )
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("home", kwargs={"team": team.slug})
    return redirect(back)


def purge(now=None) -> int:
    """Forget keys older than a day: a form left open longer gets a fresh key on reload."""
    now = now or timezone.now()
    return SubmitKey.objects.filter(created_at__lt=now - KEEP).delete()[0]
