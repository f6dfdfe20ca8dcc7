"""Shared pieces of the pynamodb models: their base class, table naming and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.models import MetaProtocol, Model

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.store import aws


class StoreModel(Model):
    """The base of every model of the app: it talks through the process's one DynamoDB client.

    pynamodb makes a connection per model class, each with its own botocore session and
    client (each re-reading botocore's endpoint and service models: tens of ms apiece on
    a cold start). Handing each connection the shared client of ``store/aws.py`` makes it
    one session and one client for every model and transaction of a process.
    ``tests/unit/test_aws_clients.py`` checks every model derives from this class.
    """

    @classmethod
    def _get_connection(cls) -> TableConnection:
        connection = super()._get_connection()
        connection.connection._client = aws.client("dynamodb")
        return connection


def table_meta(kind: str) -> MetaProtocol:
    """A pynamodb ``Meta`` for the stage's table of ``kind``.

    The endpoint is not set here: botocore honours ``AWS_ENDPOINT_URL``, so the
    same models talk to moto locally and to DynamoDB in the cloud.
    """
    config = settings()

    class Meta:
        table_name = config.table_name(kind)
        region = config.region
        billing_mode = "PAY_PER_REQUEST"
        max_retry_attempts = 3

    # pynamodb's metaclass fills the attributes it leaves out with their defaults, so the
    # class is a ``MetaProtocol`` once its model exists.
    return cast(MetaProtocol, Meta)


def utc_now() -> datetime:
    """Now, from the one clock (``chalicelib/clock.py``) that tests pin."""
    return clock.now()


def iso_utc(instant: datetime) -> str:
    """UTC, microseconds, ``Z``: sorts as text in time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def newest_first(
    queryable: Any,
    hash_key: str,
    condition: Any = None,
    *,
    size: int,
    start: dict[str, Any] | None = None,
    consistent: bool = False,
) -> tuple[list[Any], dict[str, Any] | None]:
    """One Query of a partition (a model's or an index's), newest first, at most ``size`` items.

    The one place the stores write a descending page, so each list reads the
    same way: ``limit`` and ``page_size`` both ``size`` (one bounded request),
    continuing from ``start``. Returns the items and where the next Query
    starts (``None``: nothing older).
    """
    rows = queryable.query(
        hash_key,
        condition,
        scan_index_forward=False,
        consistent_read=consistent,
        limit=size,
        page_size=size,
        last_evaluated_key=start,
    )
    items = list(rows)
    return items, rows.last_evaluated_key


def string_list(**options: Any) -> ListAttribute[str]:
    """A list of strings (``options`` as ``ListAttribute`` takes them, e.g. ``default=list``).

    Its values are ``list[str]`` to the type checker: pynamodb types the items of
    ``ListAttribute(of=UnicodeAttribute)`` as attribute objects, not the strings they hold.
    """
    return cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, **options))
