"""Every ready-made survey can be published at once in en, vi, th and lt, and answered."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from cxloop.surveys.survey_templates import TEMPLATE_LANGUAGES, TEMPLATES
from tests.factories import make_tenant
from tests.surveys.helpers import token_of


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_template_publishes_in_every_language(key: str, db: Session, http: httpx.Client) -> None:
    tenant = make_tenant(db)
    template = TEMPLATES[key]
    body = template.create(
        template.name, default_language="en", languages=list(TEMPLATE_LANGUAGES), publish=True
    ).model_dump(mode="json")
    resp = http.post("/api/v1/surveys", json=body, headers=tenant.headers())
    assert resp.status_code == 201, resp.text
    survey = resp.json()
    assert survey["status"] == "live" and survey["languages"] == list(TEMPLATE_LANGUAGES)
    for lang in TEMPLATE_LANGUAGES:
        page = http.get(f"/s/{token_of(survey)}", params={"lang": lang}).text
        assert template.title[lang] in page
        for question in template.questions:
            assert question["texts"][lang]["prompt"] in page

    required = {q["key"]: q for q in template.questions if q.get("required")}
    answers = {k: (q.get("scale_max") or 5) for k, q in required.items()}
    stored = http.post(
        "/api/v1/responses",
        json={"survey_id": survey["id"], "answers": answers, "language": "th"},
        headers=tenant.headers(),
    )
    assert stored.status_code == 201, stored.text
