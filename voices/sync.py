"""Mirror each provider's voices into the catalog: an upsert of what changed, then one pass
marking what the provider no longer lists. A sync with nothing changed writes nothing."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, islice

from django.db import transaction
from django.utils import timezone

from jobs.kinds import COMPLETED, without_marker
from providers import NotFound
from teams.connection import client_for
from teams.models import Provider, ProviderAccount
from voices.models import RESPEECHER_UNAVAILABLE, Kind, Voice, quality_band

log = logging.getLogger(__name__)

BATCH = 1000
REMOTE_ID_WIDTH = Voice._meta.get_field("remote_id").max_length
# Typed columns a sync writes; `favorite` only where the provider keeps it (Respeecher).
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
    "fingerprint",
    "synced_at",
    "gone_at",
]
UPSTREAM_FAVORITES = {Provider.RESPEECHER}

Record = dict
Key = tuple[bool, str]
Progress = Callable[[int], None]


@dataclass
class SyncResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    gone: int = 0

    @property
    def unchanged(self) -> int:
        return self.fetched - self.created - self.updated

    def __str__(self) -> str:
        return (
            f"{self.fetched} listed: {self.created} new, {self.updated} changed, "
            f"{self.unchanged} unchanged, {self.gone} gone"
        )


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

    return url.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/files/")


def respeecher_records(account: ProviderAccount, client) -> Iterator[Record]:
    # Oldest first: voices added while we page land on the last page, not between pages.
    for voice in client.iter_voices(sort="created_at", direction="asc"):
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


def burki_records(account: ProviderAccount, client) -> Iterator[Record]:
    # The organisation's list holds every assistant's voices; only a Burki without it is
    # asked for the assistants the team follows, one by one.
    found = client.all_cloned_voices(account.followed_assistants)
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


# Column widths, so an over-long value is cut here rather than refused by PostgreSQL.
_WIDTHS = {
    f.name: f.max_length
    for f in Voice._meta.concrete_fields
    if getattr(f, "max_length", None) and f.name not in ("remote_id", "fingerprint")
}


def fit(record: Record) -> Record:
    for name, width in _WIDTHS.items():
        value = record.get(name)
        if isinstance(value, str) and len(value) > width:
            # A cut URL would point nowhere: better none than a broken player.
            record[name] = "" if name == "sample_url" else value[:width]
    return record


def key(record: Record) -> Key:
    """Which voice a record is: its id within its provider's list (tts_list says which)."""
    return (record.get("tts_list", False), record["remote_id"])


def fingerprint(record: Record) -> str:
    encoded = json.dumps(record, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.md5(encoded.encode(), usedforsecurity=False).hexdigest()


def _batches(items, size=BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def sync_account(account: ProviderAccount, progress: Progress | None = None, now=None):
    """Bring the catalog in line with what `account`'s provider lists now. Upstream
    errors propagate before anything is written, so a failed listing never marks every
    voice gone."""
    now = now or timezone.now()
    client = client_for(account)
    fetched: dict[Key, Record] = {}
    for record in RECORDS[account.provider](account, client):
        if len(record["remote_id"]) > REMOTE_ID_WIDTH:
            log.warning("skipping a %s voice with an over-long id", account.provider)
            continue
        fetched[key(record)] = record
        if progress and len(fetched) % BATCH == 0:
            progress(len(fetched))
    existing, pks = {}, {}
    for pk, tts_list, remote_id, fp, gone_at in Voice.objects.filter(account=account).values_list(
        "pk", "tts_list", "remote_id", "fingerprint", "gone_at"
    ):
        existing[(tts_list, remote_id)] = (fp, gone_at)
        pks[(tts_list, remote_id)] = pk
    gone = [pks[k] for k, (_fp, gone_at) in existing.items() if k not in fetched and not gone_at]
    with transaction.atomic():
        result = _save(account, fetched.values(), existing, now)
        for batch in _batches(gone):
            Voice.objects.filter(account=account, pk__in=batch).update(gone_at=now)
    result.gone = len(gone)
    log.info("voices of %s synced: %s", account, result)
    return result


def _save(account, records, existing, now) -> SyncResult:
    """Upsert the records whose fingerprint differs from what `existing` holds."""
    result = SyncResult()
    changed = []
    for record in records:
        record = fit(record)
        record["fingerprint"] = fingerprint(record)
        result.fetched += 1
        old = existing.get(key(record))
        if old is not None and old == (record["fingerprint"], None):
            continue
        if old is None:
            result.created += 1
        else:
            result.updated += 1
        changed.append(
            Voice(
                team_id=account.team_id,
                account=account,
                provider=account.provider,
                first_seen_at=now,
                synced_at=now,
                gone_at=None,
                **record,
            )
        )
    fields = SYNCED_FIELDS + (["favorite"] if account.provider in UPSTREAM_FAVORITES else [])
    for batch in _batches(changed):
        Voice.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["team", "provider", "tts_list", "remote_id"],
            update_fields=fields,
        )
    return result


def save_record(account: ProviderAccount, record: Record) -> Voice:
    """Put one voice we just made (a finished clone) into the catalog and announce it,
    without waiting for the next full sync."""
    from webhooks.events import EventType, publish

    tts_list, remote_id = key(record)
    mine = Voice.objects.filter(account=account, tts_list=tts_list, remote_id=remote_id)
    existing = {key(record): fp_gone for fp_gone in mine.values_list("fingerprint", "gone_at")}
    with transaction.atomic():
        result = _save(account, [record], existing, timezone.now())
        saved = mine.get()
        if result.created:
            publish(
                account.team,
                EventType.VOICE_CREATED,
                {
                    "id": saved.pk,
                    "provider": account.provider,
                    "remote_id": remote_id,
                    "name": saved.name,
                },
            )
    return saved
