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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Which tests share a worker under ``pytest -n N --dist loadgroup`` (``make test``).

    The tests on the local stack are one group: they share one stack (a session
    fixture) and run in order on one worker, while the other workers take every
    other file whole (module fixtures such as the package build are built once).
    Without xdist the marks do nothing.

    The 5,000-row backfill runs last on the stack: moto's index queries read whole
    tables, so every test after it would pay for its awards (production DynamoDB
    has no such cost).
    """
    for item in items:
        uses_stack = "stack" in getattr(item, "fixturenames", ())
        group = "local-stack" if uses_stack else item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.nodeid.startswith(BIG_DATA))


BIG_DATA = "tests/e2e/test_backfill.py::"
