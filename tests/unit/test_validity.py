"""The validity rule (``domain/validity.py``), with the dates written out."""

from __future__ import annotations

from chalicelib.domain.validity import award_validity, withdrawal_of


def withdrawn(effective_on: str, reason: str = "奖项清理") -> dict:
    return {
        "status": "withdrawn",
        "status_history": [
            {"status": "draft", "at": "2024-01-02T01:00:00Z"},
            {"status": "approved", "at": "2024-01-10T01:00:00Z", "reason": "审核通过"},
            {
                "status": "withdrawn",
                "at": "2026-11-20T02:00:00Z",
                "reason": reason,
                "effective_on": effective_on,
                "by": "key_admin",
            },
        ],
    }


def active(awarded_on: str) -> dict:
    return {"status": "active", "awarded_on": awarded_on}


def test_an_active_award_of_an_approved_programme_is_valid():
    assert award_validity(active("2024-03-15"), {"status": "approved"}) == {"validity": "valid"}


def test_an_award_of_a_submitted_programme_is_valid_awaiting_review():
    assert award_validity(active("2024-03-15"), {"status": "submitted"})["validity"] == "valid"


def test_an_unknown_programme_does_not_invalidate_the_award():
    assert award_validity(active("2024-03-15"), None) == {"validity": "valid"}


def test_a_revoked_award_is_revoked_with_its_reason():
    award = {
        "status": "revoked",
        "awarded_on": "2024-03-15",
        "revoked_reason": "弄虚作假",
        "revoked_at": "2026-05-06T07:08:09Z",
    }
    assert award_validity(award, {"status": "approved"}) == {
        "validity": "revoked",
        "validity_detail": {"reason": "弄虚作假", "revoked_at": "2026-05-06T07:08:09Z"},
    }


def test_revoked_wins_over_a_withdrawn_programme():
    award = {"status": "revoked", "awarded_on": "2024-03-15", "revoked_reason": "弄虚作假"}
    assert award_validity(award, withdrawn("2025-01-01"))["validity"] == "revoked"


def test_an_award_dated_before_the_effective_date_is_flagged_as_historically_granted():
    result = award_validity(active("2024-12-31"), withdrawn("2025-01-01"))
    assert result == {
        "validity": "program_withdrawn",
        "validity_detail": {
            "reason": "奖项清理",
            "effective_on": "2025-01-01",
            "withdrawn_at": "2026-11-20T02:00:00Z",
            "granted_before_withdrawal": True,
        },
    }


def test_an_award_dated_on_the_effective_date_was_granted_after_the_withdrawal():
    result = award_validity(active("2025-01-01"), withdrawn("2025-01-01"))
    assert result["validity"] == "program_withdrawn"
    assert result["validity_detail"]["granted_before_withdrawal"] is False


def test_a_withdrawal_effective_in_the_future_already_flags_the_award():
    # The rule does not read today's date: a recorded withdrawal flags every channel at once.
    result = award_validity(active("2024-03-15"), withdrawn("2027-01-01"))
    assert result["validity"] == "program_withdrawn"
    assert result["validity_detail"]["granted_before_withdrawal"] is True


def test_the_last_withdrawal_in_the_history_is_the_one_in_force_and_names_no_actor():
    program = withdrawn("2025-01-01")
    assert withdrawal_of(program) == {
        "reason": "奖项清理",
        "effective_on": "2025-01-01",
        "withdrawn_at": "2026-11-20T02:00:00Z",
    }
    assert withdrawal_of({"status": "approved", "status_history": []}) is None


def test_a_withdrawn_programme_without_recorded_facts_still_flags_its_awards():
    result = award_validity(active("2024-03-15"), {"status": "withdrawn"})
    assert result["validity"] == "program_withdrawn"
    assert result["validity_detail"]["granted_before_withdrawal"] is None
