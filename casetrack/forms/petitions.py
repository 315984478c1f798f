"""Forms for petitions (信访): intake and one form per workflow step."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.forms.base import CasetrackForm, LimitedFieldList, SubForm, labelled_choices
from casetrack.forms.cases import VersionedForm, _optional_int
from casetrack.forms.validators import (
    BAD_NUMBER,
    REQUIRED,
    IdNumber,
    NotFuture,
    Phone,
    Plausible,
    optional_choice,
)


def _date(label):
    return DateField(label, validators=[InputRequired(REQUIRED), NotFuture()], default=clock.today,
                     render_kw={"type": "date"})


class PetitionerForm(SubForm):
    """One petitioner's row; a blank row is ignored."""

    name = StringField(_l("姓名"), validators=[Optional(), Length(max=60)], render_kw={"autocomplete": "off"})
    id_number = StringField(_l("身份证号码"), validators=[Optional(), IdNumber()],
                            render_kw={"inputmode": "numeric", "maxlength": 18, "autocomplete": "off"})
    phone = StringField(_l("联系电话"), validators=[Optional(), Phone()],
                        render_kw={"inputmode": "numeric", "maxlength": 11, "type": "tel", "autocomplete": "off"})
    address = StringField(_l("住址"), validators=[Optional(), Length(max=200)])
    is_representative = BooleanField(_l("代表"))

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.id_number, self.phone, self.address))

    def validate_name(self, field):
        if not (field.data or "").strip() and not self.is_blank():
            raise ValidationError(_l("请填写信访人姓名"))


