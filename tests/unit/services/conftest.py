"""Service unit tests: the services over the in-memory twins of their repositories.

No moto and no AWS: every repository a test uses is replaced by its twin
(``tests/twins.py``), and any client made anyway fails the test at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.config import settings
from chalicelib.store import aws
from tests import twins_more
from tests.twins import Twins


@pytest.fixture
def store_twins(twins: Twins, monkeypatch: pytest.MonkeyPatch) -> twins_more.StoreTwins:
    """The objections, quality, webhooks, rate-limit and KMS stores as twins
    (``tests/twins_more.py``), over ``twins``' changes and programmes."""
    return twins_more.StoreTwins(twins, monkeypatch)


@pytest.fixture
def twins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Twins]:
    monkeypatch.setenv("STAGE", "local")
    monkeypatch.delenv("SERVER_SECRET_ARN", raising=False)
    settings.cache_clear()

    def no_aws(service: str) -> None:
        raise AssertionError(f"a service unit test reached AWS ({service}): use its twin")

    monkeypatch.setattr(aws, "client", no_aws)
    yield Twins(monkeypatch)
    settings.cache_clear()
