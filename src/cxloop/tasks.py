"""Imports every feature's background jobs so that workers know their handlers."""

from cxloop.alerts import tasks as alerts_tasks
from cxloop.cases import tasks as cases_tasks
from cxloop.comments import tasks as comments_tasks
from cxloop.events import tasks as events_tasks
from cxloop.exports import tasks as exports_tasks
from cxloop.invitations import tasks as invitations_tasks
from cxloop.notifications import tasks as notifications_tasks
from cxloop.rules import tasks as rules_tasks

__all__ = [
    "alerts_tasks",
    "cases_tasks",
    "comments_tasks",
    "events_tasks",
    "exports_tasks",
    "invitations_tasks",
    "notifications_tasks",
    "rules_tasks",
]
