"""The columnar copy: answers (with language, contact and journey/stage dimensions) in DuckDB.

Caught up from the system of record (SQLite or PostgreSQL) by answer id: each ``catch_up``
reads the answers above the watermark in chunks as Arrow (``source``; the next chunk is read
while one is appended) and appends them in id order, which is about time order (DuckDB's zone
maps then skip old row groups). Contact attributes are flattened to (contact, name, text) rows
for the contacts the new answers mention. The answers are then added to two daily rollups in
each workspace's time zone (see ``duck_sql``; re-rolled when a workspace's zone changes):
``answer_days``, and ``attr_days``, the same per value of each contact attribute with few
values. Answers, contacts, rollups and the watermark move in one transaction.

Every ``verify_seconds`` the copy compares its row count with the database's; a mismatch
(answers deleted, or committed out of id order) rebuilds it, and touchpoints and contact
attributes are re-read in batches (they can change in place); ``attr_days`` is rolled again
for the workspaces whose rolled attributes or their values changed. Both rollups are then
compacted: the rows each catch-up added for the same group are summed into one, sorted by
workspace, kind (attribute) and day, so zone maps skip other workspaces and kinds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.engine import Connection, Engine

from cxloop.analytics import duck_sql, source
from cxloop.analytics.query import MetricQuery, segments, zone_or_utc

CHUNK_ROWS = 150_000
"""Answers per read: the next chunk is read while one is appended. Above DuckDB's row group
(122,880 rows), so each insert writes its row groups to the file at once and the commit
writes little to the WAL."""
ROLL_ROWS = 1_000_000
"""Answers appended per transaction, before their contacts and rollups are brought in."""
CONTACT_BATCH = 2_000
SCHEMA_VERSION = "5"  # a copy made with another layout is dropped and rebuilt
TABLES = (
    "answers",
    "answer_days",
    "attr_days",
    "rolled_attrs",
    "touchpoints",
    "contact_attrs",
    "contacts_seen",
    "meta",
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS answers (
    id BIGINT, workspace_id VARCHAR, kind VARCHAR, submitted_at TIMESTAMP,
    touchpoint_id VARCHAR, channel VARCHAR, survey_id VARCHAR, language VARCHAR,
    contact_key UBIGINT, response_key UBIGINT, value DOUBLE, good UTINYINT, bad UTINYINT
);
CREATE TABLE IF NOT EXISTS answer_days (
    workspace_id VARCHAR, kind VARCHAR, day BIGINT, touchpoint_id VARCHAR, channel VARCHAR,
    survey_id VARCHAR, n BIGINT, good BIGINT, bad BIGINT, total DOUBLE, total_sq DOUBLE
);
CREATE TABLE IF NOT EXISTS attr_days (
    workspace_id VARCHAR, name VARCHAR, kind VARCHAR, day BIGINT, touchpoint_id VARCHAR,
    channel VARCHAR, survey_id VARCHAR, value VARCHAR, n BIGINT, good BIGINT, bad BIGINT,
    total DOUBLE, total_sq DOUBLE
);
CREATE TABLE IF NOT EXISTS rolled_attrs (workspace_id VARCHAR, name VARCHAR);
CREATE TABLE IF NOT EXISTS touchpoints (
    id VARCHAR, workspace_id VARCHAR, stage_id VARCHAR, journey_id VARCHAR
);
CREATE TABLE IF NOT EXISTS contact_attrs (
    contact_key UBIGINT, workspace_id VARCHAR, name VARCHAR, value VARCHAR
);
CREATE TABLE IF NOT EXISTS contacts_seen (contact_key UBIGINT);
"""
ZONES_SQL = "SELECT id, timezone FROM workspaces"
TOUCHPOINTS_SQL = (
    "SELECT t.id, t.workspace_id, t.stage_id, s.journey_id FROM touchpoints t "
    "LEFT JOIN stages s ON s.id = t.stage_id AND s.workspace_id = t.workspace_id"
)


