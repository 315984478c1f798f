"""Forms for the ledger (台账) pages: upload a file, confirm its import, choose what to export."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from casetrack import clock
from casetrack.forms.base import CasetrackForm

TOKEN = r"^[A-Za-z0-9_-]{20,64}$"


class UploadForm(CasetrackForm):
    """A ledger file to check and preview."""

    upload = FileField(_l("台账文件(.xlsx 或 .csv)"), validators=[
        FileRequired(_l("请选择要导入的台账文件")),
        FileAllowed(["xlsx", "csv"], _l("只能导入 .xlsx 或 .csv 文件(.xls 请先在 Excel 中另存为 .xlsx)")),
    ])


class ConfirmForm(CasetrackForm):
    """Confirm the import of a previewed file, kept on the server under a random token."""

    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])
    valid_only = BooleanField(_l("跳过有错误的行,只导入无错误的行"))


class MappingForm(CasetrackForm):
    """Save the mapping of a previewed file's unknown headers and values (the selects are read by the view)."""

    token = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])


class ExportForm(CasetrackForm):
    """Which year, and as what, to export (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("年份"), validators=[InputRequired(_l("请填写年份")), NumberRange(1990, 2100)],
                        default=lambda: clock.today().year)
    format = SelectField(_l("格式"), choices=[
        ("xlsx", _l("Excel(.xlsx,矛盾纠纷和信访两个工作表)")),
        ("dispute", _l("矛盾纠纷 CSV")),
        ("petition", _l("信访 CSV")),
    ], default="xlsx")


class SeenForm(CasetrackForm):
    """Mark an import's notices seen (a button: only its CSRF token)."""
