"""Templates compiled once per language, their fixed texts translated while they are compiled.

A page's `{{ _('退出') }}` asks the catalogue on every render (Jinja's i18n call through the context, a lookup, a
Markup), and gets the same answer every time in one language: the layout and the queue ask some sixty such texts
a page. Here each template is compiled once per language instead (the name the loader sees carries the language:
"en::queue/index.html"), and a `_('text')` or `gettext('text')` with no variables is written into it as the text
already translated, marked safe as the runtime call marks it. A text with variables, `{% trans %}` and a template
made from a string (no name, so no language) are translated at render as before. The catalogues are files read at
start (casetrack.catalogues), so a compiled text cannot go stale while the app runs.
"""

from flask import templating as flask_templating
from flask_babel import force_locale, get_locale, get_translations
from jinja2 import BaseLoader, TemplateNotFound
from jinja2.ext import Extension
from jinja2.lexer import Token

SEPARATOR = "::"
GETTEXT_NAMES = ("_", "gettext")


def localised(name: str, language: str | None) -> str:
    """The name a template has for one language (unchanged when none is known, or the name has one already)."""
    if language is None or SEPARATOR in name:
        return name
    return f"{language}{SEPARATOR}{name}"


def split(name: str | None) -> tuple[str | None, str | None]:
    """(language, template name) of a name made by localised(); (None, name) for any other name."""
    if name and SEPARATOR in name:
        language, _sep, plain = name.partition(SEPARATOR)
        return language, plain
    return None, name


def current_language() -> str | None:
    locale = get_locale()  # None outside an app context
    return str(locale) if locale is not None else None


class LocalisedLoader(BaseLoader):
    """Load "en::queue/index.html" as the app's loader loads "queue/index.html" (BaseLoader.load compiles it under
    the name asked, so each language has its own compiled code)."""

    def __init__(self, loader):
        self.loader = loader

    def get_source(self, environment, template: str):
        _language, plain = split(template)
        try:
            return self.loader.get_source(environment, plain)
        except TemplateNotFound as missing:
            raise TemplateNotFound(plain) from missing

    def list_templates(self):
        return self.loader.list_templates()


class LocalisedEnvironment(flask_templating.Environment):
    """Flask's template environment, asking for each template in the reader's language (see the module's note)."""

    def __init__(self, app, **options):
        super().__init__(app, **options)
        self.loader = LocalisedLoader(self.loader)
        self.add_extension(ConstantTexts)

    def get_template(self, name, parent=None, globals=None):
        if isinstance(name, str) and parent is None:
            name = localised(name, current_language())
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        if parent is None:
            language = current_language()
            names = [localised(n, language) if isinstance(n, str) else n for n in names]
        return super().select_template(names, parent, globals)

    def join_path(self, template: str, parent: str) -> str:
        """An extended, included or imported template in its parent's language."""
        return localised(template, split(parent)[0])


class ConstantTexts(Extension):
    """Write each `_('text')` with no variables of a template compiled for a language as its translation."""

    def filter_stream(self, stream):
        language, plain = split(stream.name)
        if language is None:
            yield from stream
            return
        autoescape = self.environment.autoescape
        escaped = autoescape(plain) if callable(autoescape) else bool(autoescape)
        with force_locale(language):
            words = get_translations().ugettext
        tokens = list(stream)
        index, previous = 0, None
        while index < len(tokens):
            token = tokens[index]
            call = tokens[index + 1:index + 4]
            if (token.type == "name" and token.value in GETTEXT_NAMES and (previous is None or previous.type != "dot")
                    and [t.type for t in call] == ["lparen", "string", "rparen"]):
                text = _translated(words, call[1].value)
                if text is not None:
                    yield from _constant(text, token.lineno, escaped)
                    previous, index = call[2], index + 4
                    continue
            yield token
            previous, index = token, index + 1


def _translated(words, message: str) -> str | None:
    """The text as Jinja's newstyle gettext gives it with no variables ("%%" is "%"); None when it would fail."""
    found = words(message)
    if "%" not in found:
        return found
    try:
        return found % {}
    except (TypeError, ValueError, KeyError):
        return None  # left to the render, which fails as it always did


def _constant(text: str, lineno: int, escaped: bool):
    """The tokens of `('text'|safe)`: under autoescape the runtime call returns Markup, so the constant is safe too."""
    if not escaped:
        yield Token(lineno, "string", text)
        return
    yield Token(lineno, "lparen", "(")
    yield Token(lineno, "string", text)
    yield Token(lineno, "pipe", "|")
    yield Token(lineno, "name", "safe")
    yield Token(lineno, "rparen", ")")
