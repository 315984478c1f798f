"""Show a domain refusal (a DomainError) in the interface's language."""

from flask_babel import gettext, pgettext

from casetrack.domain.errors import DomainError, format_message


def domain_message(error: DomainError) -> str:
    """Return the error's message in the user's language: its Chinese template looked up in the catalogue,
    filled with its parameters, a label among them (a state, the name of a date) translated too.

    gettext returns a text that is not in the catalogue unchanged, so a name or a number stays as it is, and
    the Chinese interface shows exactly str(error).
    """
    separator = pgettext("list separator", "、")
    params = {key: _translated(value) for key, value in error.params.items()}
    return format_message(gettext(error.template), params, separator)


def _translated(value: object) -> object:
    if isinstance(value, str):
        return gettext(value) if value else value
    if isinstance(value, (list, tuple)):
        return [_translated(item) for item in value]
    return value
