"""The key drivers page (/app/drivers): choose a survey, outcome and period; see the
importance x performance quadrant chart and the drivers table with their 95% intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.core.deps import DbSession, PageViewer
from cxloop.core.errors import Invalid
from cxloop.core.web import render
from cxloop.drivers import service
from cxloop.drivers.schemas import KeyDriversRead
from cxloop.surveys import service as surveys

router = APIRouter()
BOOTSTRAP = 200
QUADRANTS = {
    "fix now": "important, performing below the others: improve these first",
    "keep": "important and performing well: protect these strengths",
    "maintain": "less important, performing well: keep as they are",
    "monitor": "less important and weaker: watch, low priority",
}


def chart_data(result: KeyDriversRead) -> dict[str, Any]:
    """The scatter's points (x = mean rating, y = importance %) and the quadrant splits."""
    return {
        "points": [
            {"x": d.mean, "y": d.importance_pct, "label": d.label, "quadrant": d.quadrant}
            for d in result.drivers
        ],
        "importance_split": result.importance_split,
        "performance_split": result.performance_split,
    }


def _outcomes(db: DbSession, survey: Any) -> list[tuple[str, str, str]]:
    """(key, label, kind) of the survey's questions that can be the outcome."""
    questions = surveys.questions_of_version(db, survey.current_version_id or "")
    found = []
    for q in questions:
        if q.kind in service.OUTCOME_KINDS:
            prompt = (q.texts.get("en") or next(iter(q.texts.values()), {})).get("prompt")
            found.append((q.key, str(prompt or q.key), q.kind))
    return found


@router.get("/app/drivers", response_class=HTMLResponse)
def drivers_page(
    request: Request,
    caller: PageViewer,
    db: DbSession,
    survey_id: Annotated[str, Query(max_length=32)] = "",
    outcome: Annotated[str, Query(max_length=64)] = "",
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    listed = surveys.summaries(db, caller.workspace_id)
    if not survey_id and listed:  # the survey with the most responses first
        survey_id = max(listed, key=lambda s: s.responses).survey.id
    chosen = next((s.survey for s in listed if s.survey.id == survey_id), None)
    if survey_id and chosen is None:
        chosen = surveys.get_survey(db, caller.workspace_id, survey_id)  # 404 if not ours
    result: KeyDriversRead | None = None
    refused: str | None = None
    outcomes: list[tuple[str, str, str]] = []
    if chosen is not None:
        outcomes = _outcomes(db, chosen)
        try:
            result = service.analyse(
                db,
                caller.workspace_id,
                chosen.id,
                outcome=outcome or None,
                date_from=date_from,
                date_to=date_to,
                bootstrap=BOOTSTRAP,
            )
        except Invalid as exc:
            refused = exc.message
    context = {
        "surveys": listed,
        "survey": chosen,
        "outcomes": outcomes,
        "outcome": result.outcome if result else outcome,
        "date_from": date_from,
        "date_to": date_to,
        "result": result,
        "refused": refused,
        "chart": chart_data(result) if result else None,
        "quadrants": QUADRANTS,
    }
    return render(request, "drivers/index.html", context)
