"""The data-quality rules, pure (no AWS): normalisation, keys, each rule and its near miss."""

from __future__ import annotations

from chalicelib.domain import quality_rules as rules
from chalicelib.domain.quality_rules import Facts

CODE_BJ = "91110000000000101X"  # digits 3-8: 110000, registered in Beijing
CODE_JS = "91320000000000101X"  # registered in Jiangsu


def facts(award_id="a1", **overrides) -> Facts:
    base = {
        "award_id": award_id,
        "authority_id": "110000",
        "source_id": f"S-{award_id}",
        "program_id": "prg_1",
        "year": 2024,
        "awarded_on": "2024-06-15",
        "project_name": "幸福家园(一期)",
        "winners": ((CODE_BJ, "北京甲建设有限公司"),),
        "announcement_number": None,
        "location_code": None,
    }
    base.update(overrides)
    return Facts(**base)


def test_project_names_fold_width_brackets_spaces_and_trailing_punctuation_only():
    assert rules.project_key("幸福家园（一期） 。") == rules.project_key("幸福家园(一期)")
    assert rules.project_key("ＡＢＣ大厦.") == "ABC大厦"
    assert rules.enterprise_key("甲有限公司") != rules.enterprise_key("甲有限责任公司")


def test_two_source_ids_for_one_project_of_one_winner_are_a_duplicate():
    (found,) = rules.duplicate_group("DU#g", [facts("a1"), facts("a2")])
    assert found.rule == "duplicate_award" and found.severity == "error"
    assert [r["award_id"] for r in found.records] == ["a1", "a2"]


def test_same_project_without_a_shared_winner_is_no_duplicate():
    other = facts("a2", winners=(("91110000000000202Y", "北京乙有限公司"),))
    assert rules.duplicate_group("DU#g", [facts("a1"), other]) == []


def test_the_same_project_name_in_two_years_has_two_different_keys():
    keys_2023 = {k for k, _ in rules.index_keys(facts("a1", year=2023))}
    keys_2024 = {k for k, _ in rules.index_keys(facts("a2", year=2024))}
    assert not {k for k in keys_2023 & keys_2024 if k.startswith(("DU#", "XP#"))}


def test_two_authorities_pushing_one_project_and_winner_is_a_cross_province_duplicate():
    found = rules.cross_group(
        f"XP#2024#{CODE_BJ}#X", [facts("a1"), facts("a2", authority_id="320000")]
    )
    assert [f.authority_id for f in found] == ["110000", "320000"]
    assert rules.cross_group(f"XP#2024#{CODE_BJ}#X", [facts("a1"), facts("a2")]) == []


def test_a_typo_and_a_renamed_company_are_both_reported_with_their_similarity():
    typo = rules.drift_group(
        f"CN#{CODE_BJ}",
        CODE_BJ,
        [
            facts("a1", winners=((CODE_BJ, "北京华信建筑工程有限公司"),)),
            facts("a2", winners=((CODE_BJ, "北京华信建筑工程有限公同"),)),
        ],
    )
    renamed = rules.drift_group(
        f"CN#{CODE_BJ}",
        CODE_BJ,
        [
            facts("a1", winners=((CODE_BJ, "北京远东建设集团有限公司"),)),
            facts("a2", winners=((CODE_BJ, "北京中建远景控股有限公司"),)),
        ],
    )
    assert typo[0].detail["pairs"][0]["kind"] == "typo"
    assert typo[0].detail["pairs"][0]["similarity"] >= rules.TYPO_SIMILARITY
    assert renamed[0].detail["pairs"][0]["kind"] == "renamed"


def test_names_differing_only_by_width_and_spaces_are_no_drift():
    variants = [
        facts("a1", winners=((CODE_BJ, "北京（东方）建设有限公司"),)),
        facts("a2", winners=((CODE_BJ, "北京(东方)建设 有限公司"),)),
    ]
    assert rules.drift_group(f"CN#{CODE_BJ}", CODE_BJ, variants) == []


def test_an_award_dated_before_approval_is_an_error_on_the_day_is_not():
    early = rules.award_group("AW#a1", facts(awarded_on="2019-02-28"), approved_on="2019-03-01")
    assert [f.rule for f in early] == ["before_approval"]
    assert (
        rules.award_group("AW#a1", facts(awarded_on="2019-03-01"), approved_on="2019-03-01") == []
    )


def test_a_zero_report_covering_the_award_date_is_a_cycle_mismatch():
    zero = [{"id": "z1", "period_from": "2025-01-01", "period_to": "2025-06-30"}]
    inside = rules.award_group(
        "AW#a1", facts(awarded_on="2025-06-30"), approved_on=None, zero_reports=zero
    )
    after = rules.award_group(
        "AW#a1", facts(awarded_on="2025-07-01"), approved_on=None, zero_reports=zero
    )
    assert [f.detail["kind"] for f in inside] == ["zero_report"] and after == []


def test_a_biennial_programme_in_consecutive_years_not_in_alternate_ones():
    program = {"authority_id": "110000", "cycle": "biennial"}
    consecutive = rules.biennial_pair(
        "PP#p#2022", program, 2022, [facts("a1", year=2022)], [facts("a2", year=2023)]
    )
    assert [f.rule for f in consecutive] == ["cycle_mismatch"]
    assert rules.biennial_pair("PP#p#2022", program, 2022, [facts("a1", year=2022)], []) == []
    annual = {"authority_id": "110000", "cycle": "annual"}
    assert rules.biennial_pair("PP#p#2022", annual, 2022, [facts("a1")], [facts("a2")]) == []


def test_one_announcement_on_two_programmes_is_reused_on_one_programme_is_not():
    two = [facts("a1", announcement_number="京建〔2024〕1号"), facts("a2", program_id="prg_2")]
    assert [f.rule for f in rules.announcement_group("AN#x", two)] == ["announcement_reused"]
    assert rules.announcement_group("AN#x", [facts("a1"), facts("a2")]) == []


def test_registration_is_read_from_digits_three_to_eight_of_the_credit_code():
    assert rules.registered_elsewhere(facts(winners=((CODE_BJ, "甲"),))) == []
    assert rules.registered_elsewhere(facts(winners=((CODE_JS, "甲"),))) == [CODE_JS]
    in_jiangsu = facts(winners=((CODE_JS, "甲"),), location_code="320102")
    assert rules.registered_elsewhere(in_jiangsu) == []
    assert rules.elsewhere_count("RE#110000", "110000", 0) == []


def test_a_revoked_award_is_in_no_group_and_trips_nothing():
    revoked = facts(active=False)
    assert rules.index_keys(revoked) == []
    assert rules.award_group("AW#a1", revoked, approved_on="2099-01-01") == []


def test_answers_move_a_finding_only_where_the_states_allow():
    assert rules.after_action("open", "corrected") == "corrected"
    assert rules.after_action("open", "explained") == "explained"
    assert rules.after_action("explained", "accept") == "accepted"
    assert rules.after_action("open", "accept") is None
    assert rules.after_action("closed", "corrected") is None
    assert rules.after_action("accepted", "reopen") == "open"
    assert not rules.explanation_ok("太短了")
    assert rules.explanation_ok("两个奖项由同一公告联合发布。")


def test_finding_ids_are_stable_and_differ_per_authority():
    assert rules.finding_id("r", "g", "110000") == rules.finding_id("r", "g", "110000")
    assert rules.finding_id("r", "g", "110000") != rules.finding_id("r", "g", "320000")
