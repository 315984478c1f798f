"""Login form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from casetrack.forms.validators import REQUIRED


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("密码"), validators=[DataRequired(REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
