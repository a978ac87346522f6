"""Rule tests: a shop with an NPS + comment survey, rules made over the API, and a way to run
the `rules.evaluate` jobs it queued (as a worker would, and again as a retried job would)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxloop.accounts import service as accounts
from cxloop.contacts import service as contacts
from cxloop.core.security import Role
from cxloop.core.settings import Settings
from cxloop.jobs import service as jobs
from cxloop.jobs.models import Job
from cxloop.rules import tasks
from cxloop.rules.models import RuleRun
from tests.factories import Tenant, make_tenant
from tests.surveys.helpers import comment_question, create_survey, make_touchpoint, nps_question

LANGS = ["en", "vi"]


class Shop:
    def __init__(
        self,
        http: httpx.Client,
        db: Session,
        factory: sessionmaker[Session],
        settings: Settings,
        tenant: Tenant,
    ) -> None:
        self.http, self.db, self.factory, self.settings = http, db, factory, settings
        self.tenant = tenant
        self.ws = tenant.workspace.id
        self.touchpoint = make_touchpoint(http, tenant, channel="web")
        self.survey = create_survey(
            http,
            tenant,
            languages=LANGS,
            questions=[nps_question(LANGS), comment_question(LANGS)],
            touchpoint_id=self.touchpoint["id"],
        )

    # --- API ----------------------------------------------------------------------------------
    def api(
        self, method: str, path: str, body: Any = None, key: str | None = None, **params: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.tenant.key}"}
        return self.http.request(method, path, json=body, params=params, headers=headers)

    def rule(
        self,
        conditions: dict[str, Any],
        actions: list[dict[str, Any]] | None = None,
        trigger: str = "response.submitted",
        name: str = "Detractors",
    ) -> dict[str, Any]:
        body = {
            "name": name,
            "trigger": trigger,
            "conditions": conditions,
            "actions": actions or [{"type": "tag", "tag": "flagged"}],
        }
        resp = self.api("POST", "/api/v1/rules", body)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def say(
        self,
        nps: int,
        text: str = "",
        language: str = "en",
        contact: dict[str, Any] | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "survey_id": self.survey["id"],
            "answers": {"nps": nps},
            "language": language,
        }
        if text:
            body["answers"]["comment"] = text
        if contact:
            body["contact"] = contact
        resp = self.api("POST", "/api/v1/responses", body)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    def key(self, role: Role) -> str:
        key = accounts.create_api_key(self.db, self.tenant.workspace, role, role.value)
        self.db.commit()
        return key

    def contact(self, **fields: Any) -> str:
        found = contacts.create_contact(self.db, self.ws, **fields)
        self.db.commit()
        return found.id

    # --- jobs ---------------------------------------------------------------------------------
    def jobs(self, kind: str) -> list[Job]:
        with self.factory() as s:
            stmt = select(Job).where(Job.workspace_id == self.ws, Job.kind == kind)
            found = list(s.scalars(stmt.order_by(Job.id)))
            s.expunge_all()
            return found

    def evaluate(self, times: int = 1) -> int:
        """Runs each queued rules.evaluate job of the shop `times` times (a retry re-runs it)."""
        pending = [j for j in self.jobs("rules.evaluate") if j.status == "queued"]
        for job in pending:
            for attempt in range(1, times + 1):
                context = jobs.JobContext(
                    job.id, job.kind, job.workspace_id, dict(job.payload), attempt, self.settings
                )
                with self.factory() as s:
                    tasks.evaluate(s, context)
                    s.commit()
        with self.factory() as s:  # done, so a worker does not run them again
            for job in pending:
                found = s.get(Job, job.id)
                assert found is not None
                found.status = "done"
            s.commit()
        return len(pending)

    def runs(self, rule_id: str) -> list[RuleRun]:
        with self.factory() as s:
            stmt = select(RuleRun).where(RuleRun.rule_id == rule_id).order_by(RuleRun.id)
            found = list(s.scalars(stmt))
            s.expunge_all()
            return found


@pytest.fixture
def shop(
    db: Session, http: httpx.Client, session_factory: sessionmaker[Session], settings: Settings
) -> Shop:
    return Shop(http, db, session_factory, settings, make_tenant(db, "Rules"))
