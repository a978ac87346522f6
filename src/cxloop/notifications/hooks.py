"""Webhook requests: the Standard Webhooks envelope and signature, or a Slack message, posted
with a timeout; the answer is classed as delivered, worth retrying, or refused for good."""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

RETRY_STATUSES = {408, 429}
USER_AGENT = "cxloop-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry: bool
    reason: str | None = None
    status: int | None = None

    @property
    def gone(self) -> bool:
        return self.status == 410


def standard_body(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    payload = {"type": event_type, "timestamp": timestamp.isoformat(), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)


def signed_headers(msg_id: str, body: str, secrets: list[str], now: datetime) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature (one `v1,` value per secret, so a
    receiver still holding the previous secret after a rotation keeps verifying)."""
    signatures = " ".join(Webhook(s).sign(msg_id, now, body) for s in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }


def slack_body(event_type: str, data: dict[str, Any]) -> str:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        facts = [f"{k}: {v}" for k, v in data.items() if isinstance(v, str | int | float)]
        text = f"cxloop event {event_type}" + (" · " + ", ".join(facts[:8]) if facts else "")
    return json.dumps({"text": text[:3000]}, ensure_ascii=False)


def refused_target(url: str) -> str | None:
    """Why a webhook may not go to ``url`` when private targets are off: its host resolves
    to a loopback, private, link-local or otherwise non-public address (None: it may)."""
    host = httpx.URL(url).host
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return None  # unresolvable: the POST fails with its own message
    for address in sorted(found):
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        if not ip.is_global:
            return (
                f"refused: {host} is a non-public address ({ip}); an administrator can allow "
                "it with CXLOOP_WEBHOOK_PRIVATE_TARGETS=true"
            )
    return None


def post(url: str, body: str, headers: dict[str, str], timeout: float) -> Outcome:
    """POSTs the JSON body; the response body is never read."""
    sent = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        **headers,
    }
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", url, content=body.encode(), headers=sent) as response,
        ):
            status = response.status_code
            phrase = response.reason_phrase
    except httpx.TimeoutException:
        return Outcome(False, True, f"no answer within {timeout:g} s (timed out)")
    except httpx.HTTPError as exc:
        return Outcome(False, True, f"cannot reach {url}: {exc or type(exc).__name__}")
    if 200 <= status < 300:
        return Outcome(True, False, None, status)
    reason = f"HTTP {status} {phrase}".strip()
    if status >= 500 or status in RETRY_STATUSES:
        return Outcome(False, True, reason, status)
    if status == 410:
        reason += ": the endpoint is gone and was deactivated"
    elif 300 <= status < 400:
        reason += " (redirects are not followed: update the endpoint's URL)"
    return Outcome(False, False, reason, status)


def now() -> datetime:
    return datetime.now(UTC)
