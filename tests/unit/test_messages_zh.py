"""Every error the registry can give has a Chinese message (``domain/messages_zh.py``)."""

import re
from pathlib import Path

import pytest

from chalicelib.api.http import _CHALICE_CODES
from chalicelib.domain import errors
from chalicelib.domain.credit_code import InvalidCreditCodeError, validate_credit_code
from chalicelib.domain.errors import (
    BusinessRuleError,
    ConflictError,
    ErrorDetail,
    NotFoundError,
    RegistryError,
    ValidationError,
)
from chalicelib.domain.messages_zh import (
    CODE_ZH,
    CREDIT_CODE_ZH,
    GENERIC_ZH,
    message_zh_for,
    reason_zh,
)
from chalicelib.domain.schemas import AwardIn, ProgramIn, parse_model

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "chalicelib").rglob("*.py")) + sorted((ROOT / "backfill").rglob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def _classes(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *_classes(sub)]
    return found


def _codes_in_source(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_error_class_has_a_chinese_message():
    classes = [errors.RegistryError, *_classes(errors.RegistryError)]
    fixed = {cls.code for cls in classes if isinstance(cls.__dict__.get("code"), str)}
    assert {"unauthenticated", "version_mismatch", "unavailable"} <= fixed
    assert fixed - set(CODE_ZH) == set()


def test_every_code_raised_or_stored_in_the_code_has_a_chinese_message():
    raised = _codes_in_source(r'(?:ConflictError|BusinessRuleError|ErrorDetail)\(\s*"([a-z0-9_]+)"')
    rejected = _codes_in_source(r'Verdict\.rejected\(\s*"([a-z0-9_]+)"')
    cells = _codes_in_source(r'CellError\(\s*"([a-z0-9_]+)"')
    failed = _codes_in_source(r'_fail\(\s*job,\s*"([a-z0-9_]+)"')
    problems = _codes_in_source(r'problem\(\s*[\w.]+,\s*"[a-z_]+",\s*"([a-z0-9_]+)"')
    codes = raised | rejected | cells | failed | problems | set(_CHALICE_CODES.values())
    assert {"duplicate_winner", "not_pdf", "number_cell", "sha256_mismatch"} <= codes
    assert codes - set(CODE_ZH) == set()


def test_chinese_messages_are_chinese():
    for code, text in {**CODE_ZH, **CREDIT_CODE_ZH}.items():
        assert CJK.search(text), code


def test_every_credit_code_problem_has_its_own_chinese_reason():
    source = (ROOT / "chalicelib/domain/credit_code.py").read_text(encoding="utf-8")
    assert set(re.findall(r'reason="([a-z0-9_]+)"', source)) == set(CREDIT_CODE_ZH)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9111000080210043", "length"),
        ("91110000802100433I", "character"),
        ("91110000802100433C", "check_character"),
    ],
)
def test_a_credit_code_problem_reads_in_chinese(value, reason):
    from datetime import date

    with pytest.raises(InvalidCreditCodeError) as raised:
        validate_credit_code(value, today=date(2026, 11, 25))
    assert raised.value.reason == reason
    with pytest.raises(ValidationError) as refused:
        parse_model(
            AwardIn,
            {"winners": [{"name": "x", "credit_code": value, "role": "design"}]},
        )
    by_field = {d.field: d.message_zh for d in refused.value.details}
    assert by_field["winners[0].credit_code"] == (
        f"字段 winners[0].credit_code：{CREDIT_CODE_ZH[reason]}"
    )


def _filled(template: str) -> str:
    """An f-string's text with a plausible value for each placeholder (a date or a number)."""
    return re.sub(r"\{[^}]*\}", lambda m: "2018-01-01" if "iso" in m.group() else "2018", template)


def test_every_validation_raise_site_gets_a_specific_chinese_reason():
    """Each ``ValidationError("…")`` written in the code matches a pattern, not the fallback."""
    messages = _codes_in_source(r'ValidationError\(\s*f?"([^"]+)"')
    schemas = (ROOT / "chalicelib/domain/schemas.py").read_text(encoding="utf-8")
    messages |= set(re.findall(r'raise ValueError\(\s*f?"([^"]+)"', schemas))
    assert len(messages) > 20
    vague = {m for m in messages if reason_zh("validation_error", _filled(m)) == GENERIC_ZH}
    # The two left are assembled elsewhere (a parameter's name, the schema's own message).
    assert vague <= {"{path or 'body'}: {_message(first)}", "credit_code: {exc}"}, vague


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (AwardIn, {"source_id": 1, "year": "x", "winners": "x", "project": [], "extra": 1}),
        (AwardIn, {"source_id": "", "year": 1999, "honor": "x" * 101, "winners": []}),
        (AwardIn, {"awarded_on": "2024-02-30", "announcement_url": "ftp://x", "winners": [{}]}),
        (ProgramIn, {"classified": "no", "categories": ["roads", "housing", "housing"]}),
    ],
)
def test_no_schema_problem_falls_back_to_the_generic_chinese(model, body):
    with pytest.raises(ValidationError) as refused:
        parse_model(model, body)
    details = refused.value.details
    assert len(details) > 3
    for detail in details:
        assert detail.message_zh.startswith(f"字段 {detail.field}：")
        assert GENERIC_ZH not in detail.message_zh, detail


def test_an_error_without_its_own_chinese_gets_the_codes():
    assert NotFoundError("no award x").message_zh == CODE_ZH["not_found"]
    assert (
        ConflictError("invalid_state", "x").to_body()["error"]["message_zh"]
        == (CODE_ZH["invalid_state"])
    )
    assert message_zh_for("validation_error", "limit must be 1..100", "limit") == (
        "字段 limit：每页条数应为 1 至 100"
    )


def test_several_problems_are_listed_and_the_first_is_the_error():
    problems = [
        ErrorDetail("duplicate_winner", "a", "甲", "winners[1].credit_code"),
        ErrorDetail("duplicate_winner", "b", "乙", "winners[2].credit_code"),
    ]
    error = BusinessRuleError(
        "duplicate_winner", "a", field="winners[1].credit_code", message_zh="甲", details=problems
    )
    body = error.to_body()
    assert body["error"] == body["errors"][0]
    assert [e["message_zh"] for e in body["errors"]] == ["甲", "乙"]
    assert "errors" not in RegistryError("one").to_body()
