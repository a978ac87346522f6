"""The baseline of the batch phase: the same rows inserted straight into the same tables.

No HTTP, no validation, no ORM: rows are built first (untimed), then written with the database
driver's own ``executemany`` in transactions of one batch each, committed like the server does.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Engine

from cxloop.responses.models import Answer, Response
from cxloop.responses.scoring import check_answers
from cxloop.responses.service import ordered_id
from cxloop.surveys.definitions import VersionSpec

RESPONSES: Table = Response.__table__  # type: ignore[assignment]
ANSWERS: Table = Answer.__table__  # type: ignore[assignment]


def build_rows(
    workspace_id: str, spec: VersionSpec, items: list[dict[str, Any]]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """One (response rows, answer rows) pair per item, as the ingestion service would build."""
    now = datetime.now(UTC)
    built = []
    for item in items:
        checked, errors = check_answers(spec.questions, spec.by_key, item["answers"])
        assert not errors, errors
        submitted = datetime.fromisoformat(item["submitted_at"])
        response = {
            "id": ordered_id(),
            "created_at": now,
            "workspace_id": workspace_id,
            "survey_id": spec.survey_id,
            "version_id": spec.id,
            "touchpoint_id": None,
            "contact_id": None,
            "channel": item["channel"],
            "language": item["language"],
            "source": "api",
            "submitted_at": submitted,
            "idempotency_key": item["idempotency_key"],
            "hidden": item["hidden"],
            "flags": "",
            "duration_seconds": None,
        }
        answers = [
            {
                "workspace_id": workspace_id,
                "response_id": response["id"],
                "question_id": a.question.id,
                "survey_id": spec.survey_id,
                "touchpoint_id": None,
                "channel": item["channel"],
                "submitted_at": submitted,
                "kind": a.question.kind.value,
                "value_number": a.number,
                "value_text": a.text,
                "value_choices": a.choices,
                "good": a.good,
                "bad": a.bad,
            }
            for a in checked
        ]
        built.append(([response], answers))
    return built


def _driver_value(value: Any, sqlite: bool) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if sqlite and isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _statement(table: Table, sqlite: bool) -> tuple[str, list[str]]:
    columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    if table is ANSWERS:
        columns = [c for c in columns if c != "id"]
    mark = "?" if sqlite else "%s"
    marks = ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    return sql, columns


def insert_raw(
    engine: Engine, rows: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]], batch: int
) -> float:
    """Inserts the rows, ``batch`` responses per transaction; returns the seconds it took."""
    sqlite = engine.dialect.name == "sqlite"
    response_sql, response_cols = _statement(RESPONSES, sqlite)
    answer_sql, answer_cols = _statement(ANSWERS, sqlite)
    chunks = []
    for start in range(0, len(rows), batch):
        part = rows[start : start + batch]
        chunks.append(
            (
                [
                    tuple(_driver_value(r[c], sqlite) for c in response_cols)
                    for rs, _ in part
                    for r in rs
                ],
                [
                    tuple(_driver_value(a[c], sqlite) for c in answer_cols)
                    for _, ans in part
                    for a in ans
                ],
            )
        )
    connection = engine.raw_connection()
    try:
        started = time.perf_counter()
        for responses, answers in chunks:
            cursor = connection.cursor()
            cursor.executemany(response_sql, responses)
            cursor.executemany(answer_sql, answers)
            cursor.close()
            connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()
