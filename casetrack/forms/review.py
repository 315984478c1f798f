"""Forms of the township's review of a case: send back, corrected, merge, and a major dispute's responsibility,
supervision (督办) and prevented escalations."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casetrack.forms.cases import VersionedForm
from casetrack.forms.validators import BAD_NUMBER, REQUIRED


class SendBackForm(VersionedForm):
    note = TextAreaField(_l("需要补正的内容"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class CorrectedForm(VersionedForm):
    note = TextAreaField(_l("补正说明"), validators=[Optional(), Length(max=2000)])


class MergeForm(VersionedForm):
    original = StringField(_l("原案件编号"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           render_kw={"placeholder": "(2026)斜调字第12号"})


class ResponsibilityForm(VersionedForm):
    unit = StringField(_l("责任单位"), validators=[DataRequired(REQUIRED), Length(max=120)])
    leader = StringField(_l("责任领导"), validators=[DataRequired(REQUIRED), Length(max=60)])
    person = StringField(_l("责任人员"), validators=[DataRequired(REQUIRED), Length(max=60)])


class SuperviseForm(VersionedForm):
    note = TextAreaField(_l("督办意见"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    due_on = DateField(_l("督办期限"), validators=[InputRequired(REQUIRED)], render_kw={"type": "date"})


class PreventionForm(VersionedForm):
    criminal_persons = IntegerField(_l("防止民转刑涉及人数(没有填0)"), default=0, validators=[
        InputRequired(BAD_NUMBER), NumberRange(min=0, max=100000, message=_l("人数不能为负数"))],
        render_kw={"inputmode": "numeric"})
    group_persons = IntegerField(_l("防止群体性上访涉及人数(没有填0)"), default=0, validators=[
        InputRequired(BAD_NUMBER), NumberRange(min=0, max=100000, message=_l("人数不能为负数"))],
        render_kw={"inputmode": "numeric"})
