"""What operators see: JSON logs without keys or bodies, and EMF metrics per invocation."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from chalice.test import Client

from chalicelib.domain.china_time import china_date
from chalicelib.observability import logger
from tests.factories import award_body, credit_code
from tests.functional.conftest import PROJECT_DIR, Api
from tests.functional.helpers import submitted_program


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything our logger writes at its most verbose, plus INFO and up from every library.

    Formatted by powertools' own JSON formatter, so appended keys (authority id, role)
    show up exactly as they would in CloudWatch.
    """
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    root = logging.getLogger()
    ours = logging.getLogger(logger.name)
    previous = (root.level, ours.level)
    root.addHandler(handler)
    ours.addHandler(handler)
    root.setLevel(logging.INFO)
    ours.setLevel(logging.DEBUG)
    try:
        yield sink
    finally:
        root.removeHandler(handler)
        ours.removeHandler(handler)
        root.setLevel(previous[0])
        ours.setLevel(previous[1])


def test_logs_of_pushes_carry_the_authority_but_never_the_key_or_the_body(api, keys, captured_logs):
    key = keys["110000"]
    program_id = submitted_program(api, key)
    body = award_body(program_id, source_id="LOG-SOURCE-4711")
    body["project"]["name"] = "日志里不该出现的项目名称"
    body["winners"][0]["project_manager"] = "王日志"
    refused = award_body(program_id, source_id="LOG-SOURCE-4712")
    refused["winners"][0]["credit_code"] = "91110000LOGLEAKXX"

    assert api.call("POST", "/v1/awards", body, key=key).status_code == 201
    assert api.call("POST", "/v1/awards", refused, key=key).status_code == 400
    assert api.call("POST", "/v1/awards", body, key="not-a-real-key-4711").status_code == 401

    output = captured_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # The capture works: the refusal is logged with its code, field and the authority.
    refusals = [line for line in lines if line.get("message") == "request refused"]
    assert any(
        r["code"] == "validation_error"
        and r["field"] == "winners[0].credit_code"
        and r["authority_id"] == "110000"
        for r in refusals
    ), output
    for secret in (
        key,
        "not-a-real-key-4711",
        "日志里不该出现的项目名称",
        "王日志",
        "LOG-SOURCE-4711",
        "91110000LOGLEAKXX",
        credit_code(2),
    ):
        assert secret not in output
        assert json.dumps(secret)[1:-1] not in output  # nor its \u-escaped form


def _emf_blobs(text: str) -> list[dict]:
    blobs = []
    for line in text.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            blobs.append(json.loads(line))
    return blobs


def _total(blobs: list[dict], name: str) -> float:
    total = 0.0
    for blob in blobs:
        value = blob.get(name)
        if value is not None:
            total += sum(value) if isinstance(value, list) else value
    return total


@pytest.fixture
def cloud_api(aws, monkeypatch) -> Iterator[Api]:
    """The app under the ``prod`` stage's configuration, where metrics are on."""
    from app import app

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    with Client(app, stage_name="prod", project_dir=str(PROJECT_DIR)) as client:
        yield Api(client)


def test_every_push_is_flushed_as_an_emf_metric_at_the_end_of_its_request(cloud_api, keys, capsys):
    api, key = cloud_api, keys["110000"]
    program_id = submitted_program(api, key)
    today = china_date(datetime.now(UTC)).isoformat()
    capsys.readouterr()

    late = award_body(program_id, source_id="M-LATE", awarded_on="2024-03-15")
    on_time = award_body(program_id, source_id="M-ON-TIME", awarded_on=today)
    assert api.call("POST", "/v1/awards", late, key=key).status_code == 201
    assert api.call("POST", "/v1/awards", on_time, key=key).status_code == 201
    assert api.call("POST", "/v1/awards", on_time, key=key).status_code == 200
    assert api.call("POST", "/v1/awards", {"records": "x"}, key=key).status_code == 400
    after_pushes = _emf_blobs(capsys.readouterr().out)

    assert api.call("GET", "/v1/health").status_code == 200
    after_read = _emf_blobs(capsys.readouterr().out)

    assert _total(after_pushes, "Pushes") == 2
    assert _total(after_pushes, "LatePushes") == 1
    assert _total(after_pushes, "PushRetries") == 1
    assert _total(after_pushes, "Rejected_validation_error") == 1
    namespaces = {
        directive["Namespace"]
        for blob in after_pushes
        for directive in blob["_aws"]["CloudWatchMetrics"]
    }
    assert namespaces == {"AwardRegistry"}
    # Flushed per request: nothing left over to ride along with the next one.
    assert _total(after_read, "Pushes") == 0
