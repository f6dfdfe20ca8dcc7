"""The audit's cost grows with new changes, not with history (SPEC §5).

Items read from DynamoDB are counted with a botocore ``after-call.dynamodb``
hook on the one DynamoDB client every model and transaction of the application
uses (``store/aws.py``), then the same new pushes are audited over 10× more history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from chalicelib.store import aws
from tests.factories import award_body
from tests.functional.audit.conftest import run_audit
from tests.functional.helpers import submitted_program
from tests.steps import push_batch


@dataclass
class Reads:
    items: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    def __call__(self, parsed: dict, model: object, **_: object) -> None:
        operation = model.name  # botocore OperationModel
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif operation in ("Query", "Scan"):
            self.items += int(parsed.get("Count", 0))
        elif operation == "BatchGetItem":
            self.items += sum(len(rows) for rows in parsed.get("Responses", {}).values())
        elif operation == "TransactGetItems":
            self.items += len(parsed.get("Responses", []))


@contextmanager
def counting_dynamodb_reads() -> Iterator[Reads]:
    reads = Reads()
    client = aws.client("dynamodb")
    client.meta.events.register("after-call.dynamodb", reads, unique_id="count-reads")
    try:
        yield reads
    finally:
        client.meta.events.unregister("after-call.dynamodb", unique_id="count-reads")


def dated_batch(program_id, prefix, count, awarded_on):
    """``count`` awards of 2026 announced on ``awarded_on``, source ids ``prefix-0000`` on."""
    return [
        award_body(program_id, f"{prefix}-{n:04d}", awarded_on=awarded_on, year=2026)
        for n in range(count)
    ]


def test_items_read_stay_the_same_with_ten_times_the_history(api, keys, clock):
    key = keys["110000"]
    program_id = submitted_program(api, key)
    clock.set("2026-11-20T02:00:00+00:00")
    push_batch(api, key, dated_batch(program_id, "HIST-A", 20, "2026-11-16"))  # on time
    run_audit(api, keys["admin"], "2026-11-21")

    push_batch(api, key, dated_batch(program_id, "NEW-A", 5, "2026-11-02"))  # 4 working days late
    with counting_dynamodb_reads() as small:
        report_small = run_audit(api, keys["admin"], "2026-11-22")

    push_batch(api, key, dated_batch(program_id, "HIST-B", 180, "2026-11-16"))  # history is now 10×
    run_audit(api, keys["admin"], "2026-11-23")

    push_batch(api, key, dated_batch(program_id, "NEW-B", 5, "2026-11-02"))
    with counting_dynamodb_reads() as large:
        report_large = run_audit(api, keys["admin"], "2026-11-24")

    assert report_small["summary"]["changes_read"] == report_large["summary"]["changes_read"] == 5
    assert len(report_small["findings_new"]) == len(report_large["findings_new"]) == 5
    assert small.items > 0
    assert large.items == small.items, (small, large)
    assert "Scan" not in small.calls and "Scan" not in large.calls
