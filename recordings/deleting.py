"""Deleting originals, one by one or a selection: at Respeecher first, then the mirror rows
(the take and its conversions, which Respeecher deletes with it) at once; a refusal keeps
that take and its reason, and the others go on."""

from django.db import transaction
from django.db.models import Q

from activity.log import Verb, record
from providers import NotFound, UpstreamError
from recordings.models import Recording
from teams.connection import client_for

# Each take with None when it went, or with Respeecher's reason when it was kept.
Outcome = list[tuple[Recording, str | None]]


def delete_takes(takes, user=None) -> Outcome:
    outcome: Outcome = []
    for take in takes:
        name = take.label or take.file_name or take.remote_id
        try:
            client_for(take.account).delete_recording(take.remote_id)
        except NotFound:
            pass  # already gone upstream: finish the job here
        except UpstreamError as exc:
            record(
                take.team,
                Verb.TAKE_DELETED,
                actor=user,
                target=take,
                outcome="failed",
                message=exc.message,
            )
            outcome.append((take, exc.message))
            continue
        with transaction.atomic():
            record(take.team, Verb.TAKE_DELETED, actor=user, label=name)
            Recording.objects.filter(Q(pk=take.pk) | Q(original_id=take.pk)).delete()
        outcome.append((take, None))
    return outcome
