"""All case pages on one router: the list pages' fixed paths (manager, obstacles, settings)
are registered before the case page's /app/cases/{case_id}."""

from __future__ import annotations

from cxloop.cases import case_pages, list_pages

router = list_pages.router
__all__ = ["case_pages", "router"]
