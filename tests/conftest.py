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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``pytest -n N --dist loadfile`` (``make test``), with ``tests/e2e`` as one file.

    The end-to-end tests share one local stack (a session fixture): they run in
    order on one worker, while the other workers take the other files whole
    (module fixtures such as the package build are built once). xdist's own
    ``loadgroup`` cannot do this under pytest 9.2 (it rewrites ``item._nodeid``,
    which pytest no longer reads).
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class E2EAsOneFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return E2E if path.startswith(E2E) else path

    return E2EAsOneFile(config, log)
