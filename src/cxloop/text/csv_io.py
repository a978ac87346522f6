"""Reading any customer CSV: encoding and delimiter detection, and a clear error for a missing
text column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from cxloop.core import csv_text
from cxloop.core.errors import Invalid

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str


def read_table(data: bytes, encoding: str | None = None) -> Table:
    """All rows of a CSV file (NUL bytes dropped, short rows padded to the header)."""
    text, used = csv_text.decode(data, encoding)
    text = text.replace("\x00", "")
    delimiter = csv_text.delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid("file: the CSV file is empty (no header row)") from None
    except csv.Error as exc:
        raise Invalid(f"file: not a readable CSV file ({exc})") from exc
    header = [name.strip() for name in header]
    rows: list[list[str]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            rows.append(row)
    except csv.Error as exc:
        raise Invalid(f"file: not a readable CSV file (row {len(rows) + 2}: {exc})") from exc
    return Table(header, rows, used, delimiter)


def text_column(header: list[str], wanted: str) -> int:
    """Index of the text column (exact, else case-insensitive), or an error listing columns."""
    if wanted in header:
        return header.index(wanted)
    folded = [name.casefold() for name in header]
    if wanted.casefold() in folded:
        return folded.index(wanted.casefold())
    available = ", ".join(repr(name) for name in header) or "(none)"
    raise Invalid(f"--text-column: the file has no column '{wanted}'; its columns are: {available}")
