"""Forms of the monthly returns (月报): submit with a remark, send back with a reason."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


class SubmitReturnForm(CasetrackForm):
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=500)])


class SendBackForm(CasetrackForm):
    reason = TextAreaField(_l("退回理由"), validators=[DataRequired(REQUIRED), Length(max=500)])
