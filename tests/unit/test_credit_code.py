"""Credit codes of winners: normalised, checked, and never a personal ID number."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.credit_code import (
    InvalidCreditCodeError,
    credit_code_check_char,
    is_resident_id_number,
    normalize_credit_code,
    resident_id_check_char,
    validate_credit_code,
)

TODAY = date(2026, 11, 25)


def with_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def reason_of(raw: str) -> str:
    with pytest.raises(InvalidCreditCodeError) as caught:
        validate_credit_code(raw, today=TODAY)
    return caught.value.reason


# --- valid codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # published, checked by hand below
        "91110000802100433B",  # published, checked by hand below
        with_check("91320000MA1MXXXX0"),  # enterprise, Jiangsu, MA-series organisation code
        with_check("91310115MA1K40000"),  # enterprise, Shanghai Pudong
        with_check("12100000400000000"),  # public institution (事业单位), central level
        with_check("52110000500000000"),  # social organisation (foundation), Beijing
        with_check("93330100MA2CG0000"),  # farmers' cooperative, Hangzhou
    ],
)
def test_valid_credit_code_is_accepted_unchanged(code: str) -> None:
    assert validate_credit_code(code, today=TODAY) == code


def test_published_code_91350100M000100Y43_checks_by_hand() -> None:
    # 9 1 3 5 0 1 0 0 M(21) 0 0 0 1 0 0 Y(30) 4 weighted by 3^i mod 31:
    # 9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 + 0*17 + 21*20 + 0*29 + 0*25
    # + 0*13 + 1*8 + 0*24 + 0*10 + 30*30 + 4*28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_published_code_91110000802100433B_checks_by_hand() -> None:
    # 9*1 + 1*3 + 1*9 + 1*27 + 8*20 + 2*25 + 1*13 + 4*10 + 3*30 + 3*28 = 485
    # (zero digits omitted); 485 mod 31 = 20; 31 - 20 = 11 -> "B" (A=10, B=11).
    assert credit_code_check_char("91110000802100433") == "B"


def test_check_char_zero_when_sum_is_a_multiple_of_31() -> None:
    # 31 - 0 = 31 maps to "0", not out of range.
    first17 = next(
        f"9111000000000{n:04d}"
        for n in range(10000)
        if credit_code_check_char(f"9111000000000{n:04d}") == "0"
    )
    assert validate_credit_code(first17 + "0", today=TODAY) == first17 + "0"


# --- normalisation -----------------------------------------------------------------


def test_full_width_input_is_folded_to_ascii() -> None:
    assert validate_credit_code("９１３５０１００Ｍ０００１００Ｙ４３", today=TODAY) == (
        "91350100M000100Y43"
    )


def test_lowercase_letters_are_upper_cased() -> None:
    assert validate_credit_code("91110000802100433b", today=TODAY) == "91110000802100433B"


def test_surrounding_spaces_are_trimmed() -> None:
    assert validate_credit_code("  91110000802100433B\t\n", today=TODAY) == "91110000802100433B"


def test_ideographic_space_is_trimmed() -> None:
    assert normalize_credit_code("\u300091110000802100433B\u3000") == "91110000802100433B"


def test_normalize_does_not_judge() -> None:
    assert normalize_credit_code(" abc ") == "ABC"


# --- refusals ------------------------------------------------------------------------


def test_wrong_check_character_is_refused() -> None:
    with pytest.raises(InvalidCreditCodeError, match="check character"):
        validate_credit_code("91110000802100433C", today=TODAY)


def test_swapped_digits_are_caught_by_the_check_character() -> None:
    assert reason_of("91110000802100343B") == "check_character"


@pytest.mark.parametrize("raw", ["91110000802100433", "91110000802100433B0", ""])
def test_code_that_is_not_18_characters_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCreditCodeError, match="18 characters") as caught:
        validate_credit_code(raw, today=TODAY)
    assert caught.value.reason == "length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_forbidden_letter_is_refused_and_named(letter: str) -> None:
    raw = "91110000" + letter + "02100433B"
    with pytest.raises(InvalidCreditCodeError, match=f"character 9 \\('{letter}'\\)") as caught:
        validate_credit_code(raw, today=TODAY)
    assert caught.value.reason == "character"


def test_inner_space_is_refused() -> None:
    assert reason_of("91110000 802100433") == "character"


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        validate_credit_code("nonsense", today=TODAY)


def test_non_string_is_refused() -> None:
    assert reason_of(911100008021004330) == "type"  # type: ignore[arg-type]


# --- personal ID numbers -------------------------------------------------------------------


def test_resident_id_check_char_matches_the_standard_example() -> None:
    # The example number printed in GB 11643-1999.
    assert resident_id_check_char("11010519491231002") == "X"


def test_valid_resident_id_born_1985_02_28_is_refused() -> None:
    id_number = "32010219850228123" + resident_id_check_char("32010219850228123")
    assert id_number == "320102198502281236"
    with pytest.raises(InvalidCreditCodeError, match="personal ID numbers are not accepted"):
        validate_credit_code(id_number, today=TODAY)


def test_resident_id_that_also_passes_the_credit_code_check_is_refused() -> None:
    # Born 1985-02-28; its 18th digit is right under both standards.
    id_number = "320102198502280399"
    assert resident_id_check_char(id_number[:17]) == "9"
    assert credit_code_check_char(id_number[:17]) == "9"
    assert reason_of(id_number) == "personal_id"


def test_resident_id_with_x_check_is_refused_in_lowercase_too() -> None:
    assert reason_of("11010519491231002x") == "personal_id"


def test_refusal_message_does_not_repeat_the_id_number() -> None:
    with pytest.raises(InvalidCreditCodeError) as caught:
        validate_credit_code("320102198502281236", today=TODAY)
    assert "320102198502281236" not in str(caught.value)


def test_impossible_birth_date_1985_02_30_is_judged_only_as_a_credit_code() -> None:
    # ID check digit holds, but 1985-02-30 does not exist, so it is not an ID number.
    value = "320102198502300599"
    assert resident_id_check_char(value[:17]) == "9"
    assert not is_resident_id_number(value, today=TODAY)
    assert validate_credit_code(value, today=TODAY) == value


def test_impossible_birth_date_with_wrong_credit_check_fails_as_credit_code() -> None:
    value = "320102198502301233"  # ID check digit "3" holds; credit check would be "9"
    assert reason_of(value) == "check_character"


def test_future_birth_date_is_not_treated_as_an_id_number() -> None:
    value = "320102203001010490"  # born 2030-01-01, after today
    assert resident_id_check_char(value[:17]) == "0"
    assert validate_credit_code(value, today=TODAY) == value


def test_birth_date_today_is_an_id_number_but_tomorrow_is_not() -> None:
    first17 = "32010220261125001"
    id_number = first17 + resident_id_check_char(first17)
    assert is_resident_id_number(id_number, today=date(2026, 11, 25))
    assert not is_resident_id_number(id_number, today=date(2026, 11, 24))


def test_birth_date_before_1900_is_not_treated_as_an_id_number() -> None:
    value = "320102189912310728"  # born 1899-12-31
    assert resident_id_check_char(value[:17]) == "8"
    assert validate_credit_code(value, today=TODAY) == value


# --- the check-character helper -------------------------------------------------------------


def test_check_char_helper_refuses_wrong_length() -> None:
    with pytest.raises(InvalidCreditCodeError):
        credit_code_check_char("9111000080210043")


def test_check_char_helper_refuses_forbidden_letter() -> None:
    with pytest.raises(InvalidCreditCodeError, match="'O'"):
        credit_code_check_char("9111000O802100433")
