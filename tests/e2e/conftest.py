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


# Every end-to-end request comes from 127.0.0.1, so the per-address limits (receipts,
# objection filings and lookups) would add up across unrelated tests of one run; the
# limits themselves are tested functionally (test_rate_limits, test_objections).
SHARED_ADDRESS_LIMITS = {
    "RECEIPT_RATE_LIMIT": "100000",
    "OBJECTION_FILINGS_PER_ADDRESS": "100000",
    "OBJECTION_FILINGS_PER_CODE": "100000",
    "OBJECTION_LOOKUPS_PER_ADDRESS": "100000",
}


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    # Given to the stack's processes only: a worker that runs an end-to-end half also runs
    # functional tests, which must see the limits as configured.
    with local_stack(extra_env=SHARED_ADDRESS_LIMITS) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for every browser test of the run (they share one worker and one stack)."""
    with launched_chromium() as launched:
        yield launched
