"""REST API of the metrics feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["metrics"])
