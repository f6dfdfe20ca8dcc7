"""Count DynamoDB requests through a botocore event hook (benchmarks only).

``DynamoCalls().install()`` wraps ``botocore.session.Session.create_client``
so that every DynamoDB client created afterwards (pynamodb makes its own,
one per connection and thread) reports each request to
``before-parameter-build.dynamodb``. Install it before the first client
exists. Nothing in the application changes.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from typing import Any

import botocore.session

__all__ = ["DynamoCalls", "item_size"]


def _value_size(value: dict[str, Any]) -> int:
    """Approximate DynamoDB size of one attribute value (the documented rules, simplified)."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return math.ceil(len(data.lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in data)
    return 0


def item_size(item: dict[str, Any]) -> int:
    """Bytes DynamoDB bills for ``item`` (attribute names + values), approximately."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


class DynamoCalls:
    """Requests by operation, plus the items and estimated write units of transactions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.operations: Counter[str] = Counter()
        self.transact_items = 0
        self.transact_write_units = 0

    def install(self) -> DynamoCalls:
        create_client = botocore.session.Session.create_client
        calls = self

        def counting_create_client(session: Any, service_name: str, *args: Any, **kwargs: Any):
            client = create_client(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register("before-parameter-build.dynamodb", calls._on_call)
            return client

        botocore.session.Session.create_client = counting_create_client
        return self

    def _on_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            self.operations[model.name] += 1
            if model.name != "TransactWriteItems":
                return
            for entry in params.get("TransactItems", []):
                self.transact_items += 1
                (action, body), *_ = entry.items()
                if action == "Put":
                    size = item_size(body["Item"])
                elif action == "Update":
                    values = body.get("ExpressionAttributeValues", {})
                    size = item_size(body["Key"]) + sum(_value_size(v) for v in values.values())
                else:  # ConditionCheck, Delete
                    size = item_size(body["Key"])
                # A transactional write costs 2 WCU per started KB of the item.
                self.transact_write_units += 2 * max(1, math.ceil(size / 1024))

    def reset(self) -> None:
        with self._lock:
            self.operations.clear()
            self.transact_items = 0
            self.transact_write_units = 0

    def summary(self) -> str:
        """``GetItem×3 TransactWriteItems×1`` style, sorted by name."""
        return " ".join(f"{name}×{n}" for name, n in sorted(self.operations.items()))
