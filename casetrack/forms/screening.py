"""Forms for screening rounds (排查) and intensified periods."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from casetrack import clock
from casetrack.domain.screening import INTERVALS
from casetrack.forms.base import CasetrackForm, LimitedFieldList, SubForm
from casetrack.forms.cases import _optional_int
from casetrack.forms.validators import REQUIRED, NotFuture, Plausible, optional_choice


class FindingForm(SubForm):
    """One finding of a round; a blank row is ignored."""

    description = TextAreaField(_l("发现的情况"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    is_dispute = BooleanField(_l("属于矛盾纠纷,需登记调解"))
    note = StringField(_l("处理说明"), validators=[Optional(), Length(max=500)])

    def is_blank(self) -> bool:
        return not (self.description.data or "").strip()


class RoundForm(CasetrackForm):
    level = SelectField(_l("排查层级"), choices=[("village", _l("村级排查")), ("township", _l("乡级排查"))])
    village_id = SelectField(_l("行政村"), coerce=_optional_int, validators=[optional_choice()])
    held_on = DateField(_l("排查日期"), validators=[InputRequired(REQUIRED), NotFuture()], default=clock.today,
                        render_kw={"type": "date"})
    screeners = StringField(_l("排查人员"), validators=[DataRequired(REQUIRED), Length(max=200)])
    focus = StringField(_l("排查重点(节假日、敏感时期)"), validators=[Optional(), Length(max=60)])
    findings = LimitedFieldList(FormField(FindingForm), label=_l("排查发现"), min_entries=1, max_entries=30)
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])

    def validate_village_id(self, field):
        if self.level.data == "village" and not field.data:
            raise ValidationError(_l("村级排查须选择行政村"))


class FindingDisputeForm(CasetrackForm):
    village_id = SelectField(_l("所属村"), coerce=_optional_int, validators=[optional_choice()])
    dispute_type_id = SelectField(_l("纠纷类别"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    applicants = StringField(_l("申请人(多人用、分隔)"), validators=[DataRequired(REQUIRED), Length(max=200)])
    respondents = StringField(_l("被申请人(多人用、分隔)"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("简要案情"), validators=[DataRequired(REQUIRED), Length(max=5000)])


class PeriodForm(CasetrackForm):
    name = StringField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=40)],
                       render_kw={"placeholder": _l("春节、国庆、敏感时期")})
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(REQUIRED), Plausible()], render_kw={"type": "date"})
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(REQUIRED), Plausible()], render_kw={"type": "date"})
    interval = SelectField(_l("排查频次"), choices=[(key, _l(label)) for key, label in INTERVALS.items()], default="day")
    applies_to = SelectField(_l("适用"), choices=[("both", _l("村级和乡级")), ("village", _l("村级")), ("township", _l("乡级"))])

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("结束日期不能早于开始日期"))
