"""Environment every test shares: fake credentials, a region, no real AWS."""

from __future__ import annotations

import os

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_REGION": "cn-north-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)


E2E = "tests/e2e/"
BIG_DATA = "tests/e2e/test_backfill.py::"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The 5,000-row backfill runs last on the local stack.

    moto's index queries read whole tables, so every test after it would pay for
    its awards (production DynamoDB has no such cost).
    """
    items.sort(key=lambda item: item.nodeid.startswith(BIG_DATA))


# The browser half of the end-to-end tests (each worker that takes a half starts its own
# local stack): the pages and consoles, and the schema fuzzing; the other half is the
# HTTP, CLI and data-heavy tests (the 5,000-row backfill, the 2,000-row import).
E2E_PAGES = (
    "console",
    "pages_for_people",
    "objections_browser",
    "validity_page",
    "web_page",
    "schemathesis",
    "receipts_http",
    "privacy_http",
)


def e2e_half(path: str) -> str:
    """Which of the two end-to-end groups a test file belongs to."""
    name = path.rsplit("/", 1)[-1]
    return "pages" if any(part in name for part in E2E_PAGES) else "data"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``pytest -n N --dist loadfile`` (``make test``), with ``tests/e2e`` as two files.

    The end-to-end tests of one group share one local stack (a session fixture): they
    run in order on one worker. The two groups are the first two units of work, so two
    workers each start a stack and run one group, then take the other files whole
    (module fixtures such as the package build are built once). One stack for all of
    them left the other worker idle for half the run. xdist's own ``loadgroup`` cannot
    do this under pytest 9.2 (it rewrites ``item._nodeid``, which pytest no longer reads).
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class E2EInTwoHalves(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return E2E + e2e_half(path) if path.startswith(E2E) else path

    return E2EInTwoHalves(config, log)
