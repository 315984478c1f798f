"""The leader's ruling on an extension request, from its inbox line."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


class ExtensionRulingForm(CasetrackForm):
    decision = RadioField(_l("审批"), choices=[("approve", _l("批准延期")), ("decline", _l("不批准延期"))],
                          validators=[InputRequired(REQUIRED)])
    note = TextAreaField(_l("审批意见"), validators=[Length(max=2000, message=_l("最多%(max)d个字", max=2000))])
