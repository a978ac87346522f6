"""Imports every feature's models so that metadata (Alembic, tests) sees all tables."""

from cxloop.accounts import models as accounts_models
from cxloop.alerts import models as alerts_models
from cxloop.cases import models as cases_models
from cxloop.comments import models as comments_models
from cxloop.contacts import models as contacts_models
from cxloop.events import models as events_models
from cxloop.exports import models as exports_models
from cxloop.governance import models as governance_models
from cxloop.interactions import models as interactions_models
from cxloop.invitations import models as invitations_models
from cxloop.jobs import models as jobs_models
from cxloop.journeys import models as journeys_models
from cxloop.notifications import models as notifications_models
from cxloop.responses import models as responses_models
from cxloop.rules import models as rules_models
from cxloop.segments import models as segments_models
from cxloop.surveys import models as surveys_models
from cxloop.widget import models as widget_models

__all__ = [
    "accounts_models",
    "alerts_models",
    "cases_models",
    "comments_models",
    "contacts_models",
    "events_models",
    "exports_models",
    "governance_models",
    "interactions_models",
    "invitations_models",
    "jobs_models",
    "journeys_models",
    "notifications_models",
    "responses_models",
    "rules_models",
    "segments_models",
    "surveys_models",
    "widget_models",
]