class PetitionIntakeForm(CasetrackForm):
    received_on = _date(_l("登记日期"))
    channel = SelectField(_l("信访形式"), choices=labelled_choices(pw.Channel), validators=[InputRequired(REQUIRED)])
    village_id = SelectField(_l("所属村"), coerce=_optional_int, validators=[optional_choice()])
    category_id = SelectField(_l("事项类别"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    petitioners = LimitedFieldList(FormField(PetitionerForm), label=_l("信访人"), min_entries=1, max_entries=50)
    persons = IntegerField(_l("人数"), default=1, validators=[
        InputRequired(BAD_NUMBER), NumberRange(min=1, max=100000, message=_l("人数至少为1"))],
        render_kw={"inputmode": "numeric", "min": 1})
    request = TextAreaField(_l("诉求摘要"), validators=[DataRequired(REQUIRED), Length(max=5000)])
    level = SelectField(_l("到达层级"), choices=labelled_choices(pw.Level), default=pw.Level.TOWNSHIP.value)
    cross_level = BooleanField(_l("越级"))
    disruptive = BooleanField(_l("缠访闹访"))
    leader_received_by = StringField(_l("接访领导(领导接访日)"), validators=[Optional(), Length(max=60)])
    repeat_of_number = StringField(_l("重复信访:首次信访的编号"), validators=[Optional(), Length(max=40)],
                                   render_kw={"placeholder": "(2026)斜信字第3号"})

    source = SelectField(_l("信访来源"), choices=labelled_choices(pw.Source), default=pw.Source.OWN.value)
    source_body = StringField(_l("转送、交办机关"), validators=[Optional(), Length(max=100)])
    source_reference = StringField(_l("转送、交办文号"), validators=[Optional(), Length(max=60)])
    assigned_due_on = DateField(_l("指定办理期限(交办)"), validators=[Optional(), Plausible()],
                                render_kw={"type": "date"})

    def validate_petitioners(self, field):
        if all(entry.form.is_blank() for entry in field.entries):
            raise ValidationError(_l("至少填写一名信访人"))

    def validate(self, extra_validators=None):
        """Check the source's fields together: Optional() stops a field's own chain when it is blank."""
        valid = super().validate(extra_validators)
        if self.source.data == pw.Source.OWN.value:
            return valid
        if not (self.source_body.data or "").strip():
            self.source_body.errors = [*self.source_body.errors, _l("上级转送、交办的,请填写转送、交办机关")]
            valid = False
        due = self.assigned_due_on.data
        if self.source.data == pw.Source.ASSIGNED_IN.value and not self.assigned_due_on.errors:
            if due is None:
                self.assigned_due_on.errors = [*self.assigned_due_on.errors, _l("上级交办的,请填写指定办理期限")]
                valid = False
            elif self.received_on.data and due <= self.received_on.data:
                self.assigned_due_on.errors = [*self.assigned_due_on.errors, _l("指定办理期限应晚于收到日期")]
                valid = False
        return valid


class DecideForm(VersionedForm):
    decision = SelectField(_l("受理情况"), choices=[(d.value, _l(d.label)) for d in pw.Decision.taken()])
    decided_on = _date(_l("决定日期"))
    note = TextAreaField(_l("理由或转送、交办的机关"), validators=[Optional(), Length(max=2000)])


class StartForm(VersionedForm):
    started_on = _date(_l("开始办理日期"))


class ExtensionRequestForm(VersionedForm):
    days = IntegerField(_l("延期天数"), validators=[InputRequired(BAD_NUMBER), NumberRange(
        min=1, max=30, message=_l("延期天数为1至30日"))], render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("延期理由(将告知信访人)"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class ExtensionApprovalForm(VersionedForm):
    days = IntegerField(_l("批准延期天数"), validators=[InputRequired(BAD_NUMBER), NumberRange(
        min=1, max=30, message=_l("延期天数为1至30日"))], render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("延期理由(将告知信访人)"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    approved_on = _date(_l("批准日期"))


class ExtensionDeclineForm(VersionedForm):
    note = TextAreaField(_l("不批准的理由"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class AnswerForm(VersionedForm):
    opinion = SelectField(_l("处理意见"), choices=labelled_choices(pw.Opinion), validators=[InputRequired(REQUIRED)])
    opinion_text = TextAreaField(_l("意见内容"), validators=[DataRequired(REQUIRED), Length(max=10000)])
    answered_on = _date(_l("办结日期"))


class DeliverForm(VersionedForm):
    delivered_on = _date(_l("送达日期"))


class RateForm(VersionedForm):
    satisfaction = SelectField(_l("满意度"), choices=labelled_choices(wf.Satisfaction), validators=[InputRequired(REQUIRED)])


class RequestForm(VersionedForm):
    requested_on = _date(_l("申请日期"))
    late_note = TextAreaField(_l("逾期说明(超过申请期限时必填,申请照常登记)"), validators=[Optional(), Length(max=2000)])


class ForwardedRequestForm(RequestForm):
    body = StringField(_l("转报的机关(复查、复核由上一级机关办理)"), validators=[DataRequired(REQUIRED), Length(max=100)])


class ObjectionForm(VersionedForm):
    raised_on = _date(_l("提出异议日期"))
    reason = TextAreaField(_l("异议理由"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class ObjectionOutcomeForm(VersionedForm):
    outcome = SelectField(_l("上级核实结果"), choices=[
        (pw.ObjectionOutcome.AGREED.value, _l(pw.ObjectionOutcome.AGREED.label)),
        (pw.ObjectionOutcome.REFUSED.value, _l(pw.ObjectionOutcome.REFUSED.label))], validators=[InputRequired(REQUIRED)])
    answered_on = _date(_l("上级答复日期"))


class CompletionReportForm(VersionedForm):
    reported_on = _date(_l("办结报告日期"))
    sent_to = StringField(_l("报送机关"), validators=[DataRequired(REQUIRED), Length(max=100)])
    content = TextAreaField(_l("办结报告内容"), validators=[DataRequired(REQUIRED), Length(max=10000)])


class RouteForm(VersionedForm):
    route = SelectField(_l("法定途径"), choices=labelled_choices(pw.LegalRoute), validators=[InputRequired(REQUIRED)])
    body = StringField(_l("告知信访人向其提出的机关"), validators=[DataRequired(REQUIRED), Length(max=100)])
    told_on = _date(_l("告知日期"))


class ReviewAnswerForm(VersionedForm):
    result = TextAreaField(_l("意见内容"), validators=[DataRequired(REQUIRED), Length(max=10000)])
    answered_on = _date(_l("答复日期"))


class ReviewAnswerDeliveredForm(ReviewAnswerForm):
    delivered_on = DateField(_l("复查答复送达日期(留空则为答复日期;复核申请期限自此起算)"),
                             validators=[Optional(), NotFuture()], render_kw={"type": "date"})


class CloseForm(VersionedForm):
    closed_on = _date(_l("终结日期"))


class ConvertForm(VersionedForm):
    village_id = SelectField(_l("所属村"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    dispute_type_id = SelectField(_l("纠纷类别"), coerce=_optional_int, validators=[InputRequired(REQUIRED)])
    respondent = StringField(_l("被申请人"), validators=[Optional(), Length(max=60)])
    registered_on = _date(_l("登记日期"))


class SuperviseForm(VersionedForm):
    note = TextAreaField(_l("督办意见"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    due_on = DateField(_l("督办期限"), validators=[InputRequired(REQUIRED), Plausible()], render_kw={"type": "date"})


class LevelForm(VersionedForm):
    level = SelectField(_l("到达层级"), choices=labelled_choices(pw.Level), validators=[InputRequired(REQUIRED)])
    reached_on = _date(_l("到达日期"))


class DisruptiveForm(VersionedForm):
    police_referred_on = DateField(_l("移交公安机关日期(未移交的留空)"), validators=[Optional(), NotFuture()],
                                   render_kw={"type": "date"})
