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
    """Under ``pytest -n N --dist loadgroup`` (``make test``): which tests share a worker.

    The end-to-end tests are one group: they share one local stack (a session
    fixture) and run in order on one worker, while the other workers take the
    unit, functional and packaging tests a file at a time (module fixtures such as
    the package build are then built once). Without xdist the marks do nothing.
    """
    for item in items:
        parts = item.nodeid.split("::", 1)[0].split("/")
        group = "e2e" if parts[:2] == ["tests", "e2e"] else "/".join(parts)
        item.add_marker(pytest.mark.xdist_group(group))
