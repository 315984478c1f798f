"""Forms for counties (县) and the townships they hold."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from casetrack.forms.admin import PLACE_NAME_MAX, _too_long
from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import REQUIRED


class CountyForm(CasetrackForm):
    """A new county, or the townships an existing county holds."""

    name = StringField(_l("县名称"), validators=[DataRequired(REQUIRED), _too_long(PLACE_NAME_MAX)],
                       render_kw={"autocomplete": "off"})
    townships = SelectMultipleField(_l("所辖乡镇"), coerce=int, option_widget=CheckboxInput(),
                                    widget=ListWidget(prefix_label=False), validate_choice=True)
