"""Exceptions raised by the pure domain rules, and the marker for Chinese texts the catalogue must hold.

A DomainError carries a Chinese *template* and named parameters, so that the web layer can look the template
up in the message catalogue (its msgid is the Chinese text, docs/README.md) and show the refusal in the
user's language, while str(error) stays the formatted Chinese message that the CLI, the ledger and the logs
print. casetrack/i18n_extract.py puts every template in the catalogue; casetrack/i18n.py shows them.
"""

from collections.abc import Iterable

LIST_SEPARATOR = "、"
"""Joins the items of a list parameter in the Chinese message: 请填写责任单位、责任人员。"""


def N_(message: str) -> str:
    """Mark a Chinese text for the catalogue without translating it (gettext_noop): the domain has no Flask."""
    return message


class DomainError(Exception):
    """A rule of the domain refused an action; str() is the Chinese message for the user.

    Raise it with a constant template and named parameters, never a ready-made f-string, so the template
    can be extracted and translated: DomainError("当前状态为“%(state)s”,不能指派调解员。", state=label).
    A parameter that is a label (a state, a date's name) is translated by the web layer too; a list or tuple
    parameter is a list of such words, joined with "、" here and with the language's separator there.
    """

    def __init__(self, template: str = "", /, **params: object):
        self.template = template
        self.params = params
        super().__init__(self.message)  # args == (the Chinese message,), as before templates existed

    @property
    def message(self) -> str:
        """Return the formatted Chinese message."""
        return format_message(self.template, self.params, LIST_SEPARATOR)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Exception pickles as cls(*args); subclasses with their own __init__ (EditConflict(),
        # UnknownCalendarYear(year)) cannot be called so. Rebuild from the template and the attributes.
        return _rebuild, (type(self), self.template, self.params, self.__dict__)


def format_message(template: str, params: dict[str, object], separator: str) -> str:
    """Fill a %(name)s template; list parameters are joined with separator. No parameters: as written."""
    if not params:
        return template
    return template % {key: _joined(value, separator) for key, value in params.items()}


def _joined(value: object, separator: str) -> object:
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return separator.join(str(item) for item in value)
    return value


def _rebuild(cls: type[DomainError], template: str, params: dict, state: dict) -> DomainError:
    error = cls.__new__(cls)
    DomainError.__init__(error, template, **params)
    error.__dict__.update(state)
    return error


class InvalidTransition(DomainError):
    """The action is not allowed in the case's current state."""
