"""The pilot evaluation's numbers on a fixed dataset, the expected values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.pilot_stats import (
    AwardFacts,
    PilotCounts,
    award_facts,
    month_days,
    month_span,
    pilot_report,
    public_summary,
)

JAN, FEB = "2026-01", "2026-02"


def facts(month: str, kind: str, days: int, year: int, active: bool = True) -> AwardFacts:
    return AwardFacts(month=month, judged=(kind, days), year=year, active=active)


def beijing() -> PilotCounts:
    """110000: one approval in January; five pushes, one excused later, one revoked later."""
    counts = PilotCounts()
    counts.program_approved(JAN)
    counts.move(None, facts(JAN, "on_time", 0, 2025))  # award 1
    counts.move(None, facts(FEB, "late", 3, 2026))  # award 2
    late_7 = facts(FEB, "late", 7, 2026)  # award 3 ...
    counts.move(None, late_7)
    counts.move(late_7, facts(FEB, "excused", 7, 2026))  # ... excused by MOHURD
    counts.move(None, facts(FEB, "pending", 2, 2026))  # award 4, provisional calendar
    pushed = facts(FEB, "on_time", 0, 2026)  # award 6 ...
    counts.move(None, pushed)
    counts.move(pushed, facts(FEB, "on_time", 0, 2026, active=False))  # ... revoked
    return counts


def jiangsu() -> PilotCounts:
    """320000: two approvals in February; three pushes, two of them late (1 and 10 days)."""
    counts = PilotCounts()
    counts.program_approved(FEB)
    counts.program_approved(FEB)
    counts.move(None, facts(FEB, "late", 1, 2018))
    counts.move(None, facts(FEB, "late", 10, 2018))
    counts.move(None, facts(FEB, "on_time", 0, 2019))
    return counts


VERIFICATIONS = {
    date(2026, 1, 15): 3,
    date(2026, 2, 1): 2,
    date(2026, 2, 28): 5,
    date(2026, 3, 1): 9,  # after the range: not counted
}
BACKFILL_YEARS = list(range(2018, 2027))


def report() -> dict:
    per_authority = {"110000": beijing(), "320000": jiangsu(), "440000": PilotCounts()}
    # What the audit stores is JSON: the report is made from the stored form.
    stored = {a: PilotCounts.from_dict(c.to_dict()) for a, c in per_authority.items()}
    return pilot_report(stored, VERIFICATIONS, months=[JAN, FEB], backfill_years=BACKFILL_YEARS)


def row(month: str | None, approved, pushed, on_time, late, pending, share, median) -> dict:
    values = {
        "programs_approved": approved,
        "awards_pushed": pushed,
        "on_time": on_time,
        "late": late,
        "pending": pending,
        "on_time_share": share,
        "median_working_days_late": median,
    }
    return {"month": month, **values} if month else values


def test_a_province_per_month_with_excused_pending_and_revoked_awards():
    beijing_row = report()["authorities"][0]
    assert beijing_row["authority_id"] == "110000"
    assert beijing_row["months"] == [
        row(JAN, 1, 1, 1, 0, 0, 1.0, None),
        # awards 2, 3 (excused: on time), 4 (pending: not judged yet), 6 (revoked: still pushed)
        row(FEB, 0, 4, 2, 1, 1, 0.6667, 3.0),
    ]
    assert beijing_row["totals"] == row(None, 1, 5, 3, 1, 1, 0.75, 3.0)
    # active awards by awarded year: award 1 in 2025; 2, 3, 4 in 2026 (6 is revoked)
    assert beijing_row["backfill"] == {
        "2018": 0, "2019": 0, "2020": 0, "2021": 0, "2022": 0,
        "2023": 0, "2024": 0, "2025": 1, "2026": 3,
    }  # fmt: skip


def test_a_province_that_pushed_nothing_has_empty_shares_not_zero():
    guangdong = report()["authorities"][2]
    assert guangdong["months"] == [
        row(JAN, 0, 0, 0, 0, 0, None, None),
        row(FEB, 0, 0, 0, 0, 0, None, None),
    ]
    assert set(guangdong["backfill"].values()) == {0}


def test_the_national_median_is_over_all_late_pushes_not_a_median_of_medians():
    national = report()["national"]
    # February late pushes: 3 (Beijing), 1 and 10 (Jiangsu) -> median 3.0
    # (the medians 3.0 and 5.5 would give 4.25)
    assert national["months"] == [
        {**row(JAN, 1, 1, 1, 0, 0, 1.0, None), "verifications": 3},
        {**row(FEB, 2, 7, 3, 3, 1, 0.5, 3.0), "verifications": 7},
    ]
    assert national["totals"] == {**row(None, 3, 8, 4, 3, 1, 0.5714, 3.0), "verifications": 10}
    assert national["backfill"] == {
        "2018": 2, "2019": 1, "2020": 0, "2021": 0, "2022": 0,
        "2023": 0, "2024": 0, "2025": 1, "2026": 3,
    }  # fmt: skip


def test_verifications_are_days_summed_to_months_within_the_range():
    verifications = report()["verifications"]
    assert verifications["total"] == 10
    assert verifications["daily"] == [
        {"date": "2026-01-15", "count": 3},
        {"date": "2026-02-01", "count": 2},
        {"date": "2026-02-28", "count": 5},
    ]


def test_public_summary_national_totals_only():
    per_authority = {"110000": beijing(), "320000": jiangsu(), "440000": PilotCounts()}
    # active awards: 4 in Beijing, 3 in Jiangsu; two authorities pushed
    assert public_summary(per_authority, 19) == {
        "awards": 7,
        "provinces_reporting": 2,
        "verifications": 19,
    }


def test_a_correction_moving_the_awarded_year_moves_the_backfill_count():
    counts = PilotCounts()
    first = facts(FEB, "on_time", 0, 2019)
    counts.move(None, first)
    counts.move(first, facts(FEB, "on_time", 0, 2018))
    assert counts.years == {2018: 1, 2019: 0}
    assert counts.to_dict()["years"] == {"2018": 1}
    assert counts.pushes == 1


def test_award_facts_take_the_push_month_in_china_time():
    view = {
        "submitted_at": "2026-01-31T16:30:00.000000Z",  # 00:30 on 1 February in Beijing
        "awarded_on": "2026-01-05",
        "deadline": "2026-01-19",
        "timeliness": {"status": "late", "working_days_late": 9, "calendar": "official"},
        "status": "revoked",
    }
    assert award_facts(view, date(2021, 1, 1)) == AwardFacts(FEB, ("late", 9), 2026, False)


def test_month_span_defaults_to_the_twelve_months_up_to_this_one():
    months = month_span(None, None, today=date(2026, 12, 2), max_months=36)
    assert months[0] == "2026-01" and months[-1] == "2026-12" and len(months) == 12
    assert month_span("2025-12", "2026-01", today=date(2026, 12, 2), max_months=36) == [
        "2025-12",
        "2026-01",
    ]
    assert month_days(["2024-01", "2024-02"]) == (date(2024, 1, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-1", "2026-02", "from"),
        ("2026-13", "2026-12", "from"),
        ("２０２６-01", "2026-02", "from"),  # full-width digits
        ("2026-01", "2026-02-01", "to"),
        ("1999-12", "2026-02", "from"),
        ("2026-03", "2026-02", "from"),  # after to
        ("2023-01", "2026-01", "to"),  # 37 months
    ],
)
def test_month_span_refuses_bad_months_naming_the_parameter(first, last, field):
    with pytest.raises(ValidationError) as refused:
        month_span(first, last, today=date(2026, 12, 2), max_months=36)
    assert refused.value.field == field
