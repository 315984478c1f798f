"""Base classes for every form: text fields hold only what a case can store, whatever the form.

A NUL character cannot be stored by PostgreSQL, and other control characters make the DOCX and XLSX files
built from a case unreadable (domain/text.py). Line and page breaks pasted from Word become ordinary line
breaks; anything else is refused beside the field. Both are added as each field is bound, so a new form or
field cannot forget them.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, StringField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from casetrack.domain.text import clean_pasted, has_unstorable


def _clean_pasted(value):
    return clean_pasted(value) if isinstance(value, str) else value


def refuse_unstorable(form, field) -> None:
    """Refuse text holding a character a case cannot store."""
    if isinstance(field.data, str) and has_unstorable(field.data):
        raise ValidationError(_l("含有无法保存的隐藏字符(常见于从其他文档复制的内容),请删除该处文字后重新输入,或粘贴为纯文本"))


def labelled_choices(enum, blank: bool = False) -> list[tuple[str, object]]:
    """A select's choices from a domain enum, each label translated when the form is shown."""
    choices = [(member.value, _l(member.label)) for member in enum]
    return [("", "—"), *choices] if blank else choices


class _PlainTextMeta:
    """WTForms meta mixin: every text field (StringField and its subclasses) cleans pasted breaks and refuses
    unstorable characters."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField):
            field.filters = (*field.filters, _clean_pasted)
            field.validators = [*field.validators, refuse_unstorable]
        return field


class CasetrackForm(FlaskForm):
    """A page's form: CSRF from Flask-WTF, plain text only."""

    class Meta(_PlainTextMeta):
        pass


class SubForm(Form):
    """A repeated row inside a page's form (a party, a finding): plain text only, no CSRF of its own."""

    class Meta(_PlainTextMeta):
        pass


class LimitedFieldList(FieldList):
    """Repeated rows (parties, petitioners, findings) that say so when more were sent than may be kept.

    WTForms' FieldList keeps the first max_entries rows and silently drops the rest: a 21st party would vanish
    from the case without a word. Here the form is refused with a message beside the list instead.
    """

    sent = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.sent = len(set(self._extract_indices(self.name, formdata))) if formdata else 0
        super().process(formdata, data, extra_filters)

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.max_entries and self.sent > self.max_entries:
            self.errors.append(_("“%(label)s”最多填写 %(most)s 个,这次填写了 %(sent)s 个:请删除或合并多余的行,一个也没有保存。",
                                 label=self.label.text, most=self.max_entries, sent=self.sent))
            return False
        return valid
