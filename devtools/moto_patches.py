"""Patches for moto's DynamoDB emulation, used only by the local AWS launcher.

Why this exists: moto 5.2.5 has two costs that production DynamoDB does not have and that
made the local stack unusable under a realistic write load.

1. ``DynamoDBBackend.transact_write_items`` deep-copies *every table* a transaction touches
   before applying it, so it can roll back on cancellation. That is ~200 ms per transaction
   with 4,000 items stored and grows linearly with table size. Production DynamoDB cost
   does not depend on table size.
2. moto server's backends are plain Python dicts with no locking; concurrent
   transactions against the threaded server raise inside moto and come back as HTTP 500s.
   Production DynamoDB is of course safe under concurrency.
3. ``Table.query`` starts from ``Table.all_items()``, which lists and *sorts every item of
   the table*, then keeps those of the queried partition: with ~7,000 awards one
   ``GET /v1/awards?authority_id=…&year=…&limit=1`` took ~4 s. Production DynamoDB reads
   only the queried partition.

The patches below contain both costs in the *local emulator only*:

- all DynamoDB request handling is serialised by one module-level re-entrant lock
  (:data:`DYNAMODB_LOCK`), which is fine for a developer emulator;
- ``transact_write_items`` keeps moto's semantics but snapshots only the items the
  transaction touches and restores exactly those on cancellation;
- ``Table.query`` runs moto's own query code on the queried partition only: the base
  table's partition is ``Table.items[hash]``; a GSI's partitions are grouped in one pass
  and cached until the next write to that table (a request that is not a read,
  :data:`READ_ACTIONS`, and names no table drops every table's), so repeated reads cost
  the size of the partition, not of the table, even while another table is written.

A third, small patch makes moto's KMS honour ``Sign`` with ``MessageType=DIGEST``
for ECDSA keys (moto 5.2.5 hashes the digest again, as if it were RAW), which the
receipt signing uses exactly as real KMS defines it (see :func:`kms_sign`).

Nothing here changes the application: the production write path stays fully
transactional (``TransactWriteItems`` against real DynamoDB) and nothing in ``chalicelib``
imports this module. The patch depends on moto internals (``Table.items`` layout,
``DynamoType`` keys, exception classes), hence the exact version pin below, which must
match ``requirements-dev.txt``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

import moto

PINNED_MOTO_VERSION = "5.2.5"

if moto.__version__ != PINNED_MOTO_VERSION:  # pragma: no cover - guarded by requirements-dev.txt
    raise RuntimeError(
        f"devtools.moto_patches targets moto {PINNED_MOTO_VERSION} internals "
        f"(DynamoDBBackend.transact_write_items, Table.items), but moto {moto.__version__} "
        "is installed. Install the version pinned in requirements-dev.txt, or re-check the "
        "patch against the new moto source and update PINNED_MOTO_VERSION."
    )

from moto.dynamodb.comparisons import get_filter_expression  # noqa: E402
from moto.dynamodb.exceptions import (  # noqa: E402
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType, Item  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.dynamodb.responses import DynamoHandler  # noqa: E402
from moto.kms.responses import KmsResponse  # noqa: E402

__all__ = ["DYNAMODB_LOCK", "PINNED_MOTO_VERSION", "READ_ACTIONS", "apply_patches"]

#: Serialises every DynamoDB request handled by moto in this process. Re-entrant so that
#: in-process helpers (test fixtures) may hold it around direct backend access.
DYNAMODB_LOCK = threading.RLock()

_PATCH_MARKER = "_award_registry_moto_patch"
_ORIGINALS: dict[str, Callable[..., Any]] = {}
_APPLY_LOCK = threading.Lock()

# (id(table), hash key, range key) -> (table, deep copy of the item before the
# transaction, or None if the item did not exist)
_SnapshotKey = tuple[int, DynamoType, DynamoType | None]
_Snapshots = dict[_SnapshotKey, tuple[Table, Item | None]]


def apply_patches() -> None:
    """Install both patches into moto (idempotent: a second call does nothing).

    Affects every moto entry point in this process (``ThreadedMotoServer`` and
    ``moto.mock_aws``). Only the local launcher and test fixtures call this.
    """
    with _APPLY_LOCK:
        if not getattr(DynamoHandler.call_action, _PATCH_MARKER, False):
            _ORIGINALS["call_action"] = DynamoHandler.call_action
            DynamoHandler.call_action = _serialised_call_action  # type: ignore[method-assign]
        if not getattr(DynamoDBBackend.transact_write_items, _PATCH_MARKER, False):
            _ORIGINALS["transact_write_items"] = DynamoDBBackend.transact_write_items
            DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        if not getattr(KmsResponse.sign, _PATCH_MARKER, False):
            _ORIGINALS["kms_sign"] = KmsResponse.sign
            KmsResponse.sign = kms_sign  # type: ignore[method-assign]
        if not getattr(Table.query, _PATCH_MARKER, False):
            _ORIGINALS["query"] = Table.query
            Table.query = partition_query  # type: ignore[method-assign]


_DIGEST_SIZES = {"ECDSA_SHA_256": 32, "ECDSA_SHA_384": 48, "ECDSA_SHA_512": 64}


def kms_sign(self: KmsResponse) -> str:
    """KMS ``Sign`` that signs a ``DIGEST`` as given (prehashed), as real KMS does.

    RAW messages and RSA keys go to moto's own implementation unchanged.
    """
    import base64
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from moto.kms.exceptions import ValidationException

    algorithm = self._get_param("SigningAlgorithm")
    if self._get_param("MessageType") != "DIGEST" or algorithm not in _DIGEST_SIZES:
        return _ORIGINALS["kms_sign"](self)
    key_id = self._get_param("KeyId")
    self._validate_key_id(key_id)
    digest = self._get_param("Message")
    if isinstance(digest, str):
        digest = digest.encode("utf-8")
    if len(digest) != _DIGEST_SIZES[algorithm]:
        raise ValidationException("Digest is invalid length for algorithm " + algorithm)
    key = self.kms_backend.describe_key(key_id)
    self.kms_backend._KmsBackend__ensure_valid_sign_and_verify_key(key)  # moto's own check
    if algorithm not in key.signing_algorithms:
        raise ValidationException(f"{algorithm} is not valid for key {key.arn}")
    hash_algorithm = {
        "ECDSA_SHA_256": hashes.SHA256(),
        "ECDSA_SHA_384": hashes.SHA384(),
        "ECDSA_SHA_512": hashes.SHA512(),
    }[algorithm]
    signature = key.private_key.private_key.sign(digest, ec.ECDSA(Prehashed(hash_algorithm)))
    return json.dumps(
        {
            "KeyId": key.arn,
            "Signature": base64.b64encode(signature).decode("ascii"),
            "SigningAlgorithm": algorithm,
        }
    )


setattr(kms_sign, _PATCH_MARKER, True)


@functools.wraps(DynamoHandler.call_action)
def _serialised_call_action(self: DynamoHandler) -> Any:
    """Handle one DynamoDB request while holding :data:`DYNAMODB_LOCK`.

    moto's backends are not thread-safe and the threaded server runs one thread per
    request; without this, concurrent transactions fail with HTTP 500.
    """
    with DYNAMODB_LOCK:
        try:
            return _ORIGINALS["call_action"](self)
        finally:
            if _action_of(self) not in READ_ACTIONS:
                _invalidate_groups(_written_tables(self))


setattr(_serialised_call_action, _PATCH_MARKER, True)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's ``transact_write_items`` without the whole-table deep copies.

    Same semantics as moto: at most 100 items (``TooManyTransactionsException``), one
    operation per item (``TransactWriteSingleOpException``), one operation per key
    (``MultipleTransactionsException``, rolled back and re-raised like validation errors),
    condition checks with ``ReturnValuesOnConditionCheckFailure=ALL_OLD``, and
    ``TransactionCanceledException`` listing one reason per item in order (``None`` for
    items that passed). Like moto, later items are still evaluated after a failing one.

    The difference: before an item is first written, a deep copy of just that item (or
    "absent") is recorded, and on any failure exactly those items are put back or removed.
    Each operation writes only its own key, so this restores the same state as moto's
    table-level backup at a cost independent of table size.

    Tables with streams enabled fall back to moto's original implementation, because the
    original restores stream records along with the table (the app does not use streams).
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    if _touches_streamed_table(self, transact_items):
        return _ORIGINALS["transact_write_items"](self, transact_items)

    snapshots: _Snapshots = {}
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        # Same textual identity as moto uses (a numerically equal key spelled differently
        # passes here, as in moto; the snapshot dict below is keyed by DynamoType and
        # therefore still records the pre-transaction state only once).
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]] = []
    try:
        for item in transact_items:
            original_item: dict[str, Any] | None = None
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException

            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")

                table_name = op["TableName"]
                condition_expression = op.get("ConditionExpression")
                expression_attribute_names = op.get("ExpressionAttributeNames")
                expression_attribute_values = op.get("ExpressionAttributeValues")
                return_values_on_condition_check_failure = op.get(
                    "ReturnValuesOnConditionCheckFailure"
                )

                if op_type == "Put":
                    attrs = op["Item"]
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]

                check_unicity(table_name, key)

                current = self.get_item(table_name, key)
                if condition_expression is not None:
                    condition_op = get_filter_expression(
                        condition_expression,
                        expression_attribute_names,
                        expression_attribute_values,
                    )
                    if not condition_op.expr(current):
                        if return_values_on_condition_check_failure == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)

                if op_type != "ConditionCheck":
                    _snapshot_item(self, snapshots, table_name, key, current)

                if op_type == "Put":
                    self.put_item(
                        table_name,
                        op["Item"],
                        condition_expression=condition_expression,
                        expression_attribute_names=expression_attribute_names,
                        expression_attribute_values=expression_attribute_values,
                    )
                elif op_type == "Delete":
                    self.delete_item(
                        table_name,
                        key,
                        condition_expression=condition_expression,
                        expression_attribute_names=expression_attribute_names,
                        expression_attribute_values=expression_attribute_values,
                    )
                elif op_type == "Update":
                    self.update_item(
                        table_name,
                        key,
                        update_expression=op["UpdateExpression"],
                        condition_expression=condition_expression,
                        expression_attribute_names=expression_attribute_names,  # type: ignore[arg-type]
                        expression_attribute_values=expression_attribute_values,  # type: ignore[arg-type]
                    )
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                # Roll back (outer handler) and re-raise, as moto does.
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:
                # Like moto: any other failure becomes a cancellation reason for this item.
                errors.append((type(e).__name__, str(e), original_item))

        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
    except BaseException:
        _restore(snapshots)
        raise
    return None


setattr(transact_write_items, _PATCH_MARKER, True)


def _snapshot_item(
    backend: DynamoDBBackend,
    snapshots: _Snapshots,
    table_name: str,
    key: dict[str, Any],
    current: Item | None,
) -> None:
    """Record ``current`` (the stored item for ``key``) unless this key was seen already.

    ``current`` is deep-copied because moto's ``update_item`` mutates the stored ``Item``
    in place.
    """
    table = backend.get_table(table_name)
    hash_key, range_key = backend.get_keys_value(table, key)
    snapshot_key = (id(table), hash_key, range_key)
    if snapshot_key not in snapshots:
        snapshots[snapshot_key] = (table, copy.deepcopy(current))


def _restore(snapshots: _Snapshots) -> None:
    """Put every snapshotted item back (or remove it if it did not exist before)."""
    for (_, hash_key, range_key), (table, old_item) in reversed(snapshots.items()):
        if table.has_range_key:
            if old_item is None:
                partition = table.items.get(hash_key)
                if partition is not None:
                    partition.pop(range_key, None)
                    if not partition:
                        # Table.items is a defaultdict: drop the partition we emptied.
                        del table.items[hash_key]
            else:
                table.items[hash_key][range_key] = old_item
        elif old_item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = old_item


def _touches_streamed_table(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> bool:
    """True if any item targets an existing table with a DynamoDB stream enabled."""
    for item in transact_items:
        for op in item.values():
            table_name = op.get("TableName") if isinstance(op, dict) else None
            if not table_name:
                continue
            try:
                table = backend.get_table(table_name)
            except Exception:
                continue  # reported per item by the transaction itself
            if table.stream_shard is not None:
                return True
    return False


#: DynamoDB actions that change no item; any other request drops the cached GSI partitions.
READ_ACTIONS = frozenset(
    {
        "BatchGetItem",
        "DescribeContinuousBackups",
        "DescribeEndpoints",
        "DescribeLimits",
        "DescribeTable",
        "DescribeTimeToLive",
        "GetItem",
        "ListTables",
        "ListTagsOfResource",
        "Query",
        "Scan",
        "TransactGetItems",
    }
)

# Bumped after every request that may have written: cached partitions of an older
# generation are rebuilt on their next use. moto's ``update_item`` mutates items in
# place (an index key may change), so nothing finer than "any write to the table" is
# safe. A write names its tables (item writes, batches, transactions): only those
# tables' generations move, so the search worker indexing a backfill into the search
# table does not make every awards list regroup the whole awards table. A write whose
# tables cannot be read from the request bumps ``_generation``: every table's caches go.
_generation = 0
_table_generations: dict[str, int] = {}
_ITEM_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
_GROUPS_ATTR = "_award_registry_gsi_groups"
_GroupKey = tuple[DynamoType, ...]


def _action_of(handler: DynamoHandler) -> str | None:
    try:
        return handler._get_action()
    except Exception:  # an unreadable request may still have written: treat as a write
        return None


def _written_tables(handler: DynamoHandler) -> set[str] | None:
    """The tables a write request names; None when they cannot be told (then: all)."""
    body = getattr(handler, "body", None)  # moto's parsed parameters after call_action
    action = _action_of(handler)
    if not isinstance(body, dict):
        return None
    try:
        if action in _ITEM_WRITES:
            names = [body["TableName"]]
        elif action == "BatchWriteItem":
            names = list(body["RequestItems"])
        elif action == "TransactWriteItems":
            names = [op["TableName"] for entry in body["TransactItems"] for op in entry.values()]
        else:
            return None
    except (KeyError, TypeError, AttributeError):
        return None
    # A table may be named by its ARN (``arn:…:table/<name>``).
    names = [str(name) for name in names]
    return {name.rsplit("/", 1)[-1] if name.startswith("arn:") else name for name in names}


def _invalidate_groups(tables: set[str] | None = None) -> None:
    global _generation
    if tables is None:
        _generation += 1
        return
    for name in tables:
        _table_generations[name] = _table_generations.get(name, 0) + 1


def _sort_attrs(table: Table, index: Any) -> tuple[list[str], list[str | None]]:
    """The attributes moto 5.2.5's ``Table.query`` sorts a GSI's results by (its code)."""
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    range_attrs: list[str | None] = [
        k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"
    ]
    if not range_attrs:
        range_attrs = [table.range_key_attr or table.hash_key_attr]
    return [*hash_attrs, table.hash_key_attr], [*range_attrs, table.range_key_attr]


def _cache(table: Table) -> dict[Any, Any]:
    """This table's cached partitions, emptied when a write bumped the generation."""
    stamp = (_generation, _table_generations.get(table.name, 0))
    cached = getattr(table, _GROUPS_ATTR, None)
    if cached is None or cached[0] != stamp:
        cached = (stamp, {})
        setattr(table, _GROUPS_ATTR, cached)
    return cached[1]


