"""Key driver analysis of a survey: which rating questions (touchpoint or attribute ratings)
explain an outcome question (NPS or CSAT), by Johnson's relative weights and Shapley/LMG with
bootstrap intervals, and each driver's performance for the importance x performance chart."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.core.errors import Invalid
from cxloop.drivers import repository as repo
from cxloop.drivers.schemas import DriverRead, KeyDriversRead
from cxloop.metrics.drivers import MAX_DRIVERS, key_drivers
from cxloop.surveys import service as surveys

DRIVER_KINDS = ("rating", "csat", "ces")
OUTCOME_KINDS = ("nps", "csat", "rating")


def analyse(
    db: Session,
    workspace_id: str,
    survey_id: str,
    *,
    outcome: str | None = None,
    drivers: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    bootstrap: int = 200,
) -> KeyDriversRead:
    """Key drivers of `outcome` (a question key; default the survey's NPS question) among the
    `drivers` question keys (default every rating, CSAT and CES question)."""
    survey = surveys.get_survey(db, workspace_id, survey_id)
    questions = surveys.questions_of_version(db, survey.current_version_id or "")
    by_key = {q.key: q for q in questions}
    if outcome is None:
        outcome = next((q.key for q in questions if q.kind == "nps"), None)
        if outcome is None:
            raise Invalid("outcome: the survey has no NPS question; name the outcome question")
    if outcome not in by_key or by_key[outcome].kind not in OUTCOME_KINDS:
        raise Invalid(f"outcome: '{outcome}' is not an NPS, CSAT or rating question of the survey")
    if drivers is None:
        drivers = [q.key for q in questions if q.kind in DRIVER_KINDS and q.key != outcome]
    unknown = [k for k in drivers if k not in by_key or by_key[k].kind not in DRIVER_KINDS]
    if unknown:
        raise Invalid(f"drivers: not rating, CSAT or CES questions of the survey: {unknown}")
    if len(drivers) < 2:
        raise Invalid("drivers: a driver analysis needs at least two rating questions")
    if len(drivers) > MAX_DRIVERS:
        raise Invalid(f"drivers: at most {MAX_DRIVERS} drivers at once (got {len(drivers)})")
    since, until = accounts.workspace_days(db, workspace_id, date_from, date_to)
    rows = repo.numeric_answers(db, workspace_id, survey_id, [outcome, *drivers], since, until)
    frame = pd.DataFrame(rows, columns=["response", "key", "value"])
    wide = frame.pivot_table(index="response", columns="key", values="value", aggfunc="first")
    wide = wide.reindex(columns=[*drivers, outcome])
    x = wide[drivers].to_numpy(dtype=float)
    y = wide[outcome].to_numpy(dtype=float)
    scales = {(by_key[k].scale_min, by_key[k].scale_max) for k in drivers}
    scale = None
    if len(scales) == 1:
        low, high = next(iter(scales))
        scale = (float(low), float(high)) if low is not None and high is not None else None
    result = key_drivers(x, y, drivers, scale=scale, bootstrap=bootstrap)
    labels = {q.key: _label(q.texts, q.key) for q in questions}
    return KeyDriversRead(
        survey_id=survey_id,
        outcome=outcome,
        date_from=date_from,
        date_to=date_to,
        n=result.n,
        n_dropped=result.n_dropped,
        r2=round(result.r2, 4),
        r2_low=round(result.r2_low, 4),
        r2_high=round(result.r2_high, 4),
        bootstrap=result.bootstrap,
        importance_split=round(result.importance_split, 2),
        performance_split=round(result.performance_split, 3),
        drivers=[
            DriverRead(
                key=d.name,
                label=labels.get(d.name, d.name),
                importance_pct=round(d.weight_pct, 2),
                importance_low=round(d.weight_pct_low, 2),
                importance_high=round(d.weight_pct_high, 2),
                shapley_pct=round(d.lmg_pct, 2),
                shapley_low=round(d.lmg_pct_low, 2),
                shapley_high=round(d.lmg_pct_high, 2),
                correlation=round(d.correlation, 4),
                mean=round(d.mean, 3),
                top2_pct=None if d.top2_pct is None else round(d.top2_pct, 2),
                quadrant=d.quadrant,
            )
            for d in result.drivers
        ],
    )


def _label(texts: dict[str, dict[str, str]], key: str) -> str:
    for language in ("en", *texts):
        prompt = texts.get(language, {}).get("prompt")
        if prompt:
            return prompt
    return key
