"""SMS through a provider interface; the default adapter posts to a generic HTTP gateway."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

import httpx

from cxloop.core.settings import Settings


@dataclass(frozen=True)
class SmsResult:
    delivered: bool  # accepted by the gateway
    retry: bool
    reason: str | None = None


class SmsProvider(Protocol):
    def send(self, to: str, text: str, reference: str) -> SmsResult: ...


class HttpGateway:
    """POSTs the configured body template to the gateway URL with an optional auth header."""

    def __init__(self, url: str, auth_header: str | None, body_template: str, timeout: float):
        self.url, self.auth_header, self.template, self.timeout = (
            url,
            auth_header,
            body_template,
            timeout,
        )

    def body(self, to: str, text: str) -> str:
        def quoted(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)[1:-1]

        return self.template.replace("{to}", quoted(to)).replace("{text}", quoted(text))

    def send(self, to: str, text: str, reference: str) -> SmsResult:
        headers = {"content-type": "application/json", "idempotency-key": reference}
        if self.auth_header and ":" in self.auth_header:
            name, value = self.auth_header.split(":", 1)
            headers[name.strip()] = value.strip()
        try:
            answer = httpx.post(
                self.url,
                content=self.body(to, text).encode(),
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            return SmsResult(False, True, f"gateway unreachable: {exc}")
        if answer.is_success:
            return SmsResult(True, False)
        retry = answer.status_code >= 500 or answer.status_code in (408, 429)
        return SmsResult(False, retry, f"gateway answered {answer.status_code}")


def provider(settings: Settings) -> SmsProvider | None:
    if not settings.sms_gateway_url:
        return None
    return HttpGateway(
        settings.sms_gateway_url,
        settings.sms_auth_header,
        settings.sms_body_template,
        settings.webhook_timeout,
    )
