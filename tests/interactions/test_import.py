from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cxloop.core.settings import Settings
from cxloop.interactions.cli import import_interactions
from cxloop.interactions.importer import import_interactions_csv
from tests.interactions.shop import make_shop

GOOD_AND_BAD = (
    "occurred_at,kind,contact_external_id,contact_email,touchpoint_key,channel,text,"
    "external_id,thread_id,value,prop.agent\n"
    "2024-05-01T09:00:00Z,ticket_opened,c-1,,support-call,,My parcel is late,t-1,T1,,Ana\n"
    "2024-05-01T09:05:00Z,fax,c-1,,support-call,,,t-2,T1,,Ana\n"  # line 3: bad kind
    '2024-05-01T10:00:00Z,agent_replied,c-1,,help-chat,,"We are on it,\n'
    'sorry!",t-3,T1,,Ana\n'  # lines 4-5: one record over two lines
    "2024-05-01T11:00:00Z,ticket_solved,,,support-call,,,t-4,T1,,Ana\n"  # line 6: no contact
    "not a date,order,c-2,,checkout,,,o-1,,12.5,\n"  # line 7: bad time
    "2024-05-02T08:00:00Z,order,c-2,C2@example.com,checkout,,,o-2,,twelve,\n"  # line 8
    "2024-05-02T09:00:00Z,order,c-2,c2@example.com,no-such-key,,,o-3,,20,\n"  # line 9
    "\n"
    "2024-05-03T09:00:00Z,review,,c2@example.com,,review_site,Nice shop,r-1,,5,\n"  # line 11
)


def test_csv_upload_imports_good_rows_and_reports_bad_lines(
    db: Session, http: httpx.Client
) -> None:
    shop = make_shop(db)
    h = shop.headers()
    files = {"file": ("events.csv", GOOD_AND_BAD.encode(), "text/csv")}
    resp = http.post("/api/v1/interactions/import", files=files, headers=h)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["accepted"] == 3
    assert [r["line"] for r in report["rejected"]] == [3, 6, 7, 8, 9]
    messages = {r["line"]: r["message"] for r in report["rejected"]}
    assert messages[3].startswith("kind:")
    assert "contact" in messages[6]
    assert messages[7].startswith("occurred_at:")
    assert messages[8].startswith("value:")
    assert messages[9].startswith("touchpoint_key:")

    listed = http.get("/api/v1/interactions", headers=h).json()["items"]
    by_ext = {i["external_id"]: i for i in listed}
    assert set(by_ext) == {"t-1", "t-3", "r-1"}
    assert by_ext["t-3"]["text"] == "We are on it,\nsorry!"
    assert by_ext["t-1"]["properties"] == {"agent": "Ana"}
    assert (by_ext["t-1"]["channel"], by_ext["r-1"]["channel"]) == ("phone", "review_site")
    assert by_ext["r-1"]["value"] == 5

    again = http.post("/api/v1/interactions/import", files=files, headers=h).json()
    assert (again["accepted"], again["duplicates"]) == (3, 3)
    assert http.get("/api/v1/interactions", headers=h).json()["total"] == 3


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"occurred_at,contact_email\n2024-01-01,a@b.co\n", "kind"),
        (b"occurred_at,kind,colour\n", "colour"),
        (b"occurred_at,kind,text\n", "contact"),
        (b"occurred_at,kind,contact_email\n2024-01-01,chat,\xff\xfe@x.io\n", "UTF-8"),
    ],
)
def test_unusable_files_are_refused_whole(
    db: Session, http: httpx.Client, content: bytes, needle: str
) -> None:
    shop = make_shop(db)
    files = {"file": ("bad.csv", content, "text/csv")}
    resp = http.post("/api/v1/interactions/import", files=files, headers=shop.headers())
    assert resp.status_code == 422
    assert resp.json()["error"]["message"].startswith("file:")
    assert needle in resp.json()["error"]["message"]
    assert http.get("/api/v1/interactions", headers=shop.headers()).json()["total"] == 0


def test_import_service_reads_a_path_and_reports_progress(db: Session, tmp_path: Path) -> None:
    shop = make_shop(db)
    lines = ["occurred_at,kind,contact_external_id,touchpoint_key"]
    lines += [f"2024-06-01T10:{i % 60:02d}:00Z,visit,v-{i % 40},checkout" for i in range(1200)]
    lines.insert(700, "2024-06-01T10:00:00Z,visit,,checkout")  # line 701 has no contact
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[int] = []
    report = import_interactions_csv(db, shop.tenant.workspace.id, path, on_progress=seen.append)
    db.commit()
    assert report.accepted == 1200
    assert [line for line, _ in report.rejected] == [701]
    assert seen[-1] == 1201 and seen == sorted(seen) and len(seen) >= 3
    stream = io.BytesIO(b"occurred_at,kind,contact_email\n2024-06-02,chat,x@y.io\n")
    assert import_interactions_csv(db, shop.tenant.workspace.id, stream).accepted == 1


def test_cli_import_prints_a_summary_and_fails_on_bad_rows(
    db: Session,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    http: httpx.Client,
) -> None:
    shop = make_shop(db)
    monkeypatch.setenv("CXLOOP_DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CXLOOP_SECRET_KEY", settings.signing_key)
    app = typer.Typer()
    app.command()(import_interactions)
    path = tmp_path / "events.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    result = CliRunner().invoke(app, [str(path), "--workspace", shop.tenant.workspace.slug])
    assert result.exit_code == 1, result.output
    assert "accepted 3 rows" in result.output
    assert "rejected 5" in result.output
    assert "line 3: kind:" in result.output
    listed = http.get("/api/v1/interactions", headers=shop.headers()).json()
    assert listed["total"] == 3

    clean = tmp_path / "clean.csv"
    clean.write_text(GOOD_AND_BAD.splitlines()[0] + "\n" + GOOD_AND_BAD.splitlines()[1] + "\n")
    ok = CliRunner().invoke(app, [str(clean), "--workspace", shop.tenant.workspace.slug])
    assert ok.exit_code == 0, ok.output
    assert "1 already imported" in ok.output
    unknown = CliRunner().invoke(app, [str(clean), "--workspace", "no-such-workspace"])
    assert unknown.exit_code == 1
    assert "no-such-workspace" in unknown.output
