"""Shared setup for invitation and governance tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.contacts import service as contacts
from cxloop.contacts.models import Contact
from cxloop.governance import service as governance
from cxloop.governance.schemas import SettingsWrite
from cxloop.jobs.models import Job
from cxloop.surveys import service as surveys
from cxloop.surveys.schemas import SurveyCreate

SURVEY: dict[str, Any] = {
    "name": "Checkout",
    "default_language": "en",
    "languages": ["en", "vi"],
    "texts": {"en": {"title": "How did we do?"}, "vi": {"title": "Chúng tôi làm thế nào?"}},
    "questions": [
        {
            "key": "nps",
            "kind": "nps",
            "required": True,
            "texts": {"en": {"prompt": "Recommend us?"}, "vi": {"prompt": "Giới thiệu chúng tôi?"}},
        },
        {
            "key": "why",
            "kind": "open_text",
            "texts": {"en": {"prompt": "Why?"}, "vi": {"prompt": "Tại sao?"}},
        },
    ],
}


def survey(db: Session, workspace_id: str, name: str = "Checkout", **extra: Any) -> str:
    made = surveys.create_survey(
        db,
        workspace_id,
        SurveyCreate.model_validate({**SURVEY, "name": name, "publish": True, **extra}),
    )
    db.commit()
    return made.id


def contact(db: Session, workspace_id: str, **fields: Any) -> Contact:
    fields.setdefault("email", f"c-{uuid.uuid4().hex[:10]}@example.com")
    made = contacts.create_contact(db, workspace_id, **fields)
    db.commit()
    return made


def rules(db: Session, workspace_id: str, **values: Any) -> None:
    governance.put_settings(db, workspace_id, SettingsWrite(**values))
    db.commit()


def jobs_of(db: Session, workspace_id: str, kind: str) -> list[Job]:
    db.expire_all()
    query = select(Job).where(Job.workspace_id == workspace_id, Job.kind == kind).order_by(Job.id)
    return list(db.scalars(query))
