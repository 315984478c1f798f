"""Login form."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


class LoginForm(CasetrackForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(REQUIRED), Length(max=40, message=_l("用户名不能超过40个字符"))],
        render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("密码"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