def _gsi_partition(table: Table, index: Any, key: _GroupKey) -> list[Item]:
    """The items of one GSI partition in moto's query order (ascending).

    The first query of an index after a write groups the whole table once; a
    partition is sorted (by moto's own ``sorted_items``) on its first use.
    """
    cache = _cache(table)
    names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    groups: dict[_GroupKey, tuple[bool, list[Item]]] | None = cache.get(index.name)
    if groups is None:
        groups = {}
        for partition in table.items.values():
            items = partition.values() if table.range_key_attr else [partition]
            for item in items:
                values = tuple(item.attrs.get(name) for name in names)
                if all(value is not None for value in values):
                    groups.setdefault(values, (False, []))[1].append(item)  # type: ignore[arg-type]
        cache[index.name] = groups
    if key not in groups:
        return []
    is_sorted, group = groups[key]
    if not is_sorted:
        hash_attrs, range_attrs = _sort_attrs(table, index)
        # Only items with every range key are in the index: moto skips the others too.
        group = [i for i in group if all(i.attrs.get(a) for a in range_attrs[:-1] if a)]
        table.sorted_items(hash_attrs, range_attrs, group)  # type: ignore[arg-type]
        groups[key] = (True, group)
    return group


def _base_partition(table: Table, hash_key: DynamoType) -> list[Item]:
    """One base-table partition sorted by range key (moto's order), cached per generation."""
    cache = _cache(table)
    key = ("base", hash_key)
    if key not in cache:
        cache[key] = sorted(table.items.get(hash_key, {}).values(), key=lambda i: i.range_key)
    return cache[key]


