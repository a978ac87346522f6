"""Reading new answers from the system of record as Arrow, for the columnar copy.

SQLite files and PostgreSQL are read through ADBC drivers (``adbc-driver-sqlite``,
``adbc-driver-postgresql``), which build Arrow columns in C: no Python tuple per row, about
twice as fast as the DB-API cursor plus conversion. Other databases (an in-memory SQLite) use
the SQLAlchemy connection's DB-API cursor and convert its rows.

The ADBC SQLite driver types each column from its first rows, so the query never lets a
column start with NULLs: text columns are read as ``coalesce(x, '')`` and turned back into
NULL by ``duck_sql.INSERT_CHUNK``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any, Protocol
from urllib.parse import quote

import adbc_driver_postgresql.dbapi as adbc_postgresql
import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

from cxloop.analytics import results

TEXT_COLUMNS = ("a.workspace_id", "a.kind", "a.touchpoint_id", "a.channel", "a.survey_id")
ANSWERS_SQL = (
    "SELECT a.id, {texts}, {ts} AS ts, coalesce(r.language, '') AS language, "
    "coalesce(r.contact_id, '') AS contact_id, a.response_id, a.value_number * 1.0 AS value, "
    "coalesce(a.good, 0) AS good, coalesce(a.bad, 0) AS bad "
    "FROM answers a JOIN responses r ON r.id = a.response_id "
    "WHERE a.id > {after} AND a.value_number IS NOT NULL ORDER BY a.id LIMIT {limit}"
)
NAMES = [
    "id",
    "workspace_id",
    "kind",
    "touchpoint_id",
    "channel",
    "survey_id",
    "ts",
    "language",
    "contact_id",
    "response_id",
    "value",
    "good",
    "bad",
]


class Reader(Protocol):
    def __call__(self, after: int, limit: int) -> pa.Table: ...


def answers_sql(postgres: bool, after: int, limit: int) -> str:
    """The answers above id ``after`` (at most ``limit``), with their response's language and
    contact; times as naive UTC (text on SQLite)."""
    ts = "(a.submitted_at AT TIME ZONE 'UTC')" if postgres else "a.submitted_at"
    texts = ", ".join(f"coalesce({c}, '') AS {c[2:]}" for c in TEXT_COLUMNS)
    return ANSWERS_SQL.format(texts=texts, ts=ts, after=int(after), limit=int(limit))


def _adbc_connection(engine: Engine) -> Any | None:
    """An ADBC DB-API connection to the engine's database, or None if it has none."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return adbc_postgresql.connect(uri)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return adbc_sqlite.connect(f"file:{quote(url.database)}?mode=ro")
    return None


@contextmanager
def answer_reader(engine: Engine, conn: Connection) -> Iterator[Reader]:
    """A reader of answer chunks as Arrow tables (columns as ``NAMES``)."""
    postgres = engine.url.get_backend_name() == "postgresql"
    adbc = _adbc_connection(engine)
    if adbc is None:
        yield lambda after, limit: _dbapi_table(conn, answers_sql(postgres, after, limit))
        return
    with closing(adbc):

        def read(after: int, limit: int) -> pa.Table:
            with closing(adbc.cursor()) as cursor:
                cursor.execute(answers_sql(postgres, after, limit))
                table: pa.Table = cursor.fetch_arrow_table()
            return table.rename_columns(NAMES)

        yield read


def _dbapi_table(conn: Connection, sql: str) -> pa.Table:
    with results.paused_gc():  # many short-lived tuples: the collector would rescan them
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in NAMES]
        return pa.table([pa.array(list(c)) for c in columns], names=NAMES)
