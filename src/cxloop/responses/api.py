"""REST API of the responses feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["responses"])
