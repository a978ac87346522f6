"""Reading new answers from the system of record as Arrow, for the columnar copy.

PostgreSQL is read through the ADBC driver (``adbc-driver-postgresql``), which builds Arrow
columns in C: no Python tuple per row. SQLite is read through the SQLAlchemy connection's
DB-API cursor and its rows converted: the ADBC SQLite driver links its own copy of SQLite, and
two copies of SQLite in one process release each other's file locks, which corrupts the
database (sqlite.org/howtocorrupt.html, "multiple copies of SQLite linked into the same
application"); the test suite caught exactly that.

A chunk is two reads: the answers by id range, then their responses (language, contact) by
id, each response once; DuckDB joins them (``duck_sql.INSERT_CHUNK``). That is faster than
joining in the database, which looks each response up again for each of its answers.

Text columns are read as ``coalesce(x, '')`` (Arrow types every column from its values,
which must not start with NULLs) and turned back into NULL by ``duck_sql.INSERT_CHUNK``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any, NamedTuple, Protocol

import adbc_driver_postgresql.dbapi as adbc_postgresql
import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

from cxloop.analytics import results

TEXTS = "coalesce({column}, '') AS {name}"
ANSWERS_SQL = (
    "SELECT a.id, {workspace}, {kind}, {ts} AS ts, {touchpoint}, {channel}, {survey}, "
    "a.response_id, a.value_number * 1.0 AS value, coalesce(a.good, 0) AS good, "
    "coalesce(a.bad, 0) AS bad FROM answers a "
    "WHERE a.id > {after} AND a.value_number IS NOT NULL ORDER BY a.id LIMIT {limit}"
)
RESPONSES_SQL = (
    "SELECT r.id, coalesce(r.language, '') AS language, coalesce(r.contact_id, '') AS contact_id "
    "FROM responses r WHERE r.id IN (SELECT a.response_id FROM answers a "
    "WHERE a.id > {after} AND a.id <= {last} AND a.value_number IS NOT NULL)"
)
ANSWER_NAMES = [
    "id",
    "workspace_id",
    "kind",
    "ts",
    "touchpoint_id",
    "channel",
    "survey_id",
    "response_id",
    "value",
    "good",
    "bad",
]
RESPONSE_NAMES = ["id", "language", "contact_id"]


class Chunk(NamedTuple):
    answers: pa.Table  # ANSWER_NAMES
    responses: pa.Table  # RESPONSE_NAMES: the responses of those answers


class Reader(Protocol):
    def __call__(self, after: int, limit: int) -> Chunk: ...


def answers_sql(postgres: bool, after: int, limit: int) -> str:
    """The answers above id ``after`` (at most ``limit``); times as naive UTC (text on
    SQLite)."""
    texts = {
        key: TEXTS.format(column=f"a.{name}", name=name)
        for key, name in (
            ("workspace", "workspace_id"),
            ("kind", "kind"),
            ("touchpoint", "touchpoint_id"),
            ("channel", "channel"),
            ("survey", "survey_id"),
        )
    }
    ts = "(a.submitted_at AT TIME ZONE 'UTC')" if postgres else "a.submitted_at"
    return ANSWERS_SQL.format(ts=ts, after=int(after), limit=int(limit), **texts)


def responses_sql(after: int, last: int) -> str:
    """The responses of the answers with ids in (``after``, ``last``]."""
    return RESPONSES_SQL.format(after=int(after), last=int(last))


def _adbc_connection(engine: Engine) -> Any | None:
    """An ADBC DB-API connection to the engine's database, or None if it has none."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return adbc_postgresql.connect(uri)
    return None


@contextmanager
def answer_reader(engine: Engine, conn: Connection) -> Iterator[Reader]:
    """A reader of answer chunks (answers, and their responses) as Arrow tables."""
    postgres = engine.url.get_backend_name() == "postgresql"
    adbc = _adbc_connection(engine)

    def query(sql: str, names: list[str]) -> pa.Table:
        if adbc is None:
            return _dbapi_table(conn, sql, names)
        with closing(adbc.cursor()) as cursor:
            cursor.execute(sql)
            table: pa.Table = cursor.fetch_arrow_table()
        return table.rename_columns(names)

    def read(after: int, limit: int) -> Chunk:
        answers = query(answers_sql(postgres, after, limit), ANSWER_NAMES)
        last = int(answers.column("id")[-1].as_py()) if answers.num_rows else after
        return Chunk(answers, query(responses_sql(after, last), RESPONSE_NAMES))

    try:
        yield read
    finally:
        if adbc is not None:
            adbc.close()


def _dbapi_table(conn: Connection, sql: str, names: list[str]) -> pa.Table:
    with results.paused_gc():  # many short-lived tuples: the collector would rescan them
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table([pa.array(list(c)) for c in columns], names=names)
