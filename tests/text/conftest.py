"""Text analytics tests need no database: one shared analyser (models load once)."""

from __future__ import annotations

import pytest

from cxloop.text.pipeline import DefaultAnalyser


@pytest.fixture(scope="session")
def analyser() -> DefaultAnalyser:
    return DefaultAnalyser()
