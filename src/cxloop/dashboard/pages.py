"""Server-rendered pages of the dashboard feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
