"""Login form and the form to change one's own password."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


class LoginForm(CasetrackForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(REQUIRED), Length(max=40, message=_l("用户名不能超过40个字符"))],
        render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("密码"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )


class ChangePasswordForm(CasetrackForm):
    """The current password, then the new one twice; the policy is checked by services.accounts."""

    current = PasswordField(
        _l("当前密码"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("新密码"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )
