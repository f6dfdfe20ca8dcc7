"""Service unit tests: the services over the in-memory twins of their repositories.

No moto and no AWS: every repository a test uses is replaced by its twin
(``tests/twins.py``), and any client made anyway fails the test at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.config import settings
from chalicelib.store import aws
from tests.twins import Twins


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