def _already_sorted(hash_attrs: Any, range_attrs: Any, items: list[Item]) -> list[Item]:
    return items


#: Candidates handed to moto first (× ``Limit``); grown ×4 while the answer may lie beyond.
FIRST_WINDOW = 4
MIN_WINDOW = 64


def partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """moto 5.2.5's ``Table.query`` over the queried partition instead of the whole table.

    moto's query code runs unchanged (key conditions, sort order, ``ExclusiveStartKey``,
    ``Limit``, filters, projections); only ``all_items()``, its list of candidates, is
    narrowed for this call: the partition (``items[hash_key]`` for the base table, the
    cached GSI partition for a global index, both kept in moto's order), and of it only
    a window at the start of the query's direction. moto stops at ``Limit``; when it
    stops *inside* the window (it returns a ``LastEvaluatedKey``) the answer is the one
    the whole partition gives, else the window grows until it is the whole partition.
    Local secondary indexes and queries this cannot narrow use moto's full list.
    """
    call = _QUERY_SIGNATURE.bind(self, hash_key, *args, **kwargs).arguments
    index_name = call.get("index_name")
    conditions = call.get("hash_key_conditions") or []
    candidates: list[Item] | None = None
    if index_name is None:
        if hash_key is not None and self.range_key_attr:
            candidates = _base_partition(self, hash_key)
    elif conditions and any(i.name == index_name for i in self.global_indexes or []):
        values = dict(conditions)
        index = self.get_index(index_name)
        names = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
        if len(values) == len(conditions) and set(values) == set(names):
            candidates = _gsi_partition(self, index, tuple(values[n] for n in names))
            # Every candidate has these hash keys: spare moto comparing each one again.
            call["hash_key_conditions"] = None
    if candidates is None:
        return _ORIGINALS["query"](self, hash_key, *args, **kwargs)
    limit = call.get("limit")
    forward = call.get("scan_index_forward", True) is not False
    window = max(MIN_WINDOW, FIRST_WINDOW * limit) if limit else len(candidates)
    extra = call.pop("filter_kwargs", {})
    if index_name is not None:
        self.sorted_items = _already_sorted  # type: ignore[method-assign]
    try:
        while True:
            part = (
                candidates[:window] if forward else candidates[max(0, len(candidates) - window) :]
            )
            self.all_items = lambda part=part: part  # type: ignore[method-assign]
            answer = _ORIGINALS["query"](**call, **extra)
            if window >= len(candidates) or answer[2] is not None:
                return answer
            window *= 4
    finally:
        self.__dict__.pop("all_items", None)
        self.__dict__.pop("sorted_items", None)


setattr(partition_query, _PATCH_MARKER, True)
_QUERY_SIGNATURE = inspect.signature(Table.query)
