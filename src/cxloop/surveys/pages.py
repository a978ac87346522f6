"""Server-rendered pages of the surveys feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
