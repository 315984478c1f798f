"""Base classes for every form: text fields refuse control characters, whatever the form.

A NUL character cannot be stored by PostgreSQL, and other control characters (\\x01–\\x1f but tab and line
breaks) make the DOCX and XLSX files built from a case unreadable; none of them is ever meant in a form. The
check is added as each field is bound, so a new form or field cannot forget it, and the message appears beside
the field like any other.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, StringField
from wtforms.validators import ValidationError

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_control_characters(form, field) -> None:
    """Refuse text holding a control character other than tab and line breaks."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError(_l("含有不可见的控制字符,请删除后重新输入"))


def labelled_choices(enum, blank: bool = False) -> list[tuple[str, object]]:
    """A select's choices from a domain enum, each label translated when the form is shown."""
    choices = [(member.value, _l(member.label)) for member in enum]
    return [("", "—"), *choices] if blank else choices


class _PlainTextMeta:
    """WTForms meta mixin: every text field (StringField and its subclasses) gets refuse_control_characters."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField):
            field.validators = [*field.validators, refuse_control_characters]
        return field


class CasetrackForm(FlaskForm):
    """A page's form: CSRF from Flask-WTF, plain text only."""

    class Meta(_PlainTextMeta):
        pass


class SubForm(Form):
    """A repeated row inside a page's form (a party, a finding): plain text only, no CSRF of its own."""

    class Meta(_PlainTextMeta):
        pass
