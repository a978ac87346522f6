"""Imports every feature's background jobs so that workers know their handlers."""

from cxloop.cases import tasks as cases_tasks
from cxloop.comments import tasks as comments_tasks
from cxloop.exports import tasks as exports_tasks

__all__ = ["cases_tasks", "comments_tasks", "exports_tasks"]
