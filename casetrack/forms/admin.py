"""Forms for the admin pages: townships and their settings, villages, dispute types and accounts."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
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

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import BAD_NUMBER, REQUIRED
from casetrack.models import Role
from casetrack.services.accounts import password_refusal
from casetrack.web.messages import domain_message

PLACE_NAME_MAX = 60  # townships.name, villages.name, natural_villages.name
TYPE_NAME_MAX = 40  # dispute_types.name
ROLE_CHOICES = [
    (Role.MEDIATOR.value, _l("村调解员")),
    (Role.STAFF.value, _l("乡干部")),
    (Role.LEADER.value, _l("领导")),
    (Role.ADMIN.value, _l("管理员")),
]
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

    SETTINGS = ("case_prefix", "committee_name", "follow_up_days", "due_soon_days", "collective_threshold",
                "strict_period_end")

    def settings(self) -> dict:
        return {key: getattr(self, key).data for key in self.SETTINGS}


class PolicyPassword:
    """A new password must pass the account policy (length, letters and digits)."""

    def __call__(self, form, field):
        refusal = password_refusal(field.data or "")
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
