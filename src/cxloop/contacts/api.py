"""REST API of the contacts feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["contacts"])
