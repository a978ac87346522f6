"""Reads an exported file back (csv module, openpyxl, pyarrow) into plain rows for comparison."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NUMBER_COLUMNS = {"number", "nps", "csat", "n", "value", "ci_low", "ci_high", "mean"}


def read_rows(path: Path, fmt: str) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, rows); every sheet of an XLSX file in order, each sheet's header skipped."""
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            return header, [dict(zip(header, row, strict=True)) for row in reader]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        header: list[str] = []
        rows: list[dict[str, Any]] = []
        for sheet in book.worksheets:
            values = list(sheet.iter_rows(values_only=True))
            header = [str(v) for v in values[0]]
            rows += [dict(zip(header, row, strict=False)) for row in values[1:]]
        book.close()
        return header, rows
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return table.column_names, table.to_pylist()


def number(value: Any) -> float | None:
    """A numeric cell as float: '10' (CSV), 10 (XLSX), 10.0 (Parquet) → 10.0; empty → None."""
    if value is None or value == "":
        return None
    return float(value)


def text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def instant(value: Any) -> datetime:
    """A timestamp cell as an aware UTC datetime (XLSX holds naive UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
