"""REST API of the interactions feature."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["interactions"])
