"""Rate limits for event ingestion and the public widget, with the `limits` package.

One limiter per app (kept on ``app.state``), with a moving window per client: an API key for
``/api/v1/events``, a widget key plus the client address for the widget's public endpoints.
The default storage is in memory, right for the embedded single-process mode; with several
web replicas point ``CXLOOP_RATE_LIMIT_STORAGE`` at a shared store (e.g. ``redis://host``).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from cxloop.core.settings import Settings

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limiter:
    strategy: MovingWindowRateLimiter
    events: RateLimitItem
    widget: RateLimitItem


def limiter(request: Request) -> Limiter:
    """The app's limiter, made from its settings on first use."""
    state = request.app.state
    found: Limiter | None = getattr(state, "rate_limiter", None)
    if found is None:
        with _LOCK:
            found = getattr(state, "rate_limiter", None)
            if found is None:
                settings: Settings = state.settings
                store = storage_from_string(settings.rate_limit_storage)
                assert isinstance(store, Storage)
                found = Limiter(
                    MovingWindowRateLimiter(store),
                    parse(settings.events_rate_limit),
                    parse(settings.widget_rate_limit),
                )
                state.rate_limiter = found
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def hit(request: Request, scope: str, *identifiers: str) -> JSONResponse | None:
    """Counts one request of this client; past the limit a 429 answer with Retry-After."""
    limits = limiter(request)
    item = limits.events if scope == "events" else limits.widget
    if limits.strategy.hit(item, scope, *identifiers):
        return None
    stats = limits.strategy.get_window_stats(item, scope, *identifiers)
    retry = max(1, math.ceil(stats.reset_time - time.time()))
    what = "events" if scope == "events" else "widget requests"
    message = (
        f"too many {what}: at most {item.amount} per {item.multiples} {item.GRANULARITY.name}"
        f"{'s' if item.multiples != 1 else ''} from one client; retry in {retry} s"
    )
    body = {"error": {"code": "rate_limited", "message": message, "details": []}}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(retry)})
