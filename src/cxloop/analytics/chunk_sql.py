"""The SQL that reads a chunk of new answers, and their responses, from the system of record.

Kept free of heavy imports (pyarrow only): the SQLite reader process (``sqlite_child``)
imports it too.

Text columns are read as ``coalesce(x, '')`` (Arrow types every column from its values,
which must not start with NULLs) and turned back into NULL by ``duck_sql.INSERT_CHUNK``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import pyarrow as pa

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


def read_chunks(
    query: Callable[[str, list[str]], pa.Table], postgres: bool, after: int, limit: int
) -> Iterator[Chunk]:
    """The chunks of ``limit`` answers above id ``after`` (the last one has fewer), with their
    responses; ``query`` runs SQL and names the columns."""
    while (answers := query(answers_sql(postgres, after, limit), ANSWER_NAMES)).num_rows:
        last = int(answers.column("id")[-1].as_py())
        yield Chunk(answers, query(responses_sql(after, last), RESPONSE_NAMES))
        if answers.num_rows < limit:
            return
        after = last
