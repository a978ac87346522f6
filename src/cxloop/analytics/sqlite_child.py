"""A reader process for large catch-ups from SQLite: ``python -m cxloop.analytics.sqlite_child``.

It reads a job from stdin (JSON: ``path``, ``after``, ``limit``, ``folder``) and, for each chunk
of answers above ``after``, writes the answers and their responses as two Arrow IPC files in
``folder`` and their paths as a line on stdout; ``end`` ends the output. It then reads the next
chunk, and writes it once the parent has taken the one before (an empty line on stdin): at
most two chunks are in flight. The parent memory-maps the files (no copy).

The ADBC SQLite driver builds the Arrow columns in C, several times faster than Python's
sqlite3 rows. It runs here, in its own process, because it links its own copy of SQLite,
which must not share a process with Python's (see ``source``). Only pyarrow and the ADBC
packages are imported: the process starts in about 0.3 s, and the parent keeps one started
(a spare) for the next large catch-up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import adbc_driver_manager
import adbc_driver_sqlite
import pyarrow as pa

from cxloop.analytics.chunk_sql import read_chunks

BATCH_ROWS = "65536"  # rows per Arrow batch (the driver's default, 1,024, reads slower)


def _query(connection: Any, sql: str, names: list[str]) -> pa.Table:
    with adbc_driver_manager.AdbcStatement(connection) as statement:
        statement.set_options(**{adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value: BATCH_ROWS})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        table: pa.Table = pa.RecordBatchReader._import_from_c(stream.address).read_all()
    return table.rename_columns(names)


def _write(path: Path, table: pa.Table) -> str:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return str(path)


def main() -> None:
    line = sys.stdin.readline()
    if not line:
        return  # a spare reader that was never given a job
    job = json.loads(line)
    folder = Path(job["folder"])
    written = 0
    with (
        adbc_driver_sqlite.connect(job["path"]) as database,
        adbc_driver_manager.AdbcConnection(database) as connection,
    ):
        chunks = read_chunks(
            lambda sql, names: _query(connection, sql, names), False, job["after"], job["limit"]
        )
        for n, (answers, responses) in enumerate(chunks):
            if n and not _taken():
                return
            paths = [
                _write(folder / f"{n}-answers.arrow", answers),
                _write(folder / f"{n}-responses.arrow", responses),
            ]
            print(*paths, flush=True)
            written = n + 1
    if written and not _taken():
        return
    print("end", flush=True)


def _taken() -> bool:
    """Waits until the parent has taken the chunk before; False if it has gone."""
    return bool(sys.stdin.readline())


if __name__ == "__main__":
    try:
        main()
    except (adbc_driver_manager.Error, OSError) as error:  # one line for the parent's error
        sys.exit(str(error).splitlines()[0] if str(error) else type(error).__name__)
