"""End to end: moto server (the local launcher) + ``chalice local``, over real HTTP.

Both run as subprocesses exactly as ``make run`` starts them
(``devtools/local_stack.py``); keys come from the CLI the way an operator issues them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from devtools.local_stack import PROJECT_DIR, LocalStack, local_stack
from tests.e2e.browser import launched_chromium

__all__ = ["PROJECT_DIR", "LocalStack"]


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    with local_stack() as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for every browser test of the run (they share one worker and one stack)."""
    with launched_chromium() as launched:
        yield launched
