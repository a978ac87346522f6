"""Reading any customer CSV: encoding and delimiter detection, and a clear error for a missing
text column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from cxloop.core.errors import Invalid

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and its encoding: the one given, else a BOM (UTF-8, UTF-16), UTF-16
    without BOM, UTF-8, Windows-1252, and Latin-1 as the last resort (never fails)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise Invalid(f"encoding: '{encoding}' is not an encoding Python knows") from exc
        except UnicodeDecodeError as exc:
            raise Invalid(f"file: not valid {encoding} text (byte {exc.start})") from exc
    if data.startswith(b"PK\x03\x04"):
        raise Invalid("file: this looks like an Excel workbook; save it as CSV first")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    sample = data[:4000]
    if sample and sample.count(0) * 4 >= len(sample):
        even_zeros = sample[0::2].count(0)
        codec = "utf-16-be" if even_zeros > sample[1::2].count(0) else "utf-16-le"
        return data.decode(codec, errors="replace"), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(data: bytes, encoding: str | None = None) -> Table:
    """All rows of a CSV file (NUL bytes dropped, short rows padded to the header)."""
    text, used = decode(data, encoding)
    text = text.replace("\x00", "")
    delimiter = _delimiter(text)
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
