"""Forms for the admin pages: townships and their settings, villages, dispute types and accounts."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import BAD_NUMBER, REQUIRED
from casetrack.i18n import domain_message
from casetrack.models import Role
from casetrack.services.accounts import password_refusal

PLACE_NAME_MAX = 60  # townships.name, villages.name, natural_villages.name
TYPE_NAME_MAX = 40  # dispute_types.name
ROLE_CHOICES = [(role.value, _l(role.label)) for role in Role if role is not Role.COUNTY]
"""The roles an admin gives on the users page; county accounts are made on the county's own page."""
_LIST_SEPARATORS = re.compile(r"[\n,,、;;]+")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def split_names(text: str | None) -> list[str]:
    """Split a list typed one per line, or separated by commas or 、, into names."""
    return [name.strip() for name in _LIST_SEPARATORS.split(text or "") if name.strip()]


def _too_long(maximum: int):
    return Length(max=maximum, message=_l("最多%(max)d个字", max=maximum))


class NameForm(CasetrackForm):
    """One name: a village, a natural village, or a new name for one of them."""

    name = StringField(
        _l("名称"), validators=[DataRequired(REQUIRED), _too_long(PLACE_NAME_MAX)], render_kw={"autocomplete": "off"}
    )


class DisputeTypeForm(CasetrackForm):
    name = StringField(
        _l("类别名称"), validators=[DataRequired(REQUIRED), _too_long(TYPE_NAME_MAX)], render_kw={"autocomplete": "off"}
    )


class TownshipForm(CasetrackForm):
    """A new township with its administrative villages."""

    name = StringField(
        _l("乡镇名称"), validators=[DataRequired(REQUIRED), _too_long(PLACE_NAME_MAX)], render_kw={"autocomplete": "off"}
    )
    villages = TextAreaField(_l("行政村"), validators=[Optional()])

    def validate_villages(self, field):
        names = split_names(field.data)
        seen = set()
        for name in names:
            if len(name) > PLACE_NAME_MAX:
                raise ValidationError(_l("村名“%(name)s”太长,最多%(max)d个字", name=name, max=PLACE_NAME_MAX))
            if name in seen:
                raise ValidationError(_l("村名“%(name)s”重复了", name=name))
            seen.add(name)


# The report's further sentences a township may leave out (domain.report_text.OPTIONAL_SENTENCES).
REPORT_SENTENCE_CHOICES = [
    ("three_channels", _l("三调联动：人民调解、行政调解、司法调解各多少起")),
    ("screening_rule", _l("排查制度：各村每周一排查、乡每半月一排查，重点时段加密排查次数")),
    ("major", _l("重大矛盾纠纷：件数及落实责任单位、责任领导、责任人员情况")),
    ("legal_aid", _l("引导当事人申请法律援助的件数")),
    ("visits", _l("接待群众来访的批数和人次，及领导接访日接访情况")),
    ("grid", _l("乡、村、自然村三级网格的个数")),
    ("disruptive", _l("依法处置缠访闹访的件数及移交公安机关处理的件数")),
    ("quiet_periods", _l("春节、全国两会等重点时段未发生赴省进京上访")),
]


