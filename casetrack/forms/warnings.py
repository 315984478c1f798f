"""The form acknowledging an early warning (预警): a note on what is done, and who follows it up."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class AcknowledgeForm(CasetrackForm):
    note = TextAreaField(_l("处置意见"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    assignee_id = SelectField(_l("责任人"), coerce=_optional_int, validate_choice=False)  # checked by the service
