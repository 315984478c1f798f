"""Forms for the dispute lifecycle: intake, facts, and one form per workflow action."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.forms.base import CasetrackForm, LimitedFieldList, SubForm, labelled_choices
from casetrack.forms.validators import (
    BAD_NUMBER,
    REQUIRED,
    IdNumber,
    NotBefore,
    NotFuture,
    Phone,
    Plausible,
    optional_choice,
)


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _date(label, **extra):
    return DateField(label, validators=[InputRequired(REQUIRED), NotFuture(), *extra.pop("more", [])],
                     default=clock.today, render_kw={"type": "date"}, **extra)


class PartyForm(SubForm):
    """One party's row; a row left blank is ignored."""

    # No Optional() here or on the outcome fields below: it would stop the chain before validate_<field> runs.
    name = StringField(_l("姓名"), validators=[Length(max=60)], render_kw={"autocomplete": "off"})
    gender = SelectField(_l("性别"), choices=labelled_choices(wf.Gender, blank=True), validators=[optional_choice()])
    id_number = StringField(
        _l("身份证号码"), validators=[Optional(), IdNumber()],
        render_kw={"inputmode": "text", "maxlength": 18, "autocomplete": "off", "autocapitalize": "characters",
                   "pattern": "[0-9]{17}[0-9Xx]"},  # not numeric: that keypad may lack the X of a check digit
    )
    phone = StringField(
        _l("联系电话"), validators=[Optional(), Phone()],
        render_kw={"inputmode": "numeric", "maxlength": 11, "autocomplete": "off", "type": "tel"},
    )
    address = StringField(_l("住址"), validators=[Optional(), Length(max=200)])

    def is_blank(self) -> bool:
        return not any((self.name.data or "").strip() or (f.data or "").strip()
                       for f in (self.id_number, self.phone, self.address))

    def validate_name(self, field):
        if not (field.data or "").strip() and not self.is_blank():
            raise ValidationError(_l("请填写当事人姓名"))


class VersionedForm(CasetrackForm):
    """A form that carries the case version it was opened at, to refuse stale saves."""

    version = HiddenField()

    @property
    def expected_version(self) -> int | None:
        return _optional_int(self.version.data)


