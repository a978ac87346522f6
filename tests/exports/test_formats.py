"""Each format and layout holds exactly what was submitted through the API, read back with the
csv module, openpyxl and pyarrow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.exports import service
from cxloop.exports.schemas import ResponseFilters
from cxloop.exports.writers import Column, open_table
from tests.exports.conftest import Submitted
from tests.exports.tables import instant, number, read_rows, text

FORMATS = ["csv", "xlsx", "parquet"]
KINDS = {"nps": "nps", "comment": "open_text", "reasons": "multiple_choice", "csat": "csat"}
ORDER_A, ORDER_B = ["nps", "comment", "reasons"], ["csat", "comment"]


def stored(http: httpx.Client, sub: Submitted) -> list[dict[str, Any]]:
    """The responses as the API reads them back, in submission-time order."""
    found = []
    for item in sub.items:
        resp = http.get(f"/api/v1/responses/{item['id']}", headers=sub.tenant.headers())
        assert resp.status_code == 200, resp.text
        found.append(resp.json())
    return sorted(found, key=lambda r: (r["submitted_at"], r["id"]))


def export(db: Session, sub: Submitted, tmp_path: Path, fmt: str, layout: str) -> Path:
    path = tmp_path / f"out.{fmt}"
    outcome = service.export_responses(
        db, sub.tenant.workspace.id, fmt, layout, ResponseFilters(), path
    )
    assert outcome.size_bytes == path.stat().st_size
    return path


def common(row: dict[str, Any], response: dict[str, Any], sub: Submitted) -> None:
    """The response columns of an exported row against the stored response and what was sent."""
    sent = sub.by_id()[response["id"]]
    names = {sub.survey_a["id"]: "Delivery NPS", sub.survey_b["id"]: "Store CSAT"}
    assert row["response_id"] == response["id"]
    assert instant(row["submitted_at"]) == instant(response["submitted_at"])
    assert row["survey_id"] == response["survey_id"]
    assert row["survey"] == names[response["survey_id"]]
    assert text(row["touchpoint_id"]) == response["touchpoint_id"]
    tp_name = sub.touchpoint["name"] if response["touchpoint_id"] else None
    assert text(row["touchpoint"]) == tp_name
    assert row["channel"] == response["channel"] == sent["channel"]
    assert row["language"] == response["language"] == sent["language"]
    contact = sent.get("contact") or {}
    assert text(row["contact_external_id"]) == contact.get("external_id")
    assert text(row["contact_email"]) == contact.get("email")


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_layout_has_one_row_per_answer(
    db: Session, http: httpx.Client, submitted: Submitted, tmp_path: Path, fmt: str
) -> None:
    responses = stored(http, submitted)
    header, rows = read_rows(export(db, submitted, tmp_path, fmt, "long"), fmt)
    assert header[-5:] == ["question", "kind", "number", "text", "choices"]
    expected = []
    for response in responses:
        order = ORDER_A if response["survey_id"] == submitted.survey_a["id"] else ORDER_B
        expected += [(response, key) for key in order if key in response["answers"]]
    assert len(rows) == len(expected) == 11
    for row, (response, key) in zip(rows, expected, strict=True):
        common(row, response, submitted)
        value = response["answers"][key]
        assert (row["question"], row["kind"]) == (key, KINDS[key])
        assert number(row["number"]) == (value if isinstance(value, float | int) else None)
        assert text(row["text"]) == (value if isinstance(value, str) else None)
        assert text(row["choices"]) == ("|".join(value) if isinstance(value, list) else None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_wide_layout_has_one_row_per_response_and_a_column_per_key(
    db: Session, http: httpx.Client, submitted: Submitted, tmp_path: Path, fmt: str
) -> None:
    responses = stored(http, submitted)
    header, rows = read_rows(export(db, submitted, tmp_path, fmt, "wide"), fmt)
    # keys of the first survey, then the new keys of the second; hidden fields sorted
    assert header[10:] == ["nps", "comment", "reasons", "csat", "hidden.order", "hidden.store"]
    assert [r["response_id"] for r in rows] == [r["id"] for r in responses]
    for row, response in zip(rows, responses, strict=True):
        common(row, response, submitted)
        answers = response["answers"]
        assert number(row["nps"]) == answers.get("nps")
        assert number(row["csat"]) == answers.get("csat")
        assert text(row["comment"]) == answers.get("comment")
        reasons = answers.get("reasons")
        assert text(row["reasons"]) == ("|".join(reasons) if reasons else None)
        hidden = response["hidden"]
        assert text(row["hidden.order"]) == hidden.get("order")
        store = hidden.get("store")
        assert text(row["hidden.store"]) == (None if store is None else str(store))


def test_parquet_columns_are_typed(db: Session, submitted: Submitted, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    schema = pq.read_schema(export(db, submitted, tmp_path, "parquet", "wide"))
    assert str(schema.field("submitted_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("nps").type) == "double"
    assert str(schema.field("csat").type) == "double"
    assert str(schema.field("comment").type) == "string"
    assert str(schema.field("hidden.store").type) == "string"


def test_xlsx_stores_numbers_as_numbers_and_formulas_as_text(
    db: Session, submitted: Submitted, tmp_path: Path
) -> None:
    _, rows = read_rows(export(db, submitted, tmp_path, "xlsx", "wide"), "xlsx")
    assert [r["nps"] for r in rows[:3]] == [10, 3, 7]
    assert all(isinstance(r["nps"], int | float) for r in rows[:3])
    assert rows[2]["comment"] == "=1+2"  # a customer's text, not a formula Excel would run


def test_csv_for_excel_has_a_bom_and_neutralises_formulas(
    db: Session, submitted: Submitted, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    ws = submitted.tenant.workspace.id
    service.export_responses(db, ws, "csv", "wide", ResponseFilters(), path, excel=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    _, rows = read_rows(path, "csv")
    assert rows[2]["comment"] == "'=1+2"
    assert rows[1]["comment"] == "Giao hàng chậm quá"
    plain = export(db, submitted, tmp_path, "csv", "wide")
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_rows(plain, "csv")[1][2]["comment"] == "=1+2"


def test_xlsx_continues_on_new_sheets_past_the_row_limit(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "split.xlsx"
    with open_table("xlsx", path, [Column("i", "int")], sheet="responses", sheet_rows=3) as out:
        for i in range(5):
            out.write([i])
    book = load_workbook(path, read_only=True)
    sheets = [(s.title, list(s.iter_rows(values_only=True))) for s in book.worksheets]
    assert sheets == [
        ("responses", [("i",), (0,), (1,)]),
        ("responses 2", [("i",), (2,), (3,)]),
        ("responses 3", [("i",), (4,)]),
    ]
