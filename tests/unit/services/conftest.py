"""Service unit tests: the services over the in-memory twins of their repositories.

No moto and no AWS: every repository a test uses is replaced by its twin
(``tests/twins.py``; the awards repository and what a push reads in
``tests/twins_awards.py``, imports, objects and the queue in ``tests/twins_imports.py``),
and any client made anyway fails the test at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.config import settings
from chalicelib.store import aws
from tests import twins_more
from tests.twins import Twins
from tests.twins_awards import AwardTwins
from tests.twins_imports import ImportTwins


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


@pytest.fixture
def award_twins(twins: Twins, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwardTwins]:
    """The awards repository, a push's batch reads and the calendar store as twins (over
    ``twins``' programmes, authorities and changes), the 33 authorities loaded and no
    calendar year cached from another test."""
    from chalicelib.services import authorities, calendars

    authorities.load_authorities()
    calendars.invalidate()
    yield AwardTwins(twins, monkeypatch)
    calendars.invalidate()


@pytest.fixture
def import_twins(twins: Twins, monkeypatch: pytest.MonkeyPatch) -> ImportTwins:
    """The imports repository, the S3 objects and the imports queue as twins."""
    return ImportTwins(monkeypatch)