class IntakeForm(CasetrackForm):
    village_id = SelectField(_l("所属村"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    natural_village_id = SelectField(_l("自然村"), coerce=_optional_int, validators=[optional_choice()])
    dispute_type_id = SelectField(_l("纠纷类别"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    source = SelectField(_l("案件来源"), choices=labelled_choices(wf.Source), validators=[InputRequired(REQUIRED)])
    channel = SelectField(_l("调解方式"), choices=labelled_choices(wf.Channel), default=wf.Channel.PEOPLES.value)
    registered_on = _date(_l("登记日期"))
    applicants = LimitedFieldList(FormField(PartyForm), label=_l("申请人"), min_entries=1, max_entries=20)
    respondents = LimitedFieldList(FormField(PartyForm), label=_l("被申请人"), min_entries=1, max_entries=20)
    people_involved = IntegerField(
        _l("涉及人数"), default=2, validators=[InputRequired(BAD_NUMBER), NumberRange(min=1, max=100000, message=_l("人数至少为1"))],
        render_kw={"inputmode": "numeric", "min": 1},
    )
    summary = TextAreaField(_l("简要案情"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    risk_level = SelectField(_l("风险等级"), choices=labelled_choices(wf.RiskLevel), default=wf.RiskLevel.GENERAL.value)
    police_reported = BooleanField(_l("可能转化为治安、刑事案件,已报告公安机关"))
    group_dispute = BooleanField(_l("群体性纠纷"))

    def validate_applicants(self, field):
        if all(entry.form.is_blank() for entry in field.entries):
            raise ValidationError(_l("至少填写一名申请人"))


class EditPartyForm(PartyForm):
    """A party row of the correction form: the party it corrects, and whether to remove it."""

    party_id = HiddenField()
    remove = BooleanField(_l("删除此人"))

    def is_blank(self) -> bool:
        return bool(self.remove.data) or super().is_blank()

    def validate_name(self, field):
        if self.remove.data:
            return
        if not (field.data or "").strip() and (self.party_id.data or not self.is_blank()):
            raise ValidationError(_l("请填写当事人姓名;如需删除此人,请勾选“删除此人”"))


class CaseEditForm(IntakeForm, VersionedForm):
    """Correct every registered fact, parties included: the intake form and its checks, plus the version."""

    applicants = LimitedFieldList(FormField(EditPartyForm), label=_l("申请人"), min_entries=1, max_entries=20)
    respondents = LimitedFieldList(FormField(EditPartyForm), label=_l("被申请人"), min_entries=1, max_entries=20)
    correction_note = TextAreaField(_l("补正说明"), validators=[Optional(), Length(max=2000)])

    @property
    def parties_sent(self) -> bool:
        """Whether the post held party rows: a form that sends none leaves the parties as they are."""
        return bool(self.applicants.sent or self.respondents.sent)

    def validate_applicants(self, field):
        if self.parties_sent:
            super().validate_applicants(field)


class FactsForm(VersionedForm):
    """Correct the registered facts of a case."""

    natural_village_id = SelectField(_l("自然村"), coerce=_optional_int, validators=[optional_choice()])
    dispute_type_id = SelectField(_l("纠纷类别"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    channel = SelectField(_l("调解方式"), choices=labelled_choices(wf.Channel))
    people_involved = IntegerField(
        _l("涉及人数"), validators=[InputRequired(BAD_NUMBER), NumberRange(min=1, max=100000, message=_l("人数至少为1"))]
    )
    summary = TextAreaField(_l("简要案情"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    risk_level = SelectField(_l("风险等级"), choices=labelled_choices(wf.RiskLevel))
    police_reported = BooleanField(_l("可能转化为治安、刑事案件,已报告公安机关"))
    group_dispute = BooleanField(_l("群体性纠纷"))


class AcceptForm(VersionedForm):
    accepted_on = _date(_l("受理日期"), more=[NotBefore("registered_on", _l("登记日期"))])


class NotAcceptForm(VersionedForm):
    decided_on = _date(_l("决定日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    reason = TextAreaField(_l("不予受理理由"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    referred_to = StringField(_l("告知当事人向何机关申请解决"), validators=[Optional(), Length(max=120)])


class AssignForm(VersionedForm):
    mediator_ids = SelectMultipleField(_l("调解员"), coerce=int, validators=[DataRequired(_l("请至少选择一名调解员"))])


class InvestigationForm(VersionedForm):
    noted_on = _date(_l("调查日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    place = StringField(_l("调查地点"), validators=[Optional(), Length(max=120)])
    subject = StringField(_l("被调查人"), validators=[Optional(), Length(max=120)])
    content = TextAreaField(_l("调查内容"), validators=[DataRequired(REQUIRED), Length(max=10000)])


class SessionForm(VersionedForm):
    held_on = _date(_l("调解日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    place = StringField(_l("调解地点"), validators=[DataRequired(REQUIRED), Length(max=120)])
    mediators = StringField(_l("调解人员"), validators=[DataRequired(REQUIRED), Length(max=200)])
    attendees = StringField(_l("参加人员"), validators=[DataRequired(REQUIRED), Length(max=300)])
    notes = TextAreaField(_l("调解情况"), validators=[DataRequired(REQUIRED), Length(max=10000)])


class ContinuationForm(VersionedForm):
    agreed_on = _date(_l("约定日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    until = DateField(_l("约定调解至(新的调解期限)"), validators=[InputRequired(REQUIRED)], render_kw={"type": "date"})
    note = TextAreaField(_l("双方同意延续调解的情况"), validators=[DataRequired(REQUIRED), Length(max=2000)])


CHANNELS_TOLD = [("仲裁", "仲裁"), ("行政", "行政"), ("诉讼", "诉讼")]


class ConcludeForm(VersionedForm):
    outcome = SelectField(_l("调解结果"), choices=labelled_choices(wf.Outcome), validators=[InputRequired(REQUIRED)])
    closed_on = _date(_l("结案日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    agreement_form = SelectField(_l("协议形式"), choices=labelled_choices(wf.AgreementForm, blank=True))
    agreement_facts = TextAreaField(_l("纠纷事实、争议事项及各方责任"), validators=[Optional(), Length(max=10000)])
    agreement_terms = TextAreaField(_l("协议内容"), validators=[Length(max=10000)])
    performance_manner = TextAreaField(_l("履行方式、地点"), validators=[Optional(), Length(max=2000)])
    performance_deadline = DateField(_l("履行期限"), validators=[Optional(), Plausible()], render_kw={"type": "date"})
    agreement_copies = IntegerField(_l("协议份数"), validators=[Optional(), NumberRange(min=1, max=20)], default=3)
    channels_told = SelectMultipleField(_l("已告知的救济途径"), choices=CHANNELS_TOLD)
    legal_aid_referred = BooleanField(_l("已引导申请法律援助"))
    end_reason = SelectField(_l("终止原因"), choices=labelled_choices(wf.EndReason, blank=True))
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])

    def validate_agreement_form(self, field):
        if self.outcome.data == wf.Outcome.SUCCEEDED.value and not field.data:
            raise ValidationError(_l("调解成功须选择协议形式"))
        if self.outcome.data != wf.Outcome.SUCCEEDED.value and field.data:
            raise ValidationError(_l("只有调解成功才有调解协议"))

    def validate_agreement_terms(self, field):
        if self.outcome.data == wf.Outcome.SUCCEEDED.value and not (field.data or "").strip():
            raise ValidationError(_l("调解成功须填写协议内容"))

    def validate_performance_deadline(self, field):
        if field.data and self.closed_on.data and field.data < self.closed_on.data:
            raise ValidationError(_l("履行期限不能早于结案日期"))

    def validate_channels_told(self, field):
        if self.outcome.data == wf.Outcome.FAILED.value and not field.data:
            raise ValidationError(_l("调解不成须记录已告知当事人的救济途径"))

    def validate_end_reason(self, field):
        if self.outcome.data == wf.Outcome.ENDED.value and not field.data:
            raise ValidationError(_l("终止调解须选择原因"))


class ReturnVisitForm(VersionedForm):
    visited_on = _date(_l("回访日期"), more=[NotBefore("closed_on", _l("结案日期"))])
    performance = SelectField(_l("履行情况"), choices=labelled_choices(wf.Performance), validators=[InputRequired(REQUIRED)])
    satisfaction = SelectField(_l("当事人满意度"), choices=labelled_choices(wf.Satisfaction, blank=True), validators=[optional_choice()])
    residual_risk = TextAreaField(_l("遗留风险"), validators=[Optional(), Length(max=2000)])
    notes = TextAreaField(_l("回访情况"), validators=[Optional(), Length(max=5000)])


class ArchiveForm(VersionedForm):
    archived_on = _date(_l("归档日期"), more=[NotBefore("registered_on", _l("登记日期"))])


class EscalateForm(VersionedForm):
    reason = TextAreaField(_l("上报理由"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class JudicialConfirmationForm(VersionedForm):
    applied_on = _date(_l("申请日期"), more=[NotBefore("closed_on", _l("协议达成日期"))])
    court = StringField(_l("人民法院"), validators=[DataRequired(REQUIRED), Length(max=120)])
    effective_on = DateField(_l("协议生效日期(留空则为协议达成日期;申请期限自此起算)"),
                             validators=[Optional(), NotFuture()], render_kw={"type": "date"})
    late_note = TextAreaField(_l("逾期说明(超过申请期限时必填,申请照常登记)"), validators=[Optional(), Length(max=2000)])


class CourtResultForm(VersionedForm):
    result = SelectField(_l("司法确认结果"), choices=labelled_choices(wf.CourtResult),
                         validators=[InputRequired(REQUIRED)])
    decided_on = _date(_l("裁定日期"))
