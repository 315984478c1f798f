"""Template filters and globals: masking, Beijing time, labels."""

from urllib.parse import urlencode

from flask import Flask, current_app, request, url_for
from flask_babel import get_translations, gettext, pgettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from casetrack import clock, permissions
from casetrack.domain import figures
from casetrack.domain import petition_workflow as pw
from casetrack.domain import warnings as warning_rules
from casetrack.domain import workflow as wf
from casetrack.domain.identity import mask_id_number, mask_phone
from casetrack.i18n import reader_words
from casetrack.services import timeline
from casetrack.web import review


def init_app(app: Flask) -> None:
    """Register filters and globals used across templates."""
    app.jinja_env.filters["mask_id"] = mask_id_number
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["beijing"] = lambda moment: (
        clock.to_beijing(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
    )
    app.jinja_env.filters["tr"] = translate_label
    app.jinja_env.filters["basis"] = translate_basis
    app.jinja_env.filters["period"] = period_label
    app.jinja_env.filters["label"] = _label
    app.jinja_env.filters["plabel"] = _petition_label
    app.jinja_env.globals["petition_states"] = list(pw.PetitionState)
    app.jinja_env.globals["wf"] = wf
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["review_offers"] = _review_offers
    app.jinja_env.globals["warning_sentence"] = warning_sentence

    @app.context_processor
    def _user_context():
        user = current_user._get_current_object()  # the account itself: a template asks it dozens of things
        return {"me": user, "has_queue": "queue" in app.blueprints, "can": permissions.Abilities(user)}

    # The figure catalogue: the report page and the queue's "cases behind a figure" name figures from it.
    app.jinja_env.globals["labels"] = figures.LABELS
    app.jinja_env.globals["breakdown_titles"] = figures.BREAKDOWN_TITLES
    app.jinja_env.globals["section_titles"] = figures.SECTION_TITLES

    app.jinja_env.globals["show"] = _show_figure
    # The timeline: each entry's sentence and changed fields rendered from its data in the reader's language.
    app.jinja_env.globals["event_sentence"] = lambda entry: timeline.shown_sentence(entry, reader_words)
    app.jinja_env.globals["event_changes"] = lambda entry: timeline.shown_changes(entry, reader_words)
    app.jinja_env.globals["signed"] = _signed_change
    app.jinja_env.globals["link"] = link
    from casetrack.web import navigation  # it writes links with link(), below

    app.jinja_env.globals["nav_links"] = navigation.nav_links


def link(endpoint: str, **values) -> str:
    """Return url_for(endpoint, **values) for a fixed address (the navigation's pages, the style sheet), built
    once per process and script root: the routing table does not change while the app runs, and the layout
    asks for some twenty such addresses on every page."""
    links = current_app.extensions.setdefault("casetrack_links", {})
    key = (endpoint, request.script_root, tuple(sorted(values.items())))
    found = links.get(key)
    if found is None:
        found = links[key] = url_for(endpoint, **values)
    return found


QUERY_SAFE = "!$'()*,/:;?@"
"""The characters Werkzeug leaves unescaped in a query string (werkzeug.urls._urlencode)."""


def with_query(base: str, args: dict) -> str:
    """Return base with args as its query string, as url_for writes it (the values left out when None or "")."""
    items = [(key, value) for key, value in args.items() if value is not None and value != ""]
    return f"{base}?{urlencode(items, safe=QUERY_SAFE)}" if items else base


def option_tags(choices, selected) -> Markup:
    """Return the <option> tags of a select: (value, label) pairs, the one equal to `selected` marked selected,
    each value and label escaped. A select of fifty villages or states costs a Jinja loop fifty times this."""
    tags = []
    for value, label in choices:
        mark = " selected" if value == selected else ""
        tags.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return Markup("".join(tags))


_ENUMS = {
    "state": wf.DisputeState, "level": wf.Level, "source": wf.Source, "channel": wf.Channel,
    "risk": wf.RiskLevel, "outcome": wf.Outcome, "form": wf.AgreementForm, "performance": wf.Performance, "court_result": wf.CourtResult,
    "satisfaction": wf.Satisfaction, "gender": wf.Gender, "side": wf.PartySide, "end_reason": wf.EndReason,
    "referral_origin": wf.ReferralOrigin, "referral_out": wf.ReferralOut, "ground": wf.NotAcceptedGround,
}


def translate_label(label: str) -> str:
    """Show a domain label (a Chinese word from an enum) in the interface's language: {{ case.state.label|tr }}.
    The labels reach the catalogue through casetrack/i18n_extract.py."""
    return gettext(label) if label else ""


def translate_basis(text: str) -> str:
    """Show a time limit's legal basis (domain.deadlines, Chinese) in the reader's language: its statute part,
    the township's additions and the counting rule are catalogue texts or templates; anything else stays."""
    import re

    from casetrack.domain import deadlines as dl

    if not text:
        return ""
    rest, tail, appended = text, [], ""
    for known in (dl.ROLL_BASIS, dl.STRICT_BASIS):
        if rest.endswith(";" + known):
            rest, tail = rest[: -len(known) - 1], [gettext(known)]
    if rest.endswith(dl.MONTH_BASIS):  # written straight after the statute, in brackets
        rest, appended = rest[: -len(dl.MONTH_BASIS)], gettext(dl.MONTH_BASIS)
    shown = []
    for piece in rest.split(";"):
        translated = gettext(piece)
        if translated == piece:
            for template in dl.BASIS_TEMPLATES:
                pattern = "^" + re.escape(template).replace(re.escape("%(days)s"), r"(?P<days>\d+)") + "$"
                if match := re.match(pattern, piece):
                    translated = gettext(template, days=match["days"])
                    break
        shown.append(translated)
    shown[-1] += appended
    return pgettext("basis separator", ";").join([*shown, *tail])


def period_label(period) -> str:
    """A report period in the reader's language: 2025年, 2025年第1季度, 2025年3月 (domain.periods.Period)."""
    if period.kind == "year":
        return gettext("%(year)s年", year=period.year)
    if period.kind == "quarter":
        return gettext("%(year)s年第%(quarter)s季度", year=period.year, quarter=period.quarter)
    return gettext("%(year)s年%(month)s月", year=period.year, month=period.month)


def _label(value, kind: str) -> str:
    """Show a stored enum value by its Chinese label: {{ case.status|label('state') }}."""
    if value is None or value == "":
        return ""
    try:
        return translate_label(_ENUMS[kind](value).label)
    except ValueError:
        return str(value)


_PETITION_ENUMS = {"channel": pw.Channel, "level": pw.Level, "opinion": pw.Opinion, "state": pw.PetitionState,
                   "source": pw.Source, "legal_route": pw.LegalRoute, "objection_outcome": pw.ObjectionOutcome,
                   "decision": pw.Decision}


def _petition_label(value, kind: str) -> str:
    """Show a stored petition enum value by its Chinese label."""
    if not value:
        return ""
    try:
        return translate_label(_PETITION_ENUMS[kind](value).label)
    except ValueError:
        return str(value)


def _show_figure(key: str, value) -> str:
    """Show a figure's value: rates as percent."""
    from casetrack.services.report_files import display

    return display(key, value)


def _signed_change(key: str, value) -> str:
    """Show a change against the previous period: +3, −2, +5.0个百分点."""
    if value is None:
        return ""
    if key in figures.RATE_KEYS:
        return gettext("%(n)s个百分点", n=f"{value * 100:+.1f}")
    return f"{value:+d}" if isinstance(value, int) else f"{value:+}"


def _review_offers(dispute, endpoint: str) -> bool:
    """Whether the case offers a review action now: the rule its action page applies (web/review.py)."""
    return review.offered(dispute, endpoint)


def warning_sentence(entry, rule: str) -> tuple[str, bool]:
    """A warning's or its history entry's sentence in the reader's language, and whether it is stored prose (from
    before revision 0031: shown as written, in Chinese)."""
    if entry.params is None:
        return entry.text, True
    if getattr(entry, "action", None) == "acknowledged":
        return warning_rules.render_acknowledgement(entry.params, gettext), False
    return warning_rules.render_sentence(rule, entry.params, gettext), False


def render_gettext(lookup=None):
    """Return a template `gettext` for one render that looks the request's catalogue up once, where the one
    Flask-Babel installs looks it up through the request context for every string (a page of 80 strings spent
    more on those lookups than on its rows). It behaves as Jinja's newstyle gettext does: escaped under
    autoescape, then filled. Pass it as `gettext=` to render_template; `lookup` is the catalogue's ugettext when
    the view has it already."""
    lookup = lookup or get_translations().ugettext

    @pass_context
    def page_gettext(context, string: str, **variables) -> str:
        found = lookup(string)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        return found % variables if variables or "%" in found else found  # as newstyle: "%%" is "%"

    return page_gettext
