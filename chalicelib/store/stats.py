"""The ``stats`` table: counters written on the request path, e.g. verifications served.

``DailyCounter`` items are ``pk = <counter>#<shard>``, ``sk = <China date>``,
``count`` (a number moved only by ``ADD``). Each answer adds 1 to one shard
chosen at random, so ``N`` partition keys share the traffic and none is hot;
reading a range of days is one Query per shard (``N`` Queries), whatever the
number of answers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition

from chalicelib.store.base import StoreModel, table_meta

VERIFY = "VERIFY"


class DailyCounter(StoreModel):
    Meta = table_meta("stats")

    pk = UnicodeAttribute(hash_key=True)  # <counter>#<shard>
    sk = UnicodeAttribute(range_key=True)  # China date, YYYY-MM-DD
    # "count" in the table; not the attribute name (that would hide ``Model.count``).
    total = NumberAttribute(default=0, attr_name="count")

    @staticmethod
    def key(counter: str, shard: int) -> str:
        return f"{counter}#{shard}"


class CountFailed(Exception):
    """The counter could not be moved (DynamoDB refused or could not be reached)."""


def add_one(counter: str, day: date, shard: int) -> None:
    """One UpdateItem ``ADD count 1`` (creates the item on the first answer of the day).

    Raises ``CountFailed`` (naming the fault's kind only) when it did not land.
    """
    item = DailyCounter(pk=DailyCounter.key(counter, shard), sk=day.isoformat())
    try:
        item.update(actions=[DailyCounter.total.add(1)])
    except (PynamoDBException, ClientError, BotoCoreError) as exc:
        raise CountFailed(type(exc).__name__) from exc


def daily_counts(counter: str, shards: int, first: date | None, last: date | None) -> Counter:
    """``{China date: count}`` summed over the shards, ``first``..``last`` (None: open)."""
    totals: Counter = Counter()
    for shard in range(shards):
        condition: Condition | None
        if first and last:
            condition = DailyCounter.sk.between(first.isoformat(), last.isoformat())
        elif first:
            condition = DailyCounter.sk >= first.isoformat()
        elif last:
            condition = DailyCounter.sk <= last.isoformat()
        else:
            condition = None
        for item in DailyCounter.query(DailyCounter.key(counter, shard), condition):
            totals[date.fromisoformat(item.sk)] += int(item.total or 0)
    return totals