class TownshipSettingsForm(CasetrackForm):
    """The township's name and the settings kept in Township.settings."""

    name = StringField(_l("乡镇名称"), validators=[DataRequired(REQUIRED), _too_long(PLACE_NAME_MAX)])
    case_prefix = StringField(
        _l("案号字号"),
        validators=[Optional(), Regexp(r"^[\u4e00-\u9fffA-Za-z]{1,12}$",
                                       message=_l("只能是1-12个汉字或字母,如“斜调字”"))],
    )
    committee_name = StringField(_l("调委会名称"), validators=[Optional(), _too_long(PLACE_NAME_MAX)])
    follow_up_days = IntegerField(
        _l("回访期限(天)"),
        validators=[InputRequired(BAD_NUMBER), NumberRange(min=1, max=365, message=_l("应在1至365天之间"))],
        render_kw={"inputmode": "numeric", "min": 1, "max": 365},
    )
    due_soon_days = IntegerField(
        _l("临期提醒(天)"),
        validators=[InputRequired(BAD_NUMBER), NumberRange(min=0, max=30, message=_l("应在0至30天之间"))],
        render_kw={"inputmode": "numeric", "min": 0, "max": 30},
    )
    collective_threshold = IntegerField(
        _l("集体访人数"),
        validators=[InputRequired(BAD_NUMBER), NumberRange(min=2, max=1000, message=_l("应在2至1000人之间"))],
        render_kw={"inputmode": "numeric", "min": 2},
    )
    strict_period_end = BooleanField(
        _l("本乡镇的办理期限严格计算:期满日遇周末或节假日不顺延(信访人、当事人的申请期限始终顺延)"))
    issuing_unit = StringField(_l("报告落款单位"), validators=[Optional(), _too_long(PLACE_NAME_MAX)])
    report_sentences = SelectMultipleField(
        _l("年度报告写入的语句"), choices=REPORT_SENTENCE_CHOICES, validate_choice=True,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )

    SETTINGS = ("case_prefix", "committee_name", "follow_up_days", "due_soon_days", "collective_threshold",
                "strict_period_end", "issuing_unit")

    def settings(self) -> dict:
        """The settings to store: the report's sentences as those switched off, so new ones start switched on."""
        values = {key: getattr(self, key).data for key in self.SETTINGS}
        chosen = set(self.report_sentences.data or ())
        values["report_sentences_off"] = [key for key, _label in REPORT_SENTENCE_CHOICES if key not in chosen]
        return values

    @staticmethod
    def initial(township) -> dict:
        """The form's data from the township's settings."""
        off = set(township.setting("report_sentences_off") or ())
        return {"name": township.name, **{key: township.setting(key) for key in TownshipSettingsForm.SETTINGS},
                "report_sentences": [key for key, _label in REPORT_SENTENCE_CHOICES if key not in off]}


class PolicyPassword:
    """A new password must pass the account policy (length, not common, not the username or a township's name)."""

    def __call__(self, form, field):
        username = getattr(getattr(form, "username", None), "data", None) or ""
        refusal = password_refusal(field.data or "", username)
        if refusal:  # a field's message has no full stop
            raise ValidationError(domain_message(refusal).rstrip("。."))


def _password_fields():
    password = PasswordField(
        _l("密码"), validators=[DataRequired(REQUIRED), PolicyPassword()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("再次输入密码"),
        validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class UserForm(CasetrackForm):
    """An account's role and place; the view fills the township and village choices within the admin's reach."""

    full_name = StringField(_l("姓名"), validators=[Optional(), _too_long(40)], render_kw={"autocomplete": "off"})
    role = SelectField(_l("角色"), choices=ROLE_CHOICES, validators=[InputRequired(REQUIRED)])
    township_id = SelectField(_l("所属乡镇"), coerce=_optional_int)  # no Optional(): it would skip validate_*
    village_id = SelectField(_l("所属村"), coerce=_optional_int)

    def validate_township_id(self, field):
        if self.role.data in (Role.STAFF.value, Role.LEADER.value) and field.data is None:
            raise ValidationError(_l("乡干部和领导必须选择所属乡镇"))

    def validate_village_id(self, field):
        if self.role.data == Role.MEDIATOR.value and field.data is None:
            raise ValidationError(_l("村调解员必须选择所属村"))


class NewUserForm(UserForm):
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(REQUIRED), _too_long(40),
                    Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字、下划线、点和横线"))],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    password, confirm = _password_fields()


class PasswordForm(CasetrackForm):
    password, confirm = _password_fields()


class ConfirmForm(CasetrackForm):
    """A button that changes something: only the CSRF token."""
