"""CSV import of interactions: good rows are stored, bad rows reported with their line number.

Columns: occurred_at, kind, contact_external_id, contact_email, touchpoint_key, channel, text,
external_id, thread_id, value, and any `prop.<name>` (plus contact_id, contact_name and
touchpoint_id). Lines are counted in the file, the header being line 1. Flushes, never commits.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.contacts.validation import ATTRIBUTE_NAME
from cxloop.core.errors import Invalid
from cxloop.interactions import repository as repo
from cxloop.interactions.resolve import ItemError, Resolver
from cxloop.interactions.schemas import ImportReport, InteractionCreate

CHUNK = 500
REQUIRED = ("occurred_at", "kind")
CONTACT_COLUMNS = ("contact_id", "contact_external_id", "contact_email")
COLUMNS = frozenset(
    (
        *REQUIRED,
        *CONTACT_COLUMNS,
        "contact_name",
        "touchpoint_id",
        "touchpoint_key",
        "channel",
        "text",
        "external_id",
        "thread_id",
        "value",
    )
)
Progress = Callable[[int], None]


def import_interactions_csv(
    db: Session,
    workspace_id: str,
    path_or_fileobj: str | Path | IO[str] | IO[bytes],
    on_progress: Progress | None = None,
) -> ImportReport:
    """Imports a UTF-8 CSV file; ``on_progress(rows_done)`` is called after every chunk."""
    if isinstance(path_or_fileobj, str | Path):
        with open(path_or_fileobj, encoding="utf-8-sig", newline="") as handle:
            return _import(db, workspace_id, handle, on_progress)
    return _import(db, workspace_id, _as_text(path_or_fileobj), on_progress)


def count_rows(path: str | Path) -> int:
    """The number of data records in a CSV file (for a progress bar)."""
    with open(path, encoding="utf-8-sig", newline="", errors="replace") as handle:
        return max(0, sum(1 for row in csv.reader(handle) if row) - 1)


def _as_text(fileobj: IO[str] | IO[bytes]) -> IO[str]:
    if isinstance(fileobj.read(0), bytes):
        return io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
    return fileobj  # type: ignore[return-value]


def _import(
    db: Session, workspace_id: str, handle: IO[str], on_progress: Progress | None
) -> ImportReport:
    report = ImportReport()
    resolver = Resolver(db, workspace_id)
    chunk: list[tuple[int, InteractionCreate]] = []
    done = 0
    for line, parsed in _parse(handle):
        done += 1
        if isinstance(parsed, str):
            report.rejected.append((line, parsed))
        else:
            chunk.append((line, parsed))
        if len(chunk) >= CHUNK:
            _store(db, resolver, chunk, report)
            chunk = []
        if on_progress and done % CHUNK == 0:
            on_progress(done)
    _store(db, resolver, chunk, report)
    if on_progress:
        on_progress(done)
    report.rejected.sort()
    return report


def _parse(handle: IO[str]) -> Iterator[tuple[int, InteractionCreate | str]]:
    """(line number, parsed row or the reason it is bad) for every record of the file."""
    reader = csv.reader(handle)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise Invalid("file: the CSV file is empty; the first line must name the columns") from None
    except UnicodeDecodeError as exc:
        raise Invalid("file: not UTF-8 text; save the CSV as UTF-8") from exc
    except csv.Error as exc:
        raise Invalid(f"file: line 1 cannot be read as CSV: {exc}") from exc
    _check_header(header)
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise Invalid(f"file: not UTF-8 text near line {line}; save it as UTF-8") from exc
        except csv.Error as exc:
            raise Invalid(f"file: line {line} cannot be read as CSV: {exc}") from exc
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            yield start, f"row has {len(record)} fields but the header has {len(header)}"
            continue
        yield start, _row(dict(zip(header, record, strict=False)))


def _check_header(header: list[str]) -> None:
    unknown = [h for h in header if h not in COLUMNS and not _is_prop(h)]
    if unknown:
        raise Invalid(
            f"file: unknown column '{unknown[0]}'; use {', '.join(sorted(COLUMNS))} or prop.<name>"
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid(f"file: missing column '{missing[0]}'")
    if not any(c in header for c in CONTACT_COLUMNS):
        raise Invalid("file: needs a contact_external_id, contact_email or contact_id column")
    if len(set(header)) != len(header):
        raise Invalid("file: a column is named twice")
    for name in header:
        if _is_prop(name) and not ATTRIBUTE_NAME.match(name[len("prop.") :]):
            raise Invalid(f"file: column '{name}': property names use letters, digits, '_', '-'")


def _is_prop(name: str) -> bool:
    return name.startswith("prop.") and len(name) > len("prop.")


def _row(cells: dict[str, str]) -> InteractionCreate | str:
    data: dict[str, Any] = {}
    properties: dict[str, str] = {}
    for name, raw in cells.items():
        value = raw.strip()
        if not value:
            continue
        if _is_prop(name):
            properties[name[len("prop.") :]] = value
        else:
            data[name] = raw if name == "text" else value
    if "occurred_at" not in data:
        return "occurred_at: missing; give an ISO 8601 time like 2024-05-01T10:30:00Z"
    data["properties"] = properties
    try:
        return InteractionCreate.model_validate(data)
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err.get("loc", ())) or "row"
            if field.startswith("properties."):
                field = "prop." + field[len("properties.") :]
            parts.append(f"{field}: {str(err.get('msg')).removeprefix('Value error, ')}")
        return "; ".join(parts)


def _store(
    db: Session,
    resolver: Resolver,
    chunk: list[tuple[int, InteractionCreate]],
    report: ImportReport,
) -> None:
    if not chunk:
        return
    resolver.prefetch([item for _, item in chunk])
    rows = []
    for line, item in chunk:
        if resolver.stored_id(item.external_id) is not None:
            report.accepted += 1
            report.duplicates += 1
            continue
        try:
            rows.append(resolver.row(item))
        except ItemError as exc:
            report.rejected.append((line, f"{exc.field}: {exc.message}"))
            continue
        report.accepted += 1
    repo.insert_rows(db, rows)
