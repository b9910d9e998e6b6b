"""Mirror each provider's voices into the catalog: an upsert of what changed, then one pass
marking what the provider no longer lists. A sync with nothing changed writes nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from itertools import chain

from django.db import transaction
from django.utils import timezone

from core.bulk import BATCH
from core.mirror import Mirror, Record, Tally
from jobs.kinds import COMPLETED, without_marker
from providers import NotFound
from teams.connection import client_for
from teams.models import Provider, ProviderAccount
from voices import search
from voices.models import RESPEECHER_UNAVAILABLE, Kind, Voice, quality_band

log = logging.getLogger(__name__)

# Voices asked for per list call, as the recordings mirror asks: 10,000 voices are 100 calls.
PAGE_SIZE = 100

# Typed columns a sync writes besides the engine's own; `favorite` only where the
# provider keeps it (Respeecher).
SYNCED_FIELDS = [
    "account",
    "kind",
    "name",
    "language",
    "gender",
    "status",
    "can_speak",
    "age_group",
    "pitch_group",
    "quality_score",
    "quality_band",
    "synthesis_count",
    "last_used_at",
    "assistant_id",
    "assistant_name",
    "host",
    "sample_url",
    "has_sample",
    "raw",
]
UPSTREAM_FAVORITES = {Provider.RESPEECHER}

Progress = Callable[[Tally], None]


def _name(value: str | None, fallback: str) -> str:
    return (value or fallback)[:200]


def a2e_records(account: ProviderAccount, client) -> Iterator[Record]:
    # Processing first: a clone finishing between the two calls then shows in the second
    # list instead of in neither (which would mark it gone for a cycle).
    clones = chain(client.list_processing_voices(), client.list_completed_voices())
    for voice in clones:
        if voice.id:
            yield a2e_clone_record(voice)
    for group in client.list_tts_voices():
        for option in group.options:
            if not option.tts_id:
                continue
            yield {
                "remote_id": option.tts_id,
                "tts_list": True,
                "kind": Kind.PUBLIC,
                "name": _name(option.label, option.tts_id),
                "language": group.value or "",
                "gender": gender_from_name(option.label),
                "status": "available",
                "can_speak": True,
                "raw": {**option.raw, "group": group.label, "lang": group.value},
            }


# A2E's public voices carry their gender only in their names: "Alvaro (male)".
_GENDER_IN_NAME = re.compile(r"\((female|male)\)\s*$", re.IGNORECASE)


def gender_from_name(name: str | None) -> str:
    """ "male" or "female" from a name ending "(male)" or "(female)", else ""."""
    found = _GENDER_IN_NAME.search(name or "")
    return found.group(1).lower() if found else ""


def a2e_clone_record(voice) -> Record:
    return {
        "remote_id": voice.id,
        "kind": Kind.CLONE,
        "name": _name(without_marker(voice.name or ""), "Unnamed clone"),
        "language": voice.language or "",
        "gender": voice.gender or gender_from_name(voice.name),
        "status": voice.status or "",
        "can_speak": voice.state == COMPLETED,
        # Our own signed links to the samples expire: offer only lasting ones.
        "sample_url": next((u for u in voice.voice_urls if not _ours(u)), ""),
        "raw": voice.raw,
    }


def _ours(url: str) -> bool:
    from django.conf import settings

    from core import storage

    ours = url.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/files/")
    return ours or storage.is_bucket_link(url)


def respeecher_records(account: ProviderAccount, client) -> Iterator[Record]:
    # Oldest first: voices added while we page land on the last page, not between pages.
    for voice in client.iter_voices(sort="created_at", direction="asc", page_size=PAGE_SIZE):
        if not voice.id:
            continue
        locales = [a.locale for a in voice.accents if a.locale]
        yield {
            "remote_id": voice.id,
            "kind": Kind.CLONE if voice.visibility == "private" else Kind.PUBLIC,
            "name": _name(voice.name, voice.slug or voice.id),
            "language": (locales[0] if locales else voice.nationality or "")[:40],
            "gender": voice.gender or "",
            "status": "available" if voice.available is not False else RESPEECHER_UNAVAILABLE,
            # Text becomes speech through a narration style; speech-only voices convert.
            "can_speak": bool(voice.narration_styles) and voice.available is not False,
            "has_sample": bool(voice.accents),
            "age_group": voice.age_group or "",
            "pitch_group": voice.pitch_group or "",
            "favorite": bool(voice.favorite),
            "raw": voice.raw,
        }
    for voice in client.list_tts_voices():
        if not voice.id:
            continue
        yield {
            "remote_id": voice.id,
            "tts_list": True,
            "kind": Kind.PUBLIC,
            "name": _name(voice.name, voice.id),
            "status": "available",
            "can_speak": True,
            "raw": voice.raw,
        }


def burki_records(
    account: ProviderAccount, client, *, status: str = "", host: str = ""
) -> Iterator[Record]:
    # The organisation's list holds every assistant's voices; only a Burki without it is
    # asked for the assistants the team follows, one by one. Burki narrows its list to a
    # status and a host itself when asked (blank: not asked, so not sent).
    found = client.all_cloned_voices(
        account.followed_assistants, status=status or None, provider=host or None
    )
    for assistant_id in found.missing_assistants:
        # The assistant was deleted at Burki: its voices went with it.
        log.info("Burki assistant %s of %s is gone", assistant_id, account)
    owners = sorted({v.assistant_id for v in found.voices if v.assistant_id is not None})
    names = burki_assistant_names(client, owners)
    for voice in found.voices:
        if voice.id is not None:
            yield burki_clone_record(voice, voice.assistant_id, names.get(voice.assistant_id, ""))


def burki_assistant_names(client, assistant_ids) -> dict[int, str]:
    """Each assistant's name, asked of Burki one by one (GET /assistants/{id}); one
    deleted since its voices were listed has none."""
    names = {}
    for assistant_id in assistant_ids:
        try:
            names[assistant_id] = client.get_assistant(assistant_id).name or ""
        except NotFound:
            names[assistant_id] = ""
    return names


def known_assistant_name(account: ProviderAccount, assistant_id: int | None) -> str:
    """The name the catalog already has for an assistant, so saving one new voice needs
    no call to Burki and does not blank a name the last sync wrote."""
    if assistant_id is None:
        return ""
    names = Voice.objects.filter(account=account, assistant_id=assistant_id).exclude(
        assistant_name=""
    )
    return names.values_list("assistant_name", flat=True).first() or ""


def burki_clone_record(voice, assistant_id: int | None, assistant_name: str = "") -> Record:
    return {
        "remote_id": str(voice.id),
        "kind": Kind.CLONE,
        "name": _name(without_marker(voice.name or ""), f"Voice {voice.id}"),
        "language": voice.language or "",
        "gender": voice.gender or "",
        "status": voice.status or "",
        "can_speak": voice.state == COMPLETED,
        "quality_score": voice.quality_score,
        "quality_band": quality_band(voice.quality_score),
        "synthesis_count": voice.synthesis_count,
        "last_used_at": voice.last_used_at,
        "assistant_id": assistant_id,
        "assistant_name": assistant_name,
        "host": voice.provider or "",
        "raw": voice.raw,
    }


RECORDS = {
    Provider.A2E: a2e_records,
    Provider.RESPEECHER: respeecher_records,
    Provider.BURKI: burki_records,
}


def mirror(account: ProviderAccount, host: str = "") -> Mirror:
    """The account's voices, as the mirror engine sees them: one voice per id within its
    provider's list (`tts_list` says which); voices gone upstream stay, marked gone.
    With `host`, only the Burki voices hosted there (a voice never changes host)."""
    fields = SYNCED_FIELDS + (["favorite"] if account.provider in UPSTREAM_FAVORITES else [])
    scope = Voice.objects.filter(account=account)
    if host:
        scope = scope.filter(host=host)
    return Mirror(
        Voice,
        scope,
        constants={"team_id": account.team_id, "account": account, "provider": account.provider},
        unique=("team", "provider", "tts_list", "remote_id"),
        key=("tts_list", "remote_id"),
        fields=fields,
        # A cut URL would point nowhere: better none than a broken player.
        whole=("sample_url",),
    )


def sync_account(
    account: ProviderAccount,
    progress: Progress | None = None,
    now=None,
    *,
    status: str = "",
    host: str = "",
) -> Tally:
    """Bring the catalog in line with what `account`'s provider lists now. Upstream
    errors propagate before anything is written, so a failed listing never marks every
    voice gone.

    A Burki sync may be narrowed to a `status` and a `host`, which Burki is asked for.
    Narrowed to a host, the voices hosted there that Burki no longer lists are marked
    gone as usual. Narrowed to a status, none are: a voice missing from the "ready" list
    may have failed or been archived since, so it is updated by the next whole sync."""
    if not account.narrows_voices:
        status = host = ""
    now = now or timezone.now()
    voices = mirror(account, host=host)
    narrowing = {"status": status, "host": host} if account.narrows_voices else {}
    listed: dict = {}
    for record in RECORDS[account.provider](account, client_for(account), **narrowing):
        listed[voices.key(record)] = record
        if progress and len(listed) % BATCH == 0:
            progress(Tally(fetched=len(listed)))
    tally = Tally(fetched=len(listed))
    with transaction.atomic():
        if status:
            voices.upsert(listed.values(), voices.rows(), now, tally)
        else:
            voices.sync(listed.values(), now, tally)
    search.analyze_after(tally.created + tally.updated)
    log.info("voices of %s synced: %s", account, tally)
    return tally


def save_record(account: ProviderAccount, record: Record) -> Voice:
    """Put one voice we just made (a finished clone) into the catalog and announce it,
    without waiting for the next full sync."""
    from webhooks.events import EventType, publish

    with transaction.atomic():
        saved, created = mirror(account).save_one(record)
        if created:
            publish(
                account.team,
                EventType.VOICE_CREATED,
                {
                    "id": saved.pk,
                    "provider": account.provider,
                    "remote_id": saved.remote_id,
                    "name": saved.name,
                },
            )
    return saved
