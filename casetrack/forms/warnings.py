"""The form acknowledging an early warning (预警): a note on what is done, and who follows it up."""

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import BAD_NUMBER, REQUIRED


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class AcknowledgeForm(CasetrackForm):
    note = TextAreaField(_l("处置意见"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    assignee_id = SelectField(_l("责任人"), coerce=_optional_int, validate_choice=False)  # checked by the service


def _count(label, low, high):
    return IntegerField(label, validators=[InputRequired(BAD_NUMBER), NumberRange(
        min=low, max=high, message=_l("应在%(min)s至%(max)s之间"))], render_kw={"inputmode": "numeric"})


class WarningSettingsForm(CasetrackForm):
    """The township's early-warning thresholds and sensitive periods (settings "warning_*", "sensitive_periods")."""

    party_disputes = _count(_l("同一当事人纠纷起数"), 2, 100)
    party_days = _count(_l("统计天数"), 7, 3650)
    petitions = _count(_l("同一信访人信访次数"), 2, 100)
    petition_months = _count(_l("统计月数"), 1, 60)
    people_yellow = _count(_l("涉及人数达到(黄色)"), 2, 10000)
    people_red = _count(_l("涉及人数达到(红色)"), 2, 100000)
    surge_ratio = DecimalField(_l("本月新增达到前几个月月均的倍数"), places=1, validators=[
        InputRequired(_l("请输入数字")), NumberRange(min=1, max=100, message=_l("应在%(min)s至%(max)s之间"))])
    surge_minimum = _count(_l("本月新增至少(起)"), 1, 1000)
    surge_months = _count(_l("比较前几个月"), 1, 24)
    sensitive_lead_days = _count(_l("敏感时期开始前几天起算"), 0, 60)
    sensitive_periods = TextAreaField(_l("敏感时期(每行一个:名称,开始日期,结束日期)"), validators=[Length(max=5000)])

    FIELDS = ("party_disputes", "party_days", "petitions", "petition_months", "people_yellow", "people_red",
              "surge_ratio", "surge_minimum", "surge_months", "sensitive_lead_days")

    def validate_people_red(self, field):
        if self.people_yellow.data and field.data is not None and field.data < self.people_yellow.data:
            raise ValidationError(_l("红色人数不能少于黄色人数"))
