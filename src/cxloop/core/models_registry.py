"""Imports every feature's models so that metadata (Alembic, tests) sees all tables."""

from cxloop.accounts import models as accounts_models
from cxloop.cases import models as cases_models
from cxloop.comments import models as comments_models
from cxloop.contacts import models as contacts_models
from cxloop.exports import models as exports_models
from cxloop.interactions import models as interactions_models
from cxloop.jobs import models as jobs_models
from cxloop.journeys import models as journeys_models
from cxloop.responses import models as responses_models
from cxloop.segments import models as segments_models
from cxloop.surveys import models as surveys_models

__all__ = [
    "accounts_models",
    "cases_models",
    "comments_models",
    "contacts_models",
    "exports_models",
    "interactions_models",
    "jobs_models",
    "journeys_models",
    "responses_models",
    "segments_models",
    "surveys_models",
]
