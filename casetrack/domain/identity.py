"""Personal identifiers: ID-number check digit (GB 11643), mobile phone pattern, and masking."""

import re
from datetime import date

from casetrack.domain.errors import N_, DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")
EARLIEST_BIRTH = date(1800, 1, 1)  # GB 11643 itself gives an example born in 1880; years such as 0101 are typos
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XxX")


_SEPARATOR = r"[\s\u3000+\-–—_.·/\\()()．／－＿＋、]{0,3}"  # what people type between groups of digits
_DOTTED_QUAD = r"\d{1,3}(?:\.\d{1,3}){3}(?!\.?\d)"  # an IPv4 address (access logs start with one): not a phone
PERSONAL_NUMBER = re.compile(
    r"\d(?:[ \u3000+\-–]?\d){9,}[XxＸｘ]?"  # ten digits or more, in groups split by a space or a dash
    rf"|(?<!\d)(?!{_DOTTED_QUAD})[1１]{_SEPARATOR}[3-9３-９](?:{_SEPARATOR}\d){{9}}(?!{_SEPARATOR}\d)"  # a mobile
    rf"|(?<!\d)\d(?:{_SEPARATOR}\d){{16}}{_SEPARATOR}[\dXxＸｘ](?!{_SEPARATOR}\d)"  # an ID number
)
"""An ID number or a mobile phone (or anything shaped like one: ten digits or more) anywhere in a text, in
half- or full-width digits, also when typed in groups (138 1234 5678, 138-1234-5678) or with a check X; a
mobile or an ID number is found whatever separates its groups (138.1234.5678, 138/1234/5678, (138)1234_5678)."""


def normalise_id_number(value: str) -> str:
    """Strip spaces, turn full-width digits (as a Chinese IME types them) half-width, upper-case a trailing x."""
    return value.strip().replace(" ", "").replace("\u3000", "").translate(_FULL_WIDTH).upper()


def normalise_phone(value: str) -> str:
    """Strip spaces and turn full-width digits half-width."""
    return value.strip().replace(" ", "").replace("\u3000", "").translate(_FULL_WIDTH)


_BETWEEN_DIGITS = re.compile(r"[\s\u3000+\-–—_.·/\\()()．／－＿＋、]")


def phone_digits(term: str) -> str | None:
    """Return a search term's digits when it is 4 to 11 digits (a phone, or its last digits, typed with any
    separators or full-width), else None."""
    digits = _BETWEEN_DIGITS.sub("", term.translate(_FULL_WIDTH))
    return digits if digits.isascii() and digits.isdigit() and 4 <= len(digits) <= 11 else None


def id_check_digit(first17: str) -> str:
    """Compute the GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def birth_date(number: str) -> date | None:
    """Return the birth date an 18-character ID number holds (characters 7 to 14), None when no such day exists."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_problem(value: str, today: date | None = None) -> str | None:
    """Return why an 18-character ID number is invalid, in Chinese, or None when it is valid.

    Besides the shape and the check digit, its birth date must be a real day (110105194913990020, month 13,
    has a right check digit), not before 1800 and, when today is given, not after it.
    """
    number = normalise_id_number(value)
    if not _ID_SHAPE.match(number):
        return N_("身份证号码应为18位,前17位为数字,最后一位为数字或X")
    if id_check_digit(number[:17]) != number[17]:
        return N_("身份证号码校验位不正确,请核对")
    born = birth_date(number)
    if born is None:
        return N_("身份证号码中的出生日期(第7至14位)不存在,请核对")
    if born < EARLIEST_BIRTH or (today is not None and born > today):
        return N_("身份证号码中的出生日期(第7至14位)不在合理范围内,请核对")
    return None


def is_valid_id_number(value: str, today: date | None = None) -> bool:
    """Tell whether an ID number has the right shape, check digit and birth date."""
    return id_number_problem(value, today) is None


def is_valid_phone(value: str) -> bool:
    """Tell whether a value is an 11-digit mainland mobile number."""
    return bool(_PHONE_SHAPE.match(normalise_phone(value)))


def check_person(name: str, id_number: str | None, phone: str | None, role: str, today: date | None = None) -> None:
    """Refuse a person (a party, a petitioner: `role` names which) without a name or with a bad ID or phone."""
    if not name.strip():
        raise DomainError("%(role)s姓名不能为空。", role=role)
    problem = id_number_problem(id_number, today) if id_number else None
    if problem:
        raise DomainError("%(name)s:%(problem)s", name=name, problem=problem)
    if phone and not is_valid_phone(phone):
        raise DomainError("%(name)s:手机号码应为11位,以13-19开头", name=name)


def mask_id_number(value: str | None) -> str:
    """Show the first 4 and last 4 characters of an ID number: 6201**********123X."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Show the first 3 and last 4 digits of a phone number: 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
