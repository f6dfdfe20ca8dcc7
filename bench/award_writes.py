"""Benchmark: DynamoDB items written per new award, by number of winners (1, 5, 40).

A push writes its record, its source-id guard, one credit-code item per
winner, its change entry and the authority's sequence counter in one
TransactWriteItems (SPEC §6), so items = winners + 4 and 40 winners stay under
DynamoDB's 100-item transaction limit. Counted with a botocore event hook on
in-process moto; "≈ WCU" applies DynamoDB's price of a transactional write
(2 units per started KB of each item) to the items' sizes.

    python -m bench.award_writes
"""

from __future__ import annotations

from bench._dynamodb_calls import DynamoCalls
from bench._inprocess import local_app, provincial_key, submitted_program  # sets the env

WINNERS = (1, 5, 40)
ROLES = ("general_contractor", "design", "survey", "supervision", "specialty_contractor")


def run() -> list[dict]:
    from tests.factories import award_body, credit_code

    calls = DynamoCalls().install()
    rows = []
    with local_app() as api:
        key = provincial_key("110000")
        program_id = submitted_program(api, key)
        for k in WINNERS:
            body = award_body(program_id, source_id=f"WRITES-{k}")
            body["winners"] = [
                {
                    "name": f"获奖单位{i}",
                    "credit_code": credit_code(10_000 * k + i),
                    "role": ROLES[i % len(ROLES)],
                }
                for i in range(k)
            ]
            calls.reset()
            pushed = api.call("POST", "/v1/awards", body, key=key)
            assert pushed.status == 201, pushed.data
            transactions = calls.operations["TransactWriteItems"]
            rows.append(
                {
                    "measure": f"items written per new award, {k} winner{'s' * (k > 1)}",
                    "value": calls.transact_items,
                    "unit": "items",
                    "notes": (
                        f"{transactions} TransactWriteItems, ≈{calls.transact_write_units} WCU; "
                        f"requests: {calls.summary()}"
                    ),
                }
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
