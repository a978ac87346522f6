"""The closed loop in the demo workspace: a customer-care team, root causes, the detractor rule
that opens a case for every NPS 0-6, an NPS alert, contact rules, a post-checkout widget
survey, and a month of cases worked through their states (so the manager view has numbers).

Everything goes through the features' services; only the history of the past cases (when
they were opened, first handled, resolved, closed) is written back afterwards.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import service as accounts
from cxloop.accounts.models import Workspace
from cxloop.alerts import service as alerts
from cxloop.alerts.schemas import AlertCreate
from cxloop.cases import service as cases
from cxloop.cases import sla, teams
from cxloop.cases.models import Case
from cxloop.cases.schemas import CaseCreate, RootCauseCreate, TeamWrite, Transition
from cxloop.core.security import Role
from cxloop.events import triggers
from cxloop.events.schemas import TriggerWrite
from cxloop.governance import service as governance
from cxloop.governance.schemas import SettingsWrite
from cxloop.invitations.campaigns import seed_campaign
from cxloop.responses.models import Answer, Response
from cxloop.rules import service as rules
from cxloop.rules.schemas import RuleCreate
from cxloop.support.service import calendar_of
from cxloop.surveys import service as surveys
from cxloop.surveys.models import Survey
from cxloop.surveys.schemas import QuestionIn, SurveyCreate
from cxloop.widget import service as widget

AGENTS = (
    ("lan.agent@cxloop.local", "Lan Nguyen", Role.agent),
    ("somchai.agent@cxloop.local", "Somchai Prasert", Role.agent),
    ("ruta.agent@cxloop.local", "Rūta Kazlauskienė", Role.agent),
)
MANAGER = ("minh.lead@cxloop.local", "Minh Tran", Role.admin)
ROOT_CAUSES = (  # name, obstacle (a policy or process the agent cannot fix), weight
    ("Late delivery (carrier)", False, 5),
    ("Unhelpful or rude staff", False, 3),
    ("Refund policy too strict", True, 3),
    ("Out of stock after ordering", True, 2),
    ("Website or app bug", False, 2),
    ("Billing error", False, 1),
)
PAST_CASES = 40
CAMPAIGN_CONTACTS = 150
PULSE = {  # the widget survey: title, thanks, NPS question, comment question
    "en": (
        "Quick question",
        "Thank you!",
        "How likely are you to recommend Demo Retail?",
        "What is the main reason for your score?",
    ),
    "vi": (
        "Một câu hỏi nhanh",
        "Cảm ơn bạn!",
        "Bạn có sẵn lòng giới thiệu Demo Retail không?",
        "Lý do chính cho điểm của bạn là gì?",
    ),
    "th": (
        "คำถามสั้น ๆ",
        "ขอบคุณ!",
        "คุณมีแนวโน้มจะแนะนำ Demo Retail มากน้อยเพียงใด",
        "เหตุผลหลักของคะแนนนี้คืออะไร",
    ),
    "lt": (
        "Trumpas klausimas",
        "Ačiū!",
        "Ar rekomenduotumėte Demo Retail draugui?",
        "Kokia pagrindinė jūsų įvertinimo priežastis?",
    ),
}
STAGES: tuple[tuple[str, ...], ...] = (
    (),
    ("open",),
    ("open", "resolved"),
    *[("open", "resolved", "closed")] * 5,
)


def seed_loop(
    db: Session,
    workspace: Workspace,
    owner_id: str,
    password: str,
    rng: random.Random,
    now: datetime,
) -> str:
    """Sets the loop up (the team logs in with `password`) and returns a one-line summary."""
    ws = workspace.id
    people = [
        accounts.create_user(db, email, password, name=name, workspace=workspace, role=role)
        for email, name, role in (*AGENTS, MANAGER)
    ]
    agents, manager = people[:-1], people[-1]
    team = teams.create_team(
        db,
        ws,
        TeamWrite(name="Customer care", manager_id=manager.id, member_ids=[a.id for a in agents]),
    )
    causes = [
        teams.create_root_cause(db, ws, RootCauseCreate(name=name, obstacle=obstacle))
        for name, obstacle, _ in ROOT_CAUSES
    ]
    rules.create(
        db,
        ws,
        RuleCreate(
            name="Detractor follow-up",
            trigger="response.submitted",
            conditions={"field": "nps", "op": "lte", "value": 6},
            actions=[
                {
                    "type": "open_case",
                    "title": "Detractor {contact.name}: NPS {nps}",
                    "priority": "high",
                    "owner_strategy": "round_robin",
                    "team_id": team.id,
                }
            ],
        ),
        owner_id,
    )
    alerts.create(
        db,
        ws,
        AlertCreate.model_validate(
            {
                "name": "NPS dropped this week",
                "metric": "nps",
                "grain": "week",
                "condition": {"kind": "significant_drop"},
                "notify": [manager.id],
            }
        ),
        owner_id,
    )
    governance.put_settings(
        db,
        ws,
        SettingsWrite(workspace_cap=4, survey_cap=1, survey_period_days=30, quarantine_days=14),
    )
    _widget_survey(db, ws)
    nps = db.scalar(
        select(Survey.id).where(Survey.workspace_id == ws, Survey.name == "Customer NPS")
    )
    assert nps is not None
    campaign = seed_campaign(db, ws, nps, contacts=CAMPAIGN_CONTACTS)
    opened = _past_cases(db, ws, team.id, [a.id for a in agents], [c.id for c in causes], rng, now)
    return (
        f"the closed loop: team of {len(agents)} agents and a manager ({MANAGER[0]}), "
        f"{len(causes)} root causes, the detractor rule, an NPS alert, {opened} past cases, "
        f"and an email NPS campaign to {campaign.contacts} contacts"
    )


def _widget_survey(db: Session, workspace_id: str) -> None:
    """A two-question pulse shown by the web widget after `checkout_completed`."""
    survey = surveys.create_survey(
        db,
        workspace_id,
        SurveyCreate(
            name="Checkout pulse (web widget)",
            default_language="en",
            languages=list(PULSE),
            texts={lang: {"title": t[0], "thanks": t[1]} for lang, t in PULSE.items()},
            questions=[
                QuestionIn(
                    key="nps",
                    kind="nps",
                    required=True,
                    texts={lang: {"prompt": t[2]} for lang, t in PULSE.items()},
                ),
                QuestionIn(
                    key="comment",
                    kind="open_text",
                    texts={lang: {"prompt": t[3]} for lang, t in PULSE.items()},
                ),
            ],
            publish=True,
        ),
    )
    triggers.create_trigger(
        db,
        workspace_id,
        TriggerWrite(
            name="After checkout",
            event="checkout_completed",
            survey_id=survey.id,
            channel="widget",
            sample_percent=100.0,
        ),
    )
    widget.set_origins(db, workspace_id, ["http://localhost:8080", "http://127.0.0.1:8080"])


def _past_cases(
    db: Session,
    workspace_id: str,
    team_id: str,
    agent_ids: list[str],
    cause_ids: list[str],
    rng: random.Random,
    now: datetime,
) -> int:
    """Cases for the last month's detractors, most of them worked to closed."""
    rows = db.execute(
        select(Response.id, Response.contact_id, Response.submitted_at, Answer.value_number)
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Response.workspace_id == workspace_id,
            Answer.kind == "nps",
            Answer.value_number <= 6,
            Response.contact_id.is_not(None),
            Response.submitted_at >= now - timedelta(days=30),
            Response.submitted_at <= now - timedelta(hours=1),
        )
        .order_by(Response.submitted_at.desc())
    ).all()
    rows = rows[:: max(1, len(rows) // PAST_CASES)][:PAST_CASES]  # spread over the month
    weights = [w for _, _, w in ROOT_CAUSES]
    calendar, policy = calendar_of(db, workspace_id), sla.policy(db, workspace_id)
    for index, (response_id, contact_id, submitted_at, value) in enumerate(rows):
        score = int(value or 0)
        owner = agent_ids[index % len(agent_ids)]
        actor = f"user:{owner}"  # the agent opened it: no "assigned to you" email
        case, _ = cases.open_case(
            db,
            workspace_id,
            CaseCreate(
                title=f"Detractor follow-up: NPS {score}",
                priority="high" if score <= 3 else "normal",
                contact_id=contact_id,
                response_id=response_id,
                owner_id=owner,
                team_id=team_id,
                source_key=f"demo:{response_id}",
            ),
            actor,
        )
        # the latest detractors are still being worked; older ones are resolved or closed
        target: tuple[str, ...] = STAGES[min(index * len(STAGES) // len(rows), len(STAGES) - 1)]
        cause = rng.choices(cause_ids, weights)[0]
        for status in target:
            resolving = status == "resolved"
            move = Transition(
                to=status,
                root_cause_id=cause if resolving else None,
                resolution="Called the customer, apologised and put it right."
                if resolving
                else None,
            )
            cases.transition(db, workspace_id, case.id, move, actor)
        _backdate(case, submitted_at, target, rng)
        sla.set_due_dates(case, calendar, policy)
    db.flush()
    return len(rows)


def _backdate(
    case: Case, submitted_at: datetime, steps: tuple[str, ...], rng: random.Random
) -> None:
    """Moves the case's history to when its response came in (a few hours per step)."""
    at = case.opened_at = submitted_at + timedelta(minutes=rng.randint(1, 20))
    if steps:
        at = case.first_action_at = at + timedelta(hours=rng.uniform(0.3, 30))
    if "resolved" in steps:
        at = case.resolved_at = at + timedelta(hours=rng.uniform(1, 60))
    if "closed" in steps:
        case.closed_at = at + timedelta(hours=rng.uniform(1, 48))
