"""The attachment upload form; the file's type is checked from its content by documents.attachments."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from casetrack.forms.base import CasetrackForm
from casetrack.models.attachments import ATTACHMENT_KINDS


class AttachmentForm(CasetrackForm):
    """Upload a scanned agreement, an evidence photo or a letter (PDF, JPEG, PNG)."""

    kind = SelectField(_l("附件类别"), choices=[(key, _l(label)) for key, label in ATTACHMENT_KINDS.items()], default="agreement_scan")
    file = FileField(
        _l("文件"), validators=[FileRequired(_l("请选择要上传的文件。"))],
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )
    description = StringField(_l("说明"), validators=[Optional(), Length(max=200)])
