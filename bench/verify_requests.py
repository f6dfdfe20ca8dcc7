"""Benchmark: DynamoDB requests per ``GET /v1/verify`` call, by awards held by the code.

Verify reads the credit-code index items in the awards table's base partition
(a consistent Query), then the records and their programmes' status in one
BatchGetItem across both tables (``store/batch_reads.py``): a fixed number of
requests per page, whatever the table holds, and never a Scan. (The UpdateItem
is the day's verification counter of the pilot statistics.) Counted with a botocore event hook on
in-process moto.

    python -m bench.verify_requests
"""

from __future__ import annotations

from bench._dynamodb_calls import DynamoCalls
from bench._inprocess import local_app, provincial_key, submitted_program  # sets the env

HOLDINGS = (0, 1, 20, 60)
NOISE = 40  # awards of other enterprises in the same table


def run() -> list[dict]:
    from tests.factories import award_body, credit_code

    calls = DynamoCalls().install()
    rows = []
    with local_app() as api:
        key = provincial_key("110000")
        program_id = submitted_program(api, key)
        pushed = 0

        def push(code: str) -> None:
            nonlocal pushed
            pushed += 1
            body = award_body(program_id, source_id=f"VERIFY-{pushed}")
            body["winners"] = [
                {"name": "被核验企业", "credit_code": code, "role": "general_contractor"},
                {
                    "name": "其他企业",
                    "credit_code": credit_code(900_000 + pushed),
                    "role": "survey",
                },
            ]
            assert api.call("POST", "/v1/awards", body, key=key).status == 201

        for n in range(NOISE):
            push(credit_code(800_000 + n))
        for index, holding in enumerate(HOLDINGS):
            code = credit_code(700_000 + index)
            for _ in range(holding):
                push(code)
            calls.reset()
            answer = api.call("GET", f"/v1/verify?credit_code={code}")
            assert answer.status == 200 and len(answer.data["awards"]) == min(holding, 20)
            rows.append(
                {
                    "measure": f"DynamoDB requests per verify, code with {holding} awards",
                    "value": sum(calls.operations.values()),
                    "unit": "requests",
                    "notes": f"{calls.summary() or 'none'}; Scan×{calls.operations['Scan']}"
                    + ("; first page of 20" if holding > 20 else ""),
                }
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