def attribute_text(value: object) -> str | None:
    """An attribute value as text, as the SQL path renders it ('gold', '42', '1.5', 'true')."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class AnalyticsStore:
    """One DuckDB database (file or ``:memory:``) mirroring one system of record."""

    def __init__(self, location: str, verify_seconds: int = 300) -> None:
        self.location = location
        self.verify_seconds = verify_seconds
        self.con = duckdb.connect(location)
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(SCHEMA)
        if self._meta("schema") not in (None, SCHEMA_VERSION):
            for table in TABLES:
                self.con.execute(f"DROP TABLE {table}")
            self.con.execute(SCHEMA)
        self._set_meta("schema", SCHEMA_VERSION, self.con)
        self._zones: dict[str, str] = json.loads(self._meta("zones") or "{}")
        self._lock = threading.Lock()
        self._verified_at = -float("inf")

    # -- state ------------------------------------------------------------------------------
    def _meta(self, name: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE name = ?", [name]).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [name, value])

    @property
    def watermark(self) -> int:
        return int(self._meta("watermark") or 0)

    def row_count(self, workspace_id: str | None = None) -> int:
        cur = self.con.cursor()
        if workspace_id is None:
            row = cur.execute("SELECT count(*) FROM answers").fetchone()
        else:
            sql = "SELECT count(*) FROM answers WHERE workspace_id = ?"
            row = cur.execute(sql, [workspace_id]).fetchone()
        return int(row[0]) if row else 0

    # -- catching up ------------------------------------------------------------------------
    def catch_up(self, engine: Engine, *, verify: bool | None = None) -> int:
        """Appends the answers above the watermark; verifies (and maybe rebuilds) when due.

        Returns the number of answers appended. Thread-safe; reads committed data only.
        """
        with self._lock, engine.connect() as conn:
            source = engine.url.render_as_string(hide_password=True)
            known = self._meta("source")
            if known not in (None, source):
                self._reset()
            if known != source:  # writes only when it changes: this runs before every query
                self._set_meta("source", source, self.con)
            self._sync_zones(conn)
            due = time.monotonic() - self._verified_at >= self.verify_seconds
            if verify or (verify is None and due):
                if not self._matches(conn):
                    self._reset()
                self._verified_at = time.monotonic()
                added = self._append(engine, conn)
                self._reload_dimensions(conn)
                return added
            added = self._append(engine, conn)
            if added:
                self._load_touchpoints(conn)
            return added

    def rebuild(self, engine: Engine) -> int:
        """Drops the copy and reads everything again."""
        with self._lock:
            self._reset()
        return self.catch_up(engine, verify=True)

    def _reset(self) -> None:
        for table in TABLES:
            self.con.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        self._set_meta("schema", SCHEMA_VERSION, self.con)
        self._set_meta("zones", json.dumps(self._zones), self.con)  # still the zones to roll in

    def _matches(self, conn: Connection) -> bool:
        sql = "SELECT count(*) FROM answers WHERE id <= {p} AND value_number IS NOT NULL"
        rows = _fetch(conn, sql, [self.watermark])
        return int(rows[0][0]) == self.row_count()

    def _append(self, engine: Engine, conn: Connection) -> int:
        """Appends the new answers chunk by chunk (the next is read meanwhile); their contacts
        and rollups follow once per ``ROLL_ROWS`` answers, in the same transaction."""
        watermark = self.watermark
        ((newest,),) = _fetch(conn, "SELECT max(id) FROM answers", [])
        if newest is None or newest <= watermark:
            return 0  # the common case, checked without opening a reader
        added, pending, last, contact_ids = 0, 0, watermark, []
        cur = self.con.cursor()
        cur.execute("BEGIN")
        try:
            with source.answer_chunks(
                engine, conn, watermark, CHUNK_ROWS, newest - watermark
            ) as chunks:
                for chunk in chunks:
                    cur.register("raw_answers", chunk.answers)
                    cur.register("raw_responses", chunk.responses)
                    cur.execute(duck_sql.INSERT_CHUNK)
                    cur.unregister("raw_answers")
                    cur.unregister("raw_responses")
                    ids = pc.unique(chunk.responses.column("contact_id"))
                    contact_ids.append(ids.cast(pa.string()))
                    last = int(chunk.answers.column("id")[-1].as_py())
                    added += chunk.answers.num_rows
                    pending += chunk.answers.num_rows
                    if pending >= ROLL_ROWS:
                        self._settle(conn, cur, watermark, last, contact_ids)
                        watermark, pending, contact_ids = last, 0, []
                        cur.execute("BEGIN")
                self._settle(conn, cur, watermark, max(newest, last), contact_ids)
        except BaseException:
            with suppress(duckdb.Error):  # what was settled stays; the rest is read again
                cur.execute("ROLLBACK")
            raise
        return added

    def _settle(
        self,
        conn: Connection,
        cur: duckdb.DuckDBPyConnection,
        after: int,
        last: int,
        contact_ids: list[pa.ChunkedArray],
    ) -> None:
        """Loads the new contacts of the answers appended above id ``after``, rolls those
        answers up, moves the watermark to ``last`` and commits."""
        ids = pa.chunked_array(contact_ids, pa.string()).combine_chunks()
        cur.register("chunk_contacts", pa.table({"contact_id": pc.unique(ids)}))
        new_contacts = [r[0] for r in cur.execute(duck_sql.NEW_CONTACTS).fetchall()]
        cur.unregister("chunk_contacts")
        self._load_contacts(conn, cur, new_contacts)
        self._roll_days(cur, duck_sql.ANSWERS_AFTER.format(after=int(after)), chunk=True)
        self._set_meta("watermark", str(last), cur)
        cur.execute("COMMIT")

    # -- the daily rollup -----------------------------------------------------------------
    def zone_of(self, workspace_id: str) -> str | None:
        """The time zone the workspace's ``answer_days`` are rolled up in (None: not yet)."""
        return self._zones.get(workspace_id)

    def _sync_zones(self, conn: Connection) -> None:
        """Takes up the workspaces' time zones; re-rolls the days of those whose zone changed."""
        zones = {str(w): str(z or "UTC") for w, z in _fetch(conn, ZONES_SQL, [])}
        changed = [w for w, z in self._zones.items() if zones.get(w, z) != z]
        if all(self._zones.get(w) == z for w, z in zones.items()):
            return
        self._zones = {**self._zones, **zones}
        self._set_meta("zones", json.dumps(self._zones), self.con)
        if not changed:
            return
        cur = self.con.cursor()
        cur.execute("BEGIN")
        for workspace_id in changed:
            cur.execute("DELETE FROM answer_days WHERE workspace_id = ?", [workspace_id])
            cur.execute("DELETE FROM attr_days WHERE workspace_id = ?", [workspace_id])
            cur.execute(
                "SELECT workspace_id, min(submitted_at), max(submitted_at) FROM answers "
                "WHERE workspace_id = ? GROUP BY 1",
                [workspace_id],
            )
            self._roll_days(cur, duck_sql.ANSWERS_AS_CHUNK, cur.fetchall())
        cur.execute("COMMIT")

    def _roll_days(
        self,
        cur: duckdb.DuckDBPyConnection,
        source: str,
        spans: list[Any] | None = None,
        *,
        chunk: bool = False,
        days: bool = True,
        attrs: str | None = "contact_attrs",
        sign: int = 1,
    ) -> None:
        """Adds ``source``'s answers (the chunk, or answers of re-rolled workspaces) to
        ``answer_days`` (``days``) and ``attr_days`` in each workspace's zone; ``spans``:
        (workspace, first, last) times (None: read from ``source``); a ``chunk``'s day numbers
        are computed once into a temporary table; ``attrs``: the attribute values to roll by
        (None: no ``attr_days``); ``sign`` -1 takes the answers out again."""
        if spans is None:
            spans = cur.execute(
                f"SELECT workspace_id, min(ts), max(ts) FROM {source} GROUP BY 1"  # noqa: S608
            ).fetchall()
        rows = []
        for workspace_id, low, high in spans:
            tz = zone_or_utc(self._zones.get(workspace_id, "UTC"))
            self._zones.setdefault(workspace_id, tz.key)
            rows.extend(duck_sql.segment_rows(workspace_id, segments(tz, low, high)))
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        table = pa.table(
            {
                "workspace_id": pa.array(columns[0], pa.string()),
                "start_us": pa.array(columns[1], pa.int64()),
                "end_us": pa.array(columns[2], pa.int64()),
                "minutes": pa.array(columns[3], pa.int64()),
            }
        )
        cur.register("zone_segments", table)
        with_days = duck_sql.WITH_DAYS.format(source=source)
        if chunk:
            cur.execute(duck_sql.CHUNK_DAYS.format(days=with_days))
            with_days = "chunk_days"
        if days:
            cur.execute(duck_sql.INSERT_DAYS.format(days=with_days))
        if chunk and attrs is not None:
            cur.execute(duck_sql.CHUNK_ATTRS)  # the chunk's contacts only: small joins below
            attrs = "chunk_attrs"
        if attrs is not None:
            for workspace_id, name in cur.execute(duck_sql.ROLLED_IN_SEGMENTS).fetchall():
                insert = duck_sql.INSERT_ATTR_DAYS.format(
                    days=with_days, attrs=attrs, sign=int(sign), name=duck_sql.literal(name)
                )
                cur.execute(insert, [workspace_id])
        if chunk:
            cur.execute("DROP TABLE chunk_days")
            cur.execute("DROP TABLE IF EXISTS chunk_attrs")
        cur.unregister("zone_segments")

    def _reload_dimensions(self, conn: Connection) -> None:
        self._load_touchpoints(conn)
        cur = self.con.cursor()
        cur.execute("BEGIN")
        cur.execute(f"CREATE OR REPLACE TEMP TABLE old_attrs AS {duck_sql.ROLLED_ROWS}")
        cur.execute("CREATE OR REPLACE TEMP TABLE old_rolled AS SELECT * FROM rolled_attrs")
        cur.execute("DELETE FROM contact_attrs")
        cur.execute("DELETE FROM contacts_seen")
        cursor = conn.connection.cursor()  # in batches: millions of contacts stay out of memory
        try:
            cursor.execute("SELECT id, workspace_id, attributes FROM contacts")
            while batch := cursor.fetchmany(CONTACT_BATCH * 25):
                self._insert_contacts(cur, batch)
        finally:
            cursor.close()
        cur.execute("DELETE FROM rolled_attrs")
        cur.execute(duck_sql.CHOOSE_ROLLED_ATTRS, [duck_sql.ROLLED_MAX_VALUES])
        self._reroll_attributes(cur)
        cur.execute("DROP TABLE old_attrs")
        cur.execute("DROP TABLE old_rolled")
        for table in ("answer_days", "attr_days"):
            cur.execute(duck_sql.COMPACT.format(table=table))
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            cur.execute(f"INSERT INTO {table} SELECT * FROM compact ORDER BY 1, 2, 3, 4")  # noqa: S608
            cur.execute("DROP TABLE compact")
        cur.execute("COMMIT")

    def _reroll_attributes(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Brings ``attr_days`` up to the reloaded attributes: workspaces whose set of rolled
        attributes changed are rolled again; elsewhere the answers of contacts whose rolled
        values changed move from their old values (rows with negated sums) to the new."""
        renamed = [r[0] for r in cur.execute(duck_sql.ROLLED_SET_CHANGED).fetchall()]
        if renamed:
            marks = ", ".join("?" * len(renamed))
            cur.execute(f"DELETE FROM attr_days WHERE workspace_id IN ({marks})", renamed)  # noqa: S608
            spans = self._spans(cur, renamed)
            self._roll_days(cur, duck_sql.ANSWERS_AS_CHUNK, spans, days=False)
        cur.execute(duck_sql.MOVED_CONTACTS)
        moved = [r[0] for r in cur.execute("SELECT DISTINCT workspace_id FROM moved").fetchall()]
        moved = [w for w in moved if w not in renamed]
        if moved:
            spans = self._spans(cur, moved)
            answers = duck_sql.MOVED_ANSWERS
            self._roll_days(cur, answers, spans, days=False, attrs="old_attrs", sign=-1)
            self._roll_days(cur, answers, spans, days=False)
        cur.execute("DROP TABLE moved")

    def _spans(self, cur: duckdb.DuckDBPyConnection, workspaces: list[str]) -> list[Any]:
        """(workspace, first, last answer time) of the workspaces."""
        marks = ", ".join("?" * len(workspaces))
        sql = (
            "SELECT workspace_id, min(submitted_at), max(submitted_at) FROM answers "  # noqa: S608
            f"WHERE workspace_id IN ({marks}) GROUP BY 1"
        )
        return cur.execute(sql, workspaces).fetchall()

    def _load_touchpoints(self, conn: Connection) -> None:
        rows = _fetch(conn, TOUCHPOINTS_SQL, [])
        cur = self.con.cursor()
        cur.execute("BEGIN")
        cur.execute("DELETE FROM touchpoints")
        if rows:
            cur.executemany("INSERT INTO touchpoints VALUES (?, ?, ?, ?)", [tuple(r) for r in rows])
        cur.execute("COMMIT")

    def _load_contacts(
        self, conn: Connection, cur: duckdb.DuckDBPyConnection, ids: Sequence[str]
    ) -> None:
        for start in range(0, len(ids), CONTACT_BATCH):
            batch = list(ids[start : start + CONTACT_BATCH])
            marks = ", ".join(["{p}"] * len(batch))
            sql = f"SELECT id, workspace_id, attributes FROM contacts WHERE id IN ({marks})"  # noqa: S608
            self._insert_contacts(cur, _fetch(conn, sql, batch))

    def _insert_contacts(self, cur: duckdb.DuckDBPyConnection, rows: Iterable[Any]) -> None:
        ids, spaces, names, values, seen = [], [], [], [], []
        for contact_id, workspace_id, attributes in rows:
            seen.append(contact_id)
            if isinstance(attributes, str):
                attributes = json.loads(attributes)
            for name, value in (attributes or {}).items():
                text = attribute_text(value)
                if text is not None:
                    ids.append(contact_id)
                    spaces.append(workspace_id)
                    names.append(name)
                    values.append(text)
        attrs = pa.table(
            {"contact_id": ids, "workspace_id": spaces, "name": names, "value": values}
        )
        cur.register("attrs", attrs)
        cur.execute(
            "INSERT INTO contact_attrs "
            "SELECT hash(contact_id), workspace_id, name, value FROM attrs"
        )
        cur.unregister("attrs")
        cur.register("seen", pa.table({"contact_id": pa.array(seen, pa.string())}))
        cur.execute("INSERT INTO contacts_seen SELECT hash(contact_id) FROM seen")
        cur.unregister("seen")

    # -- queries ----------------------------------------------------------------------------
    def aggregate(
        self, q: MetricQuery, members: Sequence[str] | None = None
    ) -> list[tuple[Any, ...]]:
        """(keys..., n, good, bad, Σvalue, Σvalue²) per group, as the SQL path returns them;
        `members` are the contact ids of the query's segment, if it has one."""
        cursor = self.con.cursor()
        rolled = cursor.execute(
            "SELECT name FROM rolled_attrs WHERE workspace_id = ?", [q.workspace_id]
        ).fetchall()
        rollup = duck_sql.Rollup(self.zone_of(q.workspace_id), frozenset(r[0] for r in rolled))
        sql, params = duck_sql.aggregate_sql(q, rollup)
        if q.members is not None:
            ids = pa.array(list(members or []), pa.string())
            cursor.register("members", pa.table({"contact_id": ids}))
        return [tuple(r) for r in cursor.execute(sql, params).fetchall()]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Runs read-only SQL over the copy (benchmarks, drivers)."""
        return [tuple(r) for r in self.con.cursor().execute(sql, list(params)).fetchall()]

    def matrix(self, sql: str, params: Sequence[Any] = ()) -> npt.NDArray[np.float64]:
        """Runs read-only SQL over the copy; its columns as one float matrix (no Python rows)."""
        columns = self.con.cursor().execute(sql, list(params)).fetchnumpy()
        if not columns:
            return np.zeros((0, 0))
        return np.column_stack(
            [np.ma.asarray(c, dtype=np.float64).filled(np.nan) for c in columns.values()]
        )

    def close(self) -> None:
        self.con.close()


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _fetch(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """Runs SQL with ``{p}`` placeholders on the raw DB-API cursor (no per-row SQLAlchemy cost)."""
    mark = "%s" if _is_pg(conn) else "?"
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql.replace("{p}", mark), list(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()
