"""CSV import of responses: good rows stored, bad rows reported by line, clear file errors."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.cli.conftest import Cli, assert_clean_error, user_facing_url
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import (
    choice_question,
    comment_question,
    create_survey,
    make_touchpoint,
    nps_question,
    responses_of,
)

LANGS = ["en", "vi"]


@pytest.fixture
def tenant(db: Session) -> Tenant:
    return make_tenant(db, "Importers")


@pytest.fixture
def survey(http: httpx.Client, tenant: Tenant) -> dict[str, Any]:
    questions = [
        nps_question(LANGS),
        choice_question(LANGS, "multiple_choice", "liked"),
        comment_question(LANGS),
    ]
    return create_survey(http, tenant, languages=LANGS, questions=questions)


def good_and_bad(survey_id: str, touchpoint_id: str) -> str:
    head = (
        "survey_id,submitted_at,contact_external_id,contact_email,contact_name,language,"
        "touchpoint_id,idempotency_key,nps,answer.liked,comment,hidden.order_id\n"
    )
    s, t = survey_id, touchpoint_id
    return (
        head
        + f"{s},2026-03-01T10:00:00Z,C-1,ana@example.com,Ana,vi,{t},k1,9,fast|kind,Rất tốt,O-1\n"
        + f"{s},2026-03-01T11:00:00Z,C-2,,,en,{t},k2,11,,Too high,O-2\n"  # line 3: nps 11
        + f'{s},2026-03-02T09:00:00Z,,bo@example.com,,en,,k3,6,cheap,"Slow,\nbut fine",\n'
        + f"{s},2026-03-02T09:30:00,C-4,,,en,,k4,7,,,\n"  # line 6: no time zone
        + f"{s},2026-03-03T09:00:00Z,C-5,,,en,no-such-touchpoint,k5,8,,,\n"  # line 7
        + "\n"
        + "missing-survey,2026-03-03T10:00:00Z,C-6,,,en,,k6,8,,,\n"  # line 9
        + f"{s},2026-03-03T11:00:00Z,C-7,,,en,,k7,10,pricey,,\n"  # line 10: bad option
        + f"{s},,C-8,,,lt,,k8,10,,Puiku,\n"
    )


def upload(http: httpx.Client, tenant: Tenant, content: bytes, **form: str) -> httpx.Response:
    files = {"file": ("responses.csv", content, "text/csv")}
    return http.post("/api/v1/responses/import", files=files, data=form, headers=tenant.headers())


def test_good_rows_are_stored_and_bad_rows_reported_by_line(
    http: httpx.Client, tenant: Tenant, survey: dict[str, Any]
) -> None:
    touchpoint = make_touchpoint(http, tenant, channel="email")
    content = good_and_bad(survey["id"], touchpoint["id"]).encode()

    resp = upload(http, tenant, content)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["rows"], report["accepted"], report["duplicates"]) == (8, 3, 0)
    messages = {r["line"]: r["message"] for r in report["rejected"]}
    assert sorted(messages) == [3, 6, 7, 9, 10]
    assert "nps" in messages[3] and "11" in messages[3]
    assert messages[6].startswith("submitted_at:")
    assert "no-such-touchpoint" in messages[7]
    assert "missing-survey" in messages[9] and "does not exist" in messages[9]
    assert "pricey" in messages[10]

    stored = {r["answers"]["nps"]: r for r in responses_of(http, tenant, survey["id"])}
    assert sorted(stored) == [6, 9, 10]
    ana = stored[9]
    assert ana["answers"]["liked"] == ["fast", "kind"]
    assert ana["answers"]["comment"] == "Rất tốt"
    assert (ana["language"], ana["channel"], ana["touchpoint_id"]) == (
        "vi",
        "email",
        touchpoint["id"],
    )
    assert ana["hidden"] == {"order_id": "O-1"}
    assert ana["source"] == "import"
    assert stored[6]["answers"]["comment"] == "Slow,\nbut fine"
    contact = http.get(f"/api/v1/contacts/{ana['contact_id']}", headers=tenant.headers()).json()
    assert (contact["external_id"], contact["email"], contact["name"]) == (
        "C-1",
        "ana@example.com",
        "Ana",
    )

    again = upload(http, tenant, content).json()
    assert (again["accepted"], again["duplicates"]) == (3, 3)
    assert len(responses_of(http, tenant, survey["id"])) == 3


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("cp1252", "cp1252"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16")],
)
def test_other_encodings_are_read_and_reported(
    http: httpx.Client, tenant: Tenant, survey: dict[str, Any], encoding: str, reported: str
) -> None:
    text = f"survey_id,nps,comment\n{survey['id']},10,Très bien, café crème\n"
    text = text.replace("Très bien, café crème", '"Très bien, café crème"')
    report = upload(http, tenant, text.encode(encoding)).json()
    assert (report["accepted"], report["rejected"], report["encoding"]) == (1, [], reported)
    [stored] = responses_of(http, tenant, survey["id"])
    assert stored["answers"]["comment"] == "Très bien, café crème"


def test_one_survey_for_the_whole_file_with_semicolons(
    http: httpx.Client, tenant: Tenant, survey: dict[str, Any]
) -> None:
    content = "nps;comment;language\n8;Dobrze;lt\n3;Chậm quá;vi\n".encode()
    report = upload(http, tenant, content, survey_id=survey["id"]).json()
    assert (report["accepted"], report["rejected"]) == (2, [])
    languages = sorted(r["language"] for r in responses_of(http, tenant, survey["id"]))
    assert languages == ["lt", "vi"]


@pytest.mark.parametrize(
    ("content", "form", "status", "needle"),
    [
        (b"", {}, 422, "empty"),
        (b"a,b\n1,2\n", {}, 422, "no survey_id column"),
        (b"survey_id,submitted_at\nx,2026-01-01T00:00:00Z\n", {}, 422, "no answer columns"),
        (b"nps,Customer Name\n9,Ana\n", {"survey_id": "SURVEY"}, 422, "'Customer Name'"),
        (b"nps\n9\n", {"survey_id": "nope"}, 404, "survey 'nope' does not exist"),
        (b"PK\x03\x04binary", {}, 422, "Excel"),
    ],
)
def test_unusable_files_are_refused_and_store_nothing(
    http: httpx.Client,
    tenant: Tenant,
    survey: dict[str, Any],
    content: bytes,
    form: dict[str, str],
    status: int,
    needle: str,
) -> None:
    form = {k: v.replace("SURVEY", survey["id"]) for k, v in form.items()}
    resp = upload(http, tenant, content, **form)
    assert resp.status_code == status, resp.text
    assert needle in resp.json()["error"]["message"]
    assert responses_of(http, tenant, survey["id"]) == []


def test_another_workspaces_survey_is_a_rejected_row(
    db: Session, http: httpx.Client, tenant: Tenant, survey: dict[str, Any]
) -> None:
    other = make_tenant(db, "Other")
    content = f"survey_id,nps\n{survey['id']},9\n"
    report = upload(http, other, content.encode()).json()
    assert report["accepted"] == 0
    assert report["rejected"] == [
        {"line": 2, "message": f"survey_id: survey '{survey['id']}' does not exist"}
    ]
    assert responses_of(http, tenant, survey["id"]) == []


def test_importing_needs_the_analyst_role(
    db: Session, http: httpx.Client, survey: dict[str, Any]
) -> None:
    viewer = make_tenant(db, "Viewers", role=Role.viewer)
    resp = upload(http, viewer, f"survey_id,nps\n{survey['id']},9\n".encode())
    assert resp.status_code == 403


def _cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(data_dir=tmp_path / "data", database_url=user_facing_url(database_url))


def test_cli_import_shows_the_summary_and_writes_rejected_rows(
    http: httpx.Client,
    tenant: Tenant,
    survey: dict[str, Any],
    database_url: str,
    tmp_path: Path,
) -> None:
    touchpoint = make_touchpoint(http, tenant)
    path = tmp_path / "responses.csv"
    path.write_text(good_and_bad(survey["id"], touchpoint["id"]), encoding="utf-8")
    cli = _cli(database_url, tmp_path)

    result = cli.run("import", "responses", str(path), "--workspace", tenant.workspace.slug)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "8 rows read: accepted 3 (0 already imported), rejected 5" in result.stdout
    assert "line 3: answers.nps" in result.stdout
    assert "line 9: survey_id: survey 'missing-survey' does not exist" in result.stdout
    assert len(responses_of(http, tenant, survey["id"])) == 3

    rejected = tmp_path / "responses.rejected.csv"
    with rejected.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["line"] for r in rows] == ["3", "6", "7", "9", "10"]
    assert rows[0]["nps"] == "11" and "11" in rows[0]["error"]

    good = tmp_path / "good.csv"
    good.write_text("nps,comment\n7,ok\n", encoding="utf-8")
    ok = cli.run(
        "import", "responses", str(good), "--workspace", tenant.workspace.slug,
        "--survey", survey["id"],
    )  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1 row read: accepted 1 (0 already imported), rejected 0" in ok.stdout


def test_cli_import_of_a_missing_file_or_unknown_survey_is_a_clean_error(
    tenant: Tenant, database_url: str, tmp_path: Path
) -> None:
    cli = _cli(database_url, tmp_path)
    slug = tenant.workspace.slug
    missing = cli.run("import", "responses", str(tmp_path / "nope.csv"), "--workspace", slug)
    assert_clean_error(missing, 1, "nope.csv does not exist")

    path = tmp_path / "r.csv"
    path.write_text("nps\n9\n", encoding="utf-8")
    unknown = cli.run("import", "responses", str(path), "--workspace", slug, "--survey", "zz")
    assert_clean_error(unknown, 1, "survey 'zz' does not exist")
