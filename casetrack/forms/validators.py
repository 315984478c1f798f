"""Field validators with messages in Chinese, shown beside the field."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, ValidationError

from casetrack import clock
from casetrack.domain.identity import id_number_problem, is_valid_phone

EARLIEST = date(1949, 1, 1)  # no case, petition or round recorded here happened before
YEARS_AHEAD = 10  # a deadline or a planned period further ahead is a typing mistake (2204 for 2024)


class NotFuture:
    """A date of something that happened: not after today (Beijing time), nor before 1949-01-01."""

    def __call__(self, form, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("日期不能晚于今天"))
        if field.data and field.data < EARLIEST:
            raise ValidationError(_l("日期不能早于1949年1月1日"))


class Plausible:
    """A date that may lie ahead (a deadline, a planned period): from 1949-01-01 to ten years from today."""

    def __call__(self, form, field):
        if field.data and field.data < EARLIEST:
            raise ValidationError(_l("日期不能早于1949年1月1日"))
        today = clock.today()
        if field.data and field.data > today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28)):
            raise ValidationError(_("日期不能晚于%(years)s年之后", years=YEARS_AHEAD))


class NotBefore:
    """A date may not be before another field's date, or before a fixed date given by the form."""

    def __init__(self, other: str, label: str):
        self.other, self.label = other, label

    def __call__(self, form, field):
        other = getattr(form, self.other, None)
        earliest = other.data if other is not None else getattr(form, f"_{self.other}", None)
        if field.data and earliest and field.data < earliest:
            raise ValidationError(_("不能早于%(label)s(%(date)s)", label=self.label, date=earliest.isoformat()))


class IdNumber:
    """An 18-character ID number with a valid GB 11643 check digit and a real birth date, not after today."""

    def __call__(self, form, field):
        if field.data:
            problem = id_number_problem(field.data, clock.today())
            if problem:
                raise ValidationError(_(problem))  # the domain's Chinese text, in the user's language


class Phone:
    """An 11-digit mobile number."""

    def __call__(self, form, field):
        if field.data and not is_valid_phone(field.data):
            raise ValidationError(_l("手机号码应为11位数字,以13-19开头"))


REQUIRED = _l("此项为必填项")
BAD_DATE = _l("请输入有效日期(如 2024-03-01)")
BAD_NUMBER = _l("请输入整数")


def optional_choice():
    """Optional() for a select: an empty choice skips the rest, but a blank one (" ") stays "not a valid choice".

    WTForms' Optional() strips whitespace, so a posted " " would pass as empty and clear the choice's own error,
    reaching the service as a gender or satisfaction that does not exist (a 500, found by tests/security/test_fuzz.py).
    """
    return Optional(strip_whitespace=False)
