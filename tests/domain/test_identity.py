"""Personal identifiers: the GB 11643 check digit, mobile numbers, and masking for display."""

import pytest

from casetrack.domain.identity import (
    id_check_digit,
    id_number_problem,
    is_valid_id_number,
    is_valid_phone,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)

# Published examples: GB 11643-1999 itself (X as check character) and common test numbers.
VALID_IDS = ["11010519491231002X", "440524188001010014", "110101199003074477", "11010119900307803X"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_pass_the_check_digit(number):
    assert id_number_problem(number) is None
    assert is_valid_id_number(number)


def test_check_digit_maps_remainder_ten_to_x():
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


def test_lower_case_x_and_spaces_are_normalised():
    assert normalise_id_number(" 110105 19491231002x ") == "11010519491231002X"
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize("last", [c for c in "0123456789X" if c != "4"])
def test_wrong_check_character_is_refused_with_its_reason(last):
    assert id_number_problem("44052418800101001" + last) == "身份证号码校验位不正确,请核对"


def test_a_single_mistyped_digit_is_caught():
    assert id_number_problem("440524188001020014") == "身份证号码校验位不正确,请核对"


@pytest.mark.parametrize("number", [
    "44052418800101001",      # 17 characters
    "4405241880010100144",    # 19 characters
    "4405241880010X0014",     # X not at the end
    "44052418800101001Y",     # a letter other than X
    "",
])
def test_id_number_of_the_wrong_shape_is_refused(number):
    assert id_number_problem(number) == "身份证号码应为18位,前17位为数字,最后一位为数字或X"


@pytest.mark.parametrize(("check", "value"), [
    (is_valid_id_number, "１１０１０５１９４９１２３１００２Ｘ"),
    (is_valid_phone, "13８１２３４５６７８"),
], ids=["id-number", "phone"])
def test_full_width_digits_typed_with_a_chinese_ime_are_read_as_half_width(check, value):
    assert check(value)


def test_normalised_numbers_are_stored_half_width():
    assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalise_phone("１３８ １２３４ ５６７８") == "13812345678"


def test_other_unicode_digits_are_refused():
    assert not is_valid_phone("13٨12345678")  # Arabic-Indic digit


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "15000000000", " 13812345678 "])
def test_mainland_mobile_numbers_are_accepted(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", [
    "12812345678",   # second digit must be 3-9
    "23812345678",   # must start with 1
    "1381234567",    # 10 digits
    "138123456789",  # 12 digits
    "138-1234-5678",
    "0931-8123456",  # a landline
    "",
])
def test_other_phone_numbers_are_refused(phone):
    assert not is_valid_phone(phone)


def test_id_number_is_masked_to_first_four_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("620123199001011234") == "6201**********1234"


def test_phone_is_masked_to_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone])
@pytest.mark.parametrize("empty", [None, ""])
def test_masking_nothing_shows_nothing(mask, empty):
    assert mask(empty) == ""


def test_short_values_are_masked_entirely():
    assert mask_id_number("12345678") == "********"
    assert mask_phone("1234567") == "*******"


def test_masked_id_hides_birth_date_and_sequence():
    masked = mask_id_number("11010519491231002X")
    assert "19491231" not in masked
    assert len(masked) == 18
