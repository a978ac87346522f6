"""Server-rendered pages of the journeys feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
