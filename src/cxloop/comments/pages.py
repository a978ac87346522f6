"""Server-rendered pages of comments: the explorer and the themes page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
