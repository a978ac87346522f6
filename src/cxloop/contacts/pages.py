"""Server-rendered pages of the contacts feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
