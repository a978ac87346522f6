"""Table writers for CSV, XLSX and Parquet that stream rows to disk with bounded memory.

Every writer writes to a hidden temporary file beside the destination and renames it into place
only when the whole table was written; on any error or cancellation the partial file is deleted,
so a destination either holds a complete export or nothing new.

XLSX: a sheet holds at most 1,048,576 rows (Excel's limit), so larger exports continue on more
sheets ("responses", "responses 2", ...), each starting with the header row. Text longer than
Excel's 32,767 characters per cell is cut there. Text is always written as text, never as a
formula.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from cxloop.core.errors import Invalid

ColumnType = Literal["string", "number", "int", "bool", "datetime"]
Cell = str | float | int | bool | datetime | None
FORMATS = ("csv", "xlsx", "parquet")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
XLSX_MAX_ROWS = 1_048_576  # per sheet, header included
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_TEXT = 32_767
PARQUET_BATCH_ROWS = 50_000
PARQUET_BATCH_CELLS = 500_000  # wide tables get shorter batches: memory stays bounded
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "string"


class RowWriter(Protocol):
    def write(self, row: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


@contextmanager
def atomic_file(destination: Path) -> Iterator[Path]:
    """A temporary path beside ``destination``, renamed onto it if the block succeeds."""
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(6)}.part")
    try:
        yield temporary
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def open_table(
    fmt: str,
    destination: Path,
    columns: Sequence[Column],
    *,
    excel: bool = False,
    sheet: str = "data",
    sheet_rows: int = XLSX_MAX_ROWS,
) -> Iterator[RowWriter]:
    """A writer for ``fmt`` whose rows land in ``destination`` only if the block succeeds.

    ``excel`` (CSV only): UTF-8 with a byte order mark, and text that Excel would run as a
    formula (starting with = + - @) prefixed with an apostrophe.
    """
    if fmt not in FORMATS:
        raise Invalid(f"format: unknown value '{fmt}'; use one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and len(columns) > XLSX_MAX_COLUMNS:
        raise Invalid(
            f"format: xlsx holds at most {XLSX_MAX_COLUMNS} columns and this export has "
            f"{len(columns)}; use csv or parquet"
        )
    with atomic_file(destination) as temporary:
        writer: RowWriter
        if fmt == "csv":
            writer = CsvWriter(temporary, columns, excel=excel)
        elif fmt == "xlsx":
            writer = XlsxWriter(temporary, columns, sheet=sheet, sheet_rows=sheet_rows)
        else:
            writer = ParquetWriter(temporary, columns)
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise
        writer.close()


def number_text(value: float | int) -> str:
    """9.0 → '9', 4.5 → '4.5' (what a person expects to read in a CSV cell)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


class CsvWriter:
    """csv.writer rows; only number, bool and time cells are converted (None is written empty)."""

    def __init__(self, path: Path, columns: Sequence[Column], *, excel: bool) -> None:
        self._handle = path.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="")
        self._csv = csv.writer(self._handle)
        self._csv.writerow([c.name for c in columns])
        convert = {
            "number": _number_cell,
            "int": _number_cell,
            "bool": _bool_cell,
            "datetime": _time_cell,
            "string": _formula_safe if excel else None,
        }
        self._converters = [(i, f) for i, c in enumerate(columns) if (f := convert[c.type])]

    def write(self, row: Sequence[Cell]) -> None:
        if self._converters:
            row = list(row)
            for i, convert in self._converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
        self._csv.writerow(row)

    def close(self) -> None:
        self._handle.close()

    def abort(self) -> None:
        self._handle.close()


def _number_cell(value: Any) -> str:
    return number_text(value) if isinstance(value, float | int) else str(value)


def _bool_cell(value: Any) -> str:
    return "true" if value else "false"


def _time_cell(value: Any) -> str:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else str(value)


def _formula_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class XlsxWriter:
    """Row by row in xlsxwriter's constant-memory mode (each row is flushed to disk)."""

    def __init__(
        self, path: Path, columns: Sequence[Column], *, sheet: str, sheet_rows: int
    ) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": str(path.parent),
                "remove_timezone": True,
                "nan_inf_to_errors": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._header = [c.name for c in columns]
        self._types = [c.type for c in columns]
        self._bold = self._book.add_format({"bold": True})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._name, self._sheet_rows = sheet[:25], sheet_rows
        self._sheets = 0
        self._row = sheet_rows  # forces a first sheet on the first write
        self._sheet: Any = None
        self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        name = self._name if self._sheets == 1 else f"{self._name} {self._sheets}"
        self._sheet = self._book.add_worksheet(name)
        self._sheet.write_row(0, 0, self._header, self._bold)
        self._row = 1

    def write(self, row: Sequence[Cell]) -> None:
        if self._row >= self._sheet_rows:
            self._new_sheet()
        sheet, r = self._sheet, self._row
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, col, value[:XLSX_MAX_TEXT])
            elif isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(r, col, value.astimezone(UTC), self._date)
            else:
                sheet.write_number(r, col, value)
        self._row += 1

    def close(self) -> None:
        self._book.close()

    def abort(self) -> None:
        with suppress(Exception):  # the file is deleted anyway; keep the original error
            self._book.close()


class ParquetWriter:
    """Typed columns, written as record batches of at most ``PARQUET_BATCH_ROWS`` rows and
    ``PARQUET_BATCH_CELLS`` cells."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        types = {
            "string": pa.string(),
            "number": pa.float64(),
            "int": pa.int64(),
            "bool": pa.bool_(),
            "datetime": pa.timestamp("us", tz="UTC"),
        }
        self._schema = pa.schema([pa.field(c.name, types[c.type]) for c in columns])
        self._width = len(columns)
        self._batch = max(1_000, min(PARQUET_BATCH_ROWS, PARQUET_BATCH_CELLS // self._width))
        self._writer = pq.ParquetWriter(str(path), self._schema)
        self._rows: list[Sequence[Cell]] = []

    def write(self, row: Sequence[Cell]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self._batch:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        pa = self._pa
        cells = list(zip(*self._rows, strict=True))
        arrays = [pa.array(cells[i], type=self._schema.field(i).type) for i in range(self._width)]
        self._writer.write_batch(pa.record_batch(arrays, schema=self._schema))
        self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def abort(self) -> None:
        self._rows = []
        with suppress(Exception):  # the file is deleted anyway; keep the original error
            self._writer.close()
