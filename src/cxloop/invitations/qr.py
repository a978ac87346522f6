"""General survey links (per touchpoint, with hidden fields) and their QR codes (segno)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from urllib.parse import urlencode

import segno

from cxloop.core.errors import Invalid

MAX_HIDDEN = 20


def general_url(
    base_url: str, public_token: str, touchpoint: str | None, hidden: Mapping[str, str]
) -> str:
    """``/s/<public token>`` with ``h.<name>`` hidden fields (the touchpoint is one of them)."""
    if len(hidden) > MAX_HIDDEN:
        raise Invalid(f"hidden: at most {MAX_HIDDEN} fields")
    params: dict[str, str] = {}
    if touchpoint:
        params["h.touchpoint"] = touchpoint[:200]
    for name, value in hidden.items():
        if not name or len(name) > 64 or len(value) > 500:
            raise Invalid(f"hidden.{name[:64]}: names up to 64 characters, values up to 500")
        params[f"h.{name}"] = value
    query = f"?{urlencode(params)}" if params else ""
    return f"{base_url.rstrip('/')}/s/{public_token}{query}"


def png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=4, title=url, xmldecl=True)
    return out.getvalue()
