"""Reading new answers from the system of record as Arrow, for the columnar copy.

A chunk is two reads (``chunk_sql``): the answers by id range, then their responses (language,
contact) by id, each response once; DuckDB joins them (``duck_sql.INSERT_CHUNK``). That is
faster than joining in the database, which looks each response up again for each answer.

- PostgreSQL is read through the ADBC driver (``adbc-driver-postgresql``), which builds Arrow
  columns in C: no Python tuple per row.
- SQLite, for a large catch-up, is read by a child process with the ADBC SQLite driver
  (``sqlite_child``), which reads the next chunk while this process appends the one before;
  after a large catch-up a spare reader is started, so the next one does not wait for it.
  Never in this process: that driver links its own copy of SQLite, and two copies of SQLite
  in one process release each other's file locks, which corrupts the database
  (sqlite.org/howtocorrupt.html, "multiple copies of SQLite linked into the same
  application"); the test suite caught exactly that.
- SQLite, for a few new answers (the common case), is read through the connection's DB-API
  cursor: starting the child would cost more than it saves.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

import adbc_driver_postgresql.dbapi as adbc_postgresql
import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

import cxloop
from cxloop.analytics import results
from cxloop.analytics.chunk_sql import Chunk, read_chunks

CHILD_MIN_ANSWERS = 50_000
"""New answers (by id) from which a SQLite catch-up is read by the child process."""


class ReaderError(RuntimeError):
    """The SQLite reader process failed."""


@contextmanager
def answer_chunks(
    engine: Engine, conn: Connection, after: int, limit: int, expected: int
) -> Iterator[Iterator[Chunk]]:
    """The chunks of answers above id ``after`` (``limit`` answers each, the last one fewer)
    and their responses, as Arrow tables; ``expected``: about how many answers are new."""
    if engine.url.get_backend_name() == "postgresql":
        uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with closing(adbc_postgresql.connect(uri)) as connection:
            yield read_chunks(partial(_adbc_table, connection), True, after, limit)
    elif expected >= CHILD_MIN_ANSWERS and engine.url.database not in (None, "", ":memory:"):
        with _child_chunks(str(engine.url.database), after, limit) as chunks:
            yield chunks
    else:
        yield read_chunks(partial(_dbapi_table, conn), False, after, limit)


@contextmanager
def _child_chunks(path: str, after: int, limit: int) -> Iterator[Iterator[Chunk]]:
    """Chunks read by ``sqlite_child`` in its own process, passed as memory-mapped files."""
    with (
        tempfile.TemporaryDirectory(prefix="cxloop-read-") as folder,
        _take_reader() as process,
    ):
        stdin, stdout = _pipe(process.stdin), _pipe(process.stdout)
        job = {"path": os.path.abspath(path), "after": after, "limit": limit, "folder": folder}

        def chunks() -> Iterator[Chunk]:
            stdin.write(json.dumps(job).encode() + b"\n")
            stdin.flush()
            while (paths := stdout.readline().decode().split()) and paths != ["end"]:
                yield Chunk(*(_mapped(path) for path in paths))
                for path in paths:
                    os.unlink(path)
                try:
                    stdin.write(b"\n")  # taken: the child may write the next chunk
                    stdin.flush()
                except BrokenPipeError:
                    break
            if paths != ["end"]:  # after "end" the process exits by itself: no need to wait
                raise ReaderError(_failure(process))

        try:
            yield chunks()
        finally:
            if process.poll() is None:
                process.kill()
    _keep_spare()


_spare: list[subprocess.Popen[bytes]] = []  # a started reader process waiting for its job
_spare_lock = threading.Lock()


def _start_reader() -> subprocess.Popen[bytes]:
    root = str(Path(cxloop.__file__).resolve().parents[1])  # where this cxloop is imported from
    python_path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "cxloop.analytics.sqlite_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": python_path},
    )


def _take_reader() -> subprocess.Popen[bytes]:
    """The spare reader process if one is waiting (its start, about 0.3 s, already paid),
    else a new one."""
    with _spare_lock:
        while _spare:
            process = _spare.pop()
            if process.poll() is None:
                return process
            _close(process)
    return _start_reader()


def _keep_spare() -> None:
    """Starts a spare reader for the next large catch-up (after one, more tend to follow: an
    import, a backfill)."""
    with _spare_lock:
        if not _spare:
            _spare.append(_start_reader())


@atexit.register
def _close_spare() -> None:
    with _spare_lock:
        while _spare:
            _close(_spare.pop())


def _close(process: subprocess.Popen[bytes]) -> None:
    """Ends a waiting reader: without a job (end of its stdin) it exits at once."""
    with process:
        _pipe(process.stdin).close()


def _mapped(path: str) -> pa.Table:
    with pa.memory_map(path) as source:
        table: pa.Table = pa.ipc.open_file(source).read_all()
    return table


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    assert stream is not None  # opened with PIPE
    return stream


def _failure(process: subprocess.Popen[bytes]) -> str:
    process.wait()
    detail = _pipe(process.stderr).read().decode(errors="replace").strip().splitlines()
    return f"the SQLite reader process failed: {detail[-1] if detail else process.returncode}"


def _adbc_table(connection: Any, sql: str, names: list[str]) -> pa.Table:
    with closing(connection.cursor()) as cursor:
        cursor.execute(sql)
        table: pa.Table = cursor.fetch_arrow_table()
    return table.rename_columns(names)


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
