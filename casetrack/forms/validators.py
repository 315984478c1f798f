"""Field validators with messages in Chinese, shown beside the field."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from casetrack import clock
from casetrack.domain.identity import id_number_problem, is_valid_phone


class NotFuture:
    """A date may not be after today (Beijing time)."""

    def __call__(self, form, field):
        if field.data and field.data > clock.today():
            raise ValidationError(_l("日期不能晚于今天"))


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
    """An 18-character ID number with a valid GB 11643 check digit."""

    def __call__(self, form, field):
        if field.data:
            problem = id_number_problem(field.data)
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
