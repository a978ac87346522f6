"""Translations as CSV for translators: export, import (all or nothing), the publish gate."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from sqlalchemy.orm import Session

from cxloop.core.security import Role
from tests.factories import make_tenant
from tests.surveys.helpers import (
    choice_question,
    create_survey,
    csrf_of,
    log_in,
    nps_question,
    survey_body,
)

VI = {
    "survey.title": "Chúng tôi đã làm thế nào?",
    "survey.intro": "Chỉ một phút thôi.",
    "survey.thanks": "Cảm ơn bạn rất nhiều!",
    "q.nps.prompt": "Bạn có sẵn lòng giới thiệu chúng tôi không?",
    "q.why.prompt": "Điều gì quan trọng nhất?",
    "q.why.option.fast": "Nhanh chóng",
    "q.why.option.cheap": "Giá rẻ",
    "q.why.option.kind": "Thân thiện",
}
TH = {
    "survey.title": "เราทำได้ดีแค่ไหน",
    "q.nps.prompt": "คุณจะแนะนำเราไหม",
    "q.why.option.fast": "รวดเร็ว",
}
AR = {
    "survey.title": "كيف كان أداؤنا؟",
    "survey.intro": "دقيقة واحدة",
    "survey.thanks": "شكرا جزيلا",
    "q.nps.prompt": "ما مدى احتمال أن توصي بنا؟",
    "q.why.prompt": "ما الأهم بالنسبة لك؟",
    "q.why.option.fast": "سريع",
    "q.why.option.cheap": "رخيص",
    "q.why.option.kind": "لطيف",
}


def english_draft(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    """A draft written in English that declares Vietnamese, Thai and Arabic (not yet translated)."""
    body = survey_body(
        ["en"],
        publish=False,
        questions=[nps_question(["en"]), choice_question(["en"], "single_choice", "why")],
    )
    body["texts"]["en"]["intro"] = "One minute."
    body["questions"][1]["texts"]["en"]["prompt"] = "What matters most?"
    body["languages"] = ["en", "vi", "th", "ar"]
    resp = http.post("/api/v1/surveys", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    result: dict[str, Any] = resp.json()
    return result


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # spreadsheet apps then read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def filled(rows: list[list[str]], per_language: dict[str, dict[str, str]]) -> bytes:
    header = rows[0]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows[1:]:
        cells = list(row)
        for index, lang in enumerate(header[2:], start=2):
            cells[index] = per_language.get(lang, {}).get(row[0], cells[index])
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def upload(
    http: httpx.Client, headers: dict[str, str], survey_id: str, data: bytes
) -> httpx.Response:
    files = {"file": ("texts.csv", data, "text/csv")}
    return http.post(f"/api/v1/surveys/{survey_id}/translations.csv", files=files, headers=headers)


def test_csv_round_trip_in_vietnamese_thai_and_arabic(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    survey = english_draft(http, h)
    url = f"/api/v1/surveys/{survey['id']}/translations.csv"

    exported = http.get(url, headers=h)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = rows_of(exported.content)
    assert rows[0] == ["key", "source", "vi", "th", "ar"]
    assert rows[1] == ["survey.title", "How did we do?", "", "", ""]
    assert ["q.why.option.fast", "fast-en", "", "", ""] in rows
    assert "q.nps.low" not in [r[0] for r in rows]  # no custom label in English: nothing to do

    # Thai first, partly; publishing is refused and lists what each language lacks
    resp = upload(http, h, survey["id"], filled(rows, {"th": TH}))
    assert resp.status_code == 200, resp.text
    assert resp.json()["updated"] == {"th": 3} and resp.json()["warnings"] == []
    assert "q.why.prompt" in resp.json()["missing"]["th"]
    status = f"/api/v1/surveys/{survey['id']}/status"
    refused = http.post(status, json={"status": "live"}, headers=h)
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "vi: survey.title" in message and "th: survey.intro" in message

    # the translator sends everything back, with a BOM as Excel writes it
    everything = filled(rows, {"vi": VI, "th": {**{k: f"{k} (th)" for k in VI}, **TH}, "ar": AR})
    resp = upload(http, h, survey["id"], b"\xef\xbb\xbf" + everything)
    assert resp.status_code == 200, resp.text
    assert resp.json()["missing"] == {}
    assert http.post(status, json={"status": "live"}, headers=h).status_code == 200

    read = http.get(f"/api/v1/surveys/{survey['id']}", headers=h).json()
    assert read["texts"]["vi"]["title"] == VI["survey.title"]
    assert read["texts"]["th"]["title"] == TH["survey.title"]  # kept: the file said the same
    why = read["questions"][1]
    assert (
        why["options"][0]["texts"]["ar"] == "سريع"
        and why["texts"]["ar"]["prompt"] == AR["q.why.prompt"]
    )
    # the export now carries every language's text, byte for byte
    again = rows_of(http.get(url, headers=h).content)
    assert ["survey.title", "How did we do?", VI["survey.title"], TH["survey.title"]] == again[1][
        :4
    ]
    assert again[1][4] == AR["survey.title"]

    # the public page shows them
    token = read["public_url"].rsplit("/s/", 1)[1]
    page = http.get(f"/s/{token}", params={"lang": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in page and "لطيف" in page


def bad_upload(
    http: httpx.Client, h: dict[str, str], survey_id: str, data: bytes, expected: str
) -> None:
    resp = upload(http, h, survey_id, data)
    assert resp.status_code == 422, resp.text
    assert expected in resp.json()["error"]["message"], resp.json()["error"]["message"]


def test_bad_files_are_refused_whole_and_lose_nothing(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    h = tenant.headers()
    survey = english_draft(http, h)
    rows = rows_of(http.get(f"/api/v1/surveys/{survey['id']}/translations.csv", headers=h).content)
    assert upload(http, h, survey["id"], filled(rows, {"vi": VI})).status_code == 200
    before = http.get(f"/api/v1/surveys/{survey['id']}", headers=h).json()

    # an unknown key on row 4: the good rows above it are not stored either
    changed = {"vi": {"survey.title": "Tiêu đề mới"}}
    lines = filled(rows, changed).decode().splitlines()
    lines.insert(3, "q.nope.prompt,Nope,Không")
    bad_upload(http, h, survey["id"], "\n".join(lines).encode(), "row 4, column 1: unknown key")

    header = "key,source,vi,de\nsurvey.title,How did we do?,Tiêu đề mới,Titel\n"
    bad_upload(http, h, survey["id"], header.encode(), "column 4 ('de'): 'de' is not one")
    header = "key,source,en\nsurvey.title,How did we do?,Other\n"
    bad_upload(http, h, survey["id"], header.encode(), "'en' is the source language")
    bad_upload(http, h, survey["id"], b"title,text\n", "row 1: the header must start")
    too_long = f"key,source,vi\nq.nps.prompt,x,{'ă' * 2001}\n"
    bad_upload(http, h, survey["id"], too_long.encode(), "row 2, column 3 (vi): at most 2000")
    # Windows-1252 bytes are not UTF-8: refused instead of garbling the texts
    cp1252 = "key,source,vi\nsurvey.title,How did we do?,Caf\xe9\n".encode("cp1252")
    bad_upload(http, h, survey["id"], cp1252, "not valid utf-8")
    bad_upload(http, h, survey["id"], b"", "empty")
    twice = "key,source,vi\nsurvey.title,a,b\nsurvey.title,a,c\n"
    bad_upload(http, h, survey["id"], twice.encode(), "row 3, column 1: the key 'survey.title'")

    after = http.get(f"/api/v1/surveys/{survey['id']}", headers=h).json()
    assert after["texts"] == before["texts"] and after["questions"] == before["questions"]
    assert after["texts"]["vi"]["title"] == VI["survey.title"]

    # empty cells keep what is stored; a changed source text is imported with a warning
    stale = "key,source,vi\nsurvey.title,How did you do?,\nsurvey.intro,One minute.,Một phút.\n"
    resp = http.post(  # the CSV as the request body works as well as a multipart upload
        f"/api/v1/surveys/{survey['id']}/translations.csv",
        content=stale.encode(),
        headers={**h, "Content-Type": "text/csv; charset=utf-8"},
    )
    assert resp.status_code == 200
    assert resp.json()["warnings"] == [
        "row 2: the source text of 'survey.title' changed since the export; check the translation"
    ]
    texts = http.get(f"/api/v1/surveys/{survey['id']}", headers=h).json()["texts"]["vi"]
    assert texts["title"] == VI["survey.title"] and texts["intro"] == "Một phút."


def test_roles_and_workspaces(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = english_draft(http, tenant.headers())
    url = f"/api/v1/surveys/{survey['id']}/translations.csv"
    other = make_tenant(db, "Other")
    assert http.get(url, headers=other.headers()).status_code == 404
    data = f"key,source,vi\nsurvey.title,How did we do?,{VI['survey.title']}\n".encode()
    assert upload(http, other.headers(), survey["id"], data).status_code == 404
    viewer = make_tenant(db, role=Role.viewer)
    assert upload(http, viewer.headers(), survey["id"], data).status_code in (403, 404)
    texts = http.get(f"/api/v1/surveys/{survey['id']}", headers=tenant.headers()).json()["texts"]
    assert "vi" not in texts


def test_survey_page_downloads_uploads_and_gates_publishing(
    db: Session, http: httpx.Client
) -> None:
    tenant = make_tenant(db)
    survey = english_draft(http, tenant.headers())
    log_in(http, tenant.email, tenant.password)
    page = http.get(f"/app/surveys/{survey['id']}")
    assert page.status_code == 200 and "Not publishable yet" in page.text
    assert "<code>q.why.option.kind</code>" in page.text
    csrf = csrf_of(page.text)

    refused = http.post(
        f"/app/surveys/{survey['id']}/status", data={"csrf": csrf, "status": "live"}
    )
    assert refused.status_code == 422 and "missing translations" in refused.text

    download = http.get(f"/app/surveys/{survey['id']}/translations.csv")
    rows = rows_of(download.content)
    bad = http.post(
        f"/app/surveys/{survey['id']}/translations",
        data={"csrf": csrf},
        files={"file": ("t.csv", b"key,source,xx-yy\n", "text/csv")},
    )
    assert bad.status_code == 422 and "is not one of this survey" in bad.text
    good = filled(rows, {"vi": VI, "th": {k: f"{k} th" for k in VI}, "ar": AR})
    resp = http.post(
        f"/app/surveys/{survey['id']}/translations",
        data={"csrf": csrf},
        files={"file": ("t.csv", good, "text/csv")},
    )
    assert resp.status_code == 200 and "Translations imported" in resp.text
    assert "Every declared language has all its texts" in resp.text
    published = http.post(
        f"/app/surveys/{survey['id']}/status", data={"csrf": csrf, "status": "live"}
    )
    assert published.status_code == 303
    no_csrf = http.post(
        f"/app/surveys/{survey['id']}/translations",
        files={"file": ("t.csv", good, "text/csv")},
    )
    assert no_csrf.status_code == 403


def test_live_survey_keeps_every_language_complete(db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    survey = create_survey(http, tenant, languages=["en", "vi"])
    body = survey_body(["en"])
    body.pop("publish")
    body["languages"] = ["en", "vi", "th"]
    resp = http.put(f"/api/v1/surveys/{survey['id']}", json=body, headers=tenant.headers())
    assert resp.status_code == 422 and "th: survey.title" in resp.json()["error"]["message"]
    read = http.get(f"/api/v1/surveys/{survey['id']}", headers=tenant.headers()).json()
    assert read["languages"] == ["en", "vi"] and read["version"] == 1
