"""Award records and their programmes' facts in one BatchGetItem (verify's read).

A verification reads the credit-code index (one consistent Query), then the
records it names and the status of their programmes. pynamodb's ``batch_get``
reads one table per request, so that was two BatchGetItems; DynamoDB takes
keys of several tables in one request, so here it is one: the index items
carry the ``program_id`` of their record (older items without it, or a record
corrected to another programme, are the exception the caller fills in).
"""

from __future__ import annotations

import json
import time
from typing import Any

from chalicelib.domain.errors import UnavailableError
from chalicelib.store import aws
from chalicelib.store.models import AwardRecord, Program

# BatchGetItem takes at most 100 keys per request, over all its tables.
BATCH_GET_MAX = 100
# Keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit) are asked again,
# a few times with a short back-off, as pynamodb's own batch_get does.
UNPROCESSED_ATTEMPTS = 4
UNPROCESSED_BACKOFF_S = 0.05


def records_and_statuses(
    award_ids: list[str], program_ids: list[str]
) -> tuple[dict[str, AwardRecord], dict[str, dict[str, Any]]]:
    """Records (read consistently) by id, and programme facts by id, in one request.

    A programme's facts are ``{"status", "status_history"}``: what ``domain.validity``
    reads (``services.programs.program_facts`` reads the same).

    One request while the keys fit in ``BATCH_GET_MAX``; more only past it, or
    when DynamoDB leaves keys unprocessed.
    """
    award_ids = list(dict.fromkeys(award_ids))
    program_ids = list(dict.fromkeys(program_ids))[: max(0, BATCH_GET_MAX - len(award_ids))]
    records: dict[str, AwardRecord] = {}
    statuses: dict[str, dict[str, Any]] = {}
    client = aws.client("dynamodb")
    awards_table, programs_table = AwardRecord.Meta.table_name, Program.Meta.table_name
    for start in range(0, len(award_ids) or 1, BATCH_GET_MAX):
        chunk = award_ids[start : start + BATCH_GET_MAX]
        request: dict[str, Any] = {}
        if chunk:
            request[awards_table] = {
                "Keys": [
                    {"pk": {"S": AwardRecord.key(award_id)}, "sk": {"S": "RECORD"}}
                    for award_id in chunk
                ],
                "ConsistentRead": True,
            }
        if start == 0 and program_ids:
            request[programs_table] = {
                "Keys": [{"id": {"S": program_id}} for program_id in program_ids],
                "ProjectionExpression": "id, #status, status_history",
                "ExpressionAttributeNames": {"#status": "status"},
            }
        for table, items in _batch_get(client, request).items():
            for item in items:
                if table == awards_table:
                    record = AwardRecord.from_raw_data(item)
                    records[record.id] = record
                else:
                    history = item.get("status_history", {}).get("S")
                    statuses[item["id"]["S"]] = {
                        "status": item["status"]["S"],
                        "status_history": json.loads(history) if history else [],
                    }
    return records, statuses


def _batch_get(client: Any, request: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for attempt in range(UNPROCESSED_ATTEMPTS):
        if not request:
            return found
        answer = client.batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        request = answer.get("UnprocessedKeys") or {}
        if request:
            time.sleep(UNPROCESSED_BACKOFF_S * 2**attempt)
    if request:
        raise UnavailableError("storage is busy, try again")
    return found
