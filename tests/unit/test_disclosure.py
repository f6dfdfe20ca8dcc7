"""What each reader may see (``domain/disclosure.py``): pure rules, no storage."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.disclosure import (
    award_for,
    erase,
    holds_any,
    program_for,
    reader_of,
)

AWARD = {
    "id": "awd_1",
    "authority_id": "110000",
    "winners": [{"name": "甲公司", "project_manager": "张三"}, {"name": "乙公司"}],
    "timeliness": {"status": "late", "excused": True, "excused_reason": "内部批复"},
    "redactions": [{"fields": ["project_manager"], "at": "2026-12-01T00:00:00Z", "reason": "申请"}],
    "history": [{"winners": [{"name": "甲公司", "project_manager": "李四"}]}],
}


@dataclass
class Caller:
    role: str
    authority_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def owns(self, authority_id: str) -> bool:
        return self.role == "provincial" and self.authority_id == authority_id


def test_the_public_sees_no_names_no_excuse_and_no_redaction_reason():
    public = award_for(AWARD, "public")
    assert "张三" not in str(public) and "李四" not in str(public)
    assert public["timeliness"] == {"status": "late", "excused": True}
    assert public["redactions"] == [{"fields": ["project_manager"], "at": "2026-12-01T00:00:00Z"}]
    assert public["winners"][1] == {"name": "乙公司"}
    assert AWARD["winners"][0]["project_manager"] == "张三"  # the full view is not changed


def test_the_owner_and_administrators_see_everything():
    assert award_for(AWARD, "owner") == AWARD
    assert award_for(AWARD, "admin") == AWARD


def test_readers_by_key():
    assert reader_of(None, "110000") == "public"
    assert reader_of(Caller("admin", None), "110000") == "admin"
    assert reader_of(Caller("provincial", "110000"), "110000") == "owner"
    assert reader_of(Caller("provincial", "320000"), "110000") == "public"


def test_public_status_history_keeps_only_a_withdrawal_reason():
    program = {
        "status_history": [
            {"status": "rejected", "by": "key_a", "by_role": "admin", "at": "t1", "reason": "内部"},
            {"status": "submitted", "by": "key_b", "by_authority": "110000", "at": "t2"},
            {
                "status": "withdrawn",
                "by": "key_a",
                "at": "t3",
                "reason": "清理",
                "effective_on": "d",
            },
        ]
    }
    assert program_for(program, "public")["status_history"] == [
        {"status": "rejected", "at": "t1"},
        {"status": "submitted", "at": "t2"},
        {"status": "withdrawn", "at": "t3", "reason": "清理", "effective_on": "d"},
    ]
    assert program_for(program, "admin") == program


def test_erasing_a_redactable_field():
    assert holds_any(AWARD, ["project_manager"])
    erased = erase(AWARD, ["project_manager"])
    assert not holds_any(erased, ["project_manager"])
    assert erased["winners"] == [{"name": "甲公司"}, {"name": "乙公司"}]
