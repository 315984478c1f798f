"""Forms for the dispute lifecycle: intake, facts, and one form per workflow action."""

import json

from flask_babel import gettext as _
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
from casetrack.domain import money
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
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
from casetrack.i18n import domain_message


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


class ReferralFields:
    """委托移送: who referred the case (诉调、警调、访调对接), the referring body and the day it was referred."""

    # No Optional(): it would stop the chain before validate_referral_origin runs; "" is among the choices.
    referral_origin = SelectField(_l("移送来源(委托移送时填写)"), choices=labelled_choices(wf.ReferralOrigin, blank=True),
                                  default="")
    referral_body = StringField(_l("移送单位"), validators=[Length(max=120)],
                                render_kw={"placeholder": _l("如:县人民法院、城关派出所")})
    referral_received_on = DateField(_l("移送日期"), validators=[Optional(), NotFuture()], render_kw={"type": "date"})

    def _is_referral(self) -> bool:
        return self.source.data == wf.Source.REFERRAL.value

    def validate_referral_origin(self, field):
        if self._is_referral() and not field.data and self._origin_required():
            raise ValidationError(_l("委托移送的案件须选择移送来源"))
        if not self._is_referral() and field.data:
            raise ValidationError(_l("只有委托移送的案件才选择移送来源"))

    def validate_referral_body(self, field):
        if self.referral_origin.data == wf.ReferralOrigin.OTHER_DEPARTMENT.value and not (field.data or "").strip():
            raise ValidationError(_l("由其他部门移送的,请填写移送单位名称"))

    def validate_referral_received_on(self, field):
        registered_on = self._referral_limit()
        if field.data and registered_on and field.data > registered_on:
            raise ValidationError(_l("移送日期不能晚于登记日期"))

    def _origin_required(self) -> bool:
        return True

    def _referral_limit(self):
        return self.registered_on.data


class IntakeForm(ReferralFields, CasetrackForm):
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

    # The view sets the case (for_case): a 委托移送 case registered before origins were recorded may keep its
    # origin unknown, and the day of referral is checked against the case's registration as corrected.
    case = None

    def for_case(self, dispute) -> "CaseEditForm":
        self.case = dispute
        return self

    def _origin_required(self) -> bool:
        return self.case is None or self.case.source != wf.Source.REFERRAL.value or self.case.referral_origin is not None

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
    ground = SelectField(_l("不予受理理由(人民调解工作若干规定第二十二条)"),
                         choices=labelled_choices(wf.NotAcceptedGround, blank=True), validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("具体理由(理由为“其他”时必填)"), validators=[Length(max=2000)])
    referred_to = StringField(_l("告知当事人向何机关申请解决"), validators=[Optional(), Length(max=120)])

    def validate_reason(self, field):
        if self.ground.data == wf.NotAcceptedGround.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("理由为“其他”的,请写明具体理由"))


class ObjectionForm(VersionedForm):
    """A party's clear refusal of 主动调解 (人民调解法 Art. 17)."""

    objected_on = _date(_l("拒绝日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    party = SelectField(_l("明确拒绝调解的当事人"), validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("拒绝调解的情况(如何表示、是否书面)"), validators=[DataRequired(REQUIRED), Length(max=2000)])


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


CHANNELS_TOLD = [(route.label, _l(route.label)) for route in wf.ReferralOut]  # stored as their labels, joined by 、


def _yuan(form, field):
    """协议涉及金额: yuan, at most two decimals, not negative."""
    try:
        field.fen = money.parse_yuan(field.data)
    except DomainError as error:
        raise ValidationError(domain_message(error)) from None


OUTCOME_FIELDS_ATTRIBUTE = json.dumps({outcome.value: list(fields.allowed) for outcome, fields in wf.OUTCOME_FIELDS.items()})
"""wf.OUTCOME_FIELDS as the outcome select's data-outcome-fields: app.js shows only the chosen outcome's fields."""

_MISSING_FOR_OUTCOME = {
    "agreement_form": _l("调解成功须选择协议形式"),
    "agreement_terms": _l("调解成功须填写协议内容"),
    "channels_told": _l("调解不成须记录已告知当事人的救济途径"),
    "end_reason": _l("终止调解须选择原因"),
}
_NOT_FOR_OUTCOME = {
    "agreement_form": _l("只有调解成功才有调解协议"),
    "agreement_amount": _l("只有调解成功才填写协议涉及金额"),
}


def outcome_field(form, field):
    """A field of wf.OUTCOME_FIELDS: required when the chosen outcome asks for it, refused when it is another's.

    A field still at its default (3 copies) was not filled in.
    """
    try:
        outcome = wf.Outcome(form.outcome.data)
    except ValueError:
        return  # the outcome select says what is wrong
    given = [field.name] if wf.is_filled(field.data) and field.data != field.default else []
    if field.name in wf.missing_outcome_fields(outcome, given):
        raise ValidationError(_MISSING_FOR_OUTCOME.get(field.name, REQUIRED))
    if field.name in wf.misplaced_outcome_fields(outcome, given):
        owner = wf.outcome_of_field(field.name)
        raise ValidationError(_NOT_FOR_OUTCOME.get(field.name) or _("只有%(outcome)s的案件才填写此项", outcome=_(owner.label)))


class ConcludeForm(VersionedForm):
    outcome = SelectField(_l("调解结果"), choices=labelled_choices(wf.Outcome), validators=[InputRequired(REQUIRED)],
                          render_kw={"data-outcome-fields": OUTCOME_FIELDS_ATTRIBUTE})
    closed_on = _date(_l("结案日期"), more=[NotBefore("registered_on", _l("登记日期"))])
    # default "": app.js disables (so the browser does not send) the fields of the outcomes not chosen; a select
    # left out keeps its blank choice, which is valid, instead of None, which is not
    agreement_form = SelectField(_l("协议形式"), choices=labelled_choices(wf.AgreementForm, blank=True),
                                 validators=[outcome_field], default="")
    agreement_facts = TextAreaField(_l("纠纷事实、争议事项及各方责任"),
                                    validators=[outcome_field, Optional(), Length(max=10000)])
    agreement_terms = TextAreaField(_l("协议内容"), validators=[outcome_field, Length(max=10000)])
    performance_manner = TextAreaField(_l("履行方式、地点"), validators=[outcome_field, Optional(), Length(max=2000)])
    performance_deadline = DateField(_l("履行期限"), validators=[outcome_field, Optional(), Plausible()],
                                     render_kw={"type": "date"})
    agreement_copies = IntegerField(_l("协议份数"), validators=[outcome_field, Optional(), NumberRange(min=1, max=20)],
                                    default=3)
    agreement_amount = StringField(_l("协议涉及金额(元,可不填)"), validators=[_yuan, outcome_field],
                                   render_kw={"inputmode": "decimal", "placeholder": "0.00", "autocomplete": "off"})
    channels_told = SelectMultipleField(_l("调解不成后的去向(已告知或引导的途径)"), choices=CHANNELS_TOLD,
                                        validators=[outcome_field])
    legal_aid_referred = BooleanField(_l("已引导申请法律援助"), validators=[outcome_field])
    end_reason = SelectField(_l("终止原因"), choices=labelled_choices(wf.EndReason, blank=True), validators=[outcome_field],
                             default="")
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])

    def validate_performance_deadline(self, field):
        if field.data and self.closed_on.data and field.data < self.closed_on.data:
            raise ValidationError(_l("履行期限不能早于结案日期"))


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
