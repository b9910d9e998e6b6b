"""Outbound job-status webhooks, signed the Standard Webhooks way."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx

from sandbox.state import Store, iso_now

PUMP_INTERVAL = 0.2
DELIVERY_TIMEOUT = 5.0


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_<base64>` secret; ValueError when it is not one."""
    if not secret.startswith("whsec_"):
        raise ValueError("webhook secret must start with whsec_")
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise ValueError("webhook secret must be whsec_ followed by base64") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(event: dict[str, Any]) -> dict[str, Any]:
    job, stage = event["job"], event["stage"]
    return {
        "type": f"{job.provider}.{job.kind}.{stage}",
        "timestamp": iso_now(),
        "data": {
            "provider": job.provider,
            "kind": job.kind,
            "id": job.record_id,
            "status": stage,
            "record": job.record,
        },
    }


async def deliver(store: Store, client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    url, secret = store.config.webhook_url, store.config.webhook_secret
    if not url:
        return
    body = json.dumps(payload(event), separators=(",", ":")).encode()
    msg_id = f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        headers["webhook-signature"] = sign(secret, msg_id, timestamp, body)
    entry: dict[str, Any] = {"id": msg_id, "url": url, "type": json.loads(body)["type"]}
    try:
        response = await client.post(url, content=body, headers=headers)
        entry["status"] = response.status_code
    except httpx.HTTPError as exc:
        # One try per event: a receiver that is down misses it, as with a real upstream.
        entry["error"] = f"{type(exc).__name__}: {exc}"
    entry["time"] = iso_now()
    store.webhook_log.append(entry)


async def pump(store: Store) -> None:
    """Watch jobs while a webhook URL is set and send each status change once."""
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT) as client:
        while True:
            await asyncio.sleep(PUMP_INTERVAL)
            if not store.config.webhook_url:
                store.drain_events()
                continue
            with contextlib.suppress(Exception):
                store.refresh()
            for event in store.drain_events():
                await deliver(store, client, event)
