"""Show a domain refusal (a DomainError), a ledger problem (a LedgerError) or a ledger notice in the
interface's language."""

from flask_babel import gettext, pgettext

from casetrack.domain.errors import LIST_SEPARATOR, DomainError, format_message
from casetrack.ledger.format import Label, LedgerError, Notice


def domain_message(error: DomainError) -> str:
    """Return the error's message in the user's language: its Chinese template looked up in the catalogue,
    filled with its parameters, a label among them (a state, the name of a date) translated too.

    gettext returns a text that is not in the catalogue unchanged, so a name or a number stays as it is, and
    the Chinese interface shows exactly str(error).
    """
    return _filled(error.template, error.params, lambda value: isinstance(value, str))


def ledger_message(error: LedgerError) -> str:
    """Return a ledger problem's reason in the user's language, as domain_message does for a refusal.

    Only a parameter marked as casetrack's own word (format.Label: a state, a decision) is translated; the
    others are the file's words (a village, the labels a column takes, a header) and stay as the clerk must
    write them. A reason without a template is a constant text, its own msgid; the Chinese interface shows
    exactly error.message.
    """
    if not error.template:
        return gettext(error.message) if error.message else ""
    return _filled(error.template, error.params, _is_label)


def notice_message(notice: str) -> str:
    """Return a ledger notice (how a sheet was read, what the import will do) in the user's language.

    Its parameters are translated as a ledger problem's are: only casetrack's own words (format.Label).
    """
    if not isinstance(notice, Notice):
        return gettext(notice) if notice else notice
    return _filled(notice.template, notice.params, _is_label)


def _is_label(value: object) -> bool:
    return isinstance(value, Label)


def _filled(template: str, params: dict, translatable) -> str:
    """The template in the user's language, filled with the parameters; those `translatable` says are words
    of the catalogue are translated, and lists of them are joined with the language's separator."""

    def shown(value: object) -> object:
        if translatable(value):
            return gettext(value) if value else str(value)
        if isinstance(value, (list, tuple)):
            return [shown(item) for item in value]
        return value

    separator = pgettext("list separator", "、")
    return format_message(gettext(template), {key: shown(value) for key, value in params.items()}, separator)


def reader_words(text: str) -> str:
    """Translate one Chinese word or template of the timeline (domain/timeline.py) into the reader's language."""
    if text == LIST_SEPARATOR:
        return pgettext("list separator", "、")
    return gettext(text) if text else text


def case_numbers(numbers: list[str], shown: int | None = None, more: bool = False) -> str:
    """Case numbers joined as the language joins a list, the first `shown` of them, with "and more" (等) when
    some are left out (or `more` says others exist)."""
    kept = list(numbers if shown is None else numbers[:shown])
    joined = pgettext("list separator", "、").join(kept)
    return gettext("%(numbers)s等", numbers=joined) if more or len(numbers) > len(kept) else joined
