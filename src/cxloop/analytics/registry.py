"""Which path computes a metric: one AnalyticsStore per (DuckDB location, database), cached.

``analytics_engine``: ``sql`` never uses DuckDB; ``duckdb`` always does; ``auto`` keeps the copy
caught up and uses it for workspaces with more answers than ``analytics_auto_threshold``.
If the DuckDB file cannot be opened (e.g. another process holds it) the SQL path is used.
"""

from __future__ import annotations

import logging
import threading

import duckdb
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from cxloop.analytics import source
from cxloop.analytics.store import AnalyticsStore
from cxloop.core.settings import Settings

log = logging.getLogger(__name__)
_stores: dict[tuple[str, str], AnalyticsStore | None] = {}
_lock = threading.Lock()


def get_store(engine: Engine, settings: Settings) -> AnalyticsStore | None:
    """The cached store for this database and location (None when it cannot be opened)."""
    url = engine.url.render_as_string(hide_password=False)
    location = settings.analytics_location
    key = (location, url)
    with _lock:
        if key not in _stores:
            try:
                _stores[key] = AnalyticsStore(location, settings.analytics_verify_seconds)
            except duckdb.Error as exc:
                log.warning("analytics copy %s unavailable, using SQL: %s", location, exc)
                _stores[key] = None
        return _stores[key]


def store_for(db: Session, workspace_id: str, settings: Settings | None) -> AnalyticsStore | None:
    """The caught-up store to query for this workspace, or None for the SQL path."""
    if settings is None or settings.analytics_engine == "sql":
        return None
    engine = db.get_bind()
    assert isinstance(engine, Engine)
    store = get_store(engine, settings)
    if store is None:
        return None
    try:
        store.catch_up(engine)
    except source.ReaderError as exc:  # the copy stays behind: the SQL path is exact
        log.warning("analytics copy %s could not catch up, using SQL: %s", store.location, exc)
        return None
    if settings.analytics_engine == "duckdb":
        return store
    return store if store.row_count(workspace_id) > settings.analytics_auto_threshold else None


def forget(settings: Settings) -> None:
    """Closes and drops the cached stores at the settings' location (tests, benchmarks)."""
    with _lock:
        for key in [k for k in _stores if k[0] == settings.analytics_location]:
            store = _stores.pop(key)
            if store is not None:
                store.close()
