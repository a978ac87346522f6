"""Mounts every feature's API router under /api/v1 and its pages at the root."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from cxloop.accounts import api as accounts_api
from cxloop.accounts import pages as accounts_pages
from cxloop.alerts import api as alerts_api
from cxloop.alerts import pages as alerts_pages
from cxloop.cases import api as cases_api
from cxloop.cases import pages as cases_pages
from cxloop.comments import api as comments_api
from cxloop.comments import pages as comments_pages
from cxloop.comments import theme_settings
from cxloop.contacts import api as contacts_api
from cxloop.contacts import pages as contacts_pages
from cxloop.dashboard import pages as dashboard_pages
from cxloop.drivers import api as drivers_api
from cxloop.drivers import pages as drivers_pages
from cxloop.events import api as events_api
from cxloop.events import pages as events_pages
from cxloop.exports import api as exports_api
from cxloop.governance import api as governance_api
from cxloop.interactions import api as interactions_api
from cxloop.invitations import api as invitations_api
from cxloop.invitations import pages as invitations_pages
from cxloop.invitations import public as invitations_public
from cxloop.jobs import api as jobs_api
from cxloop.journeys import api as journeys_api
from cxloop.journeys import pages as journeys_pages
from cxloop.lifecycle import api as lifecycle_api
from cxloop.lifecycle import pages as lifecycle_pages
from cxloop.metrics import api as metrics_api
from cxloop.notifications import api as notifications_api
from cxloop.notifications import pages as notifications_pages
from cxloop.responses import api as responses_api
from cxloop.rules import api as rules_api
from cxloop.rules import pages as rules_pages
from cxloop.segments import api as segments_api
from cxloop.segments import pages as segments_pages
from cxloop.support import api as support_api
from cxloop.support import pages as support_pages
from cxloop.surveys import api as surveys_api
from cxloop.surveys import pages as surveys_pages
from cxloop.widget import api as widget_api
from cxloop.widget import pages as widget_pages
from cxloop.widget import public as widget_public

API_ROUTERS = [  # ingestion first: the busiest routes match without scanning the others
    responses_api.router,
    interactions_api.router,
    events_api.router,
    accounts_api.router,
    journeys_api.router,
    contacts_api.router,
    surveys_api.router,
    metrics_api.router,
    segments_api.router,
    drivers_api.router,
    lifecycle_api.router,
    support_api.router,
    comments_api.router,
    exports_api.router,
    jobs_api.router,
    cases_api.router,
    widget_api.router,
    alerts_api.router,
    notifications_api.router,
    rules_api.router,
    invitations_api.router,
    governance_api.router,
]
PAGE_ROUTERS = [
    accounts_pages.router,
    dashboard_pages.router,
    theme_settings.router,  # before comments_pages: /app/themes/{key} would take 'settings'
    comments_pages.router,
    journeys_pages.router,
    contacts_pages.router,
    surveys_pages.router,
    drivers_pages.router,
    lifecycle_pages.router,
    support_pages.router,
    segments_pages.router,
    cases_pages.router,
    events_pages.router,
    widget_pages.router,
    widget_public.router,
    alerts_pages.router,
    notifications_pages.router,
    rules_pages.router,
    invitations_pages.router,
    invitations_public.router,
]


def include_all(app: FastAPI) -> None:
    api = APIRouter(prefix="/api/v1")
    for router in API_ROUTERS:
        api.include_router(router)
    app.include_router(api)
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
