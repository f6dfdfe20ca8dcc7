"""Valid request bodies for tests, with the dates written where they are used."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.credit_code import credit_code_check_char


def credit_code(n: int, *, prefix: str = "91110000") -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    body = f"{prefix}{n:09d}"[:17]
    body = body.replace("I", "1").replace("O", "0")
    return body + credit_code_check_char(body)


def program_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "北京市建设工程长城杯",
        "organizer": "北京市建筑业联合会",
        "authority_relation": "supervises",
        "cycle": "annual",
        "categories": ["housing", "municipal"],
        "approval": {
            "issuer": "北京市人民政府",
            "document_number": "京政函〔2019〕12号",
            "approved_on": "2019-03-01",
        },
    }
    body.update(overrides)
    return body


def award_body(program_id: str, source_id: str = "BJ-2024-0001", **overrides: Any) -> dict:
    body = {
        "source_id": source_id,
        "program_id": program_id,
        "year": 2024,
        "honor": "金质奖",
        "awarded_on": "2024-03-15",
        "announcement_number": "京建发〔2024〕45号",
        "project": {"name": "北京城市副中心综合交通枢纽", "category": "housing"},
        "winners": [
            {
                "name": "北京城建集团有限责任公司",
                "credit_code": credit_code(1),
                "role": "general_contractor",
                "project_manager": "张三",
            },
            {"name": "北京市建筑设计研究院", "credit_code": credit_code(2), "role": "design"},
        ],
    }
    body.update(overrides)
    return body
