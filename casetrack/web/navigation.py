"""The layout's navigation declared once as data: the side menu of a desk and the bar at the foot of a phone.

Each entry names its page, its label (in the catalogue), who sees it (a predicate of `casetrack.permissions`) and
which pages mark it current. `links()` writes an entry list as the layout's <a> tags in one pass: a menu of
fifteen links written by the template cost a third of a short page (docs/performance.md, "Review queue").
"""

from dataclasses import dataclass

from flask import request
from flask_babel import get_translations
from flask_login import current_user
from markupsafe import Markup, escape

from casetrack import permissions
from casetrack.domain.errors import N_
from casetrack.domain.roles import Role
from casetrack.web.templating import link


@dataclass(frozen=True, slots=True)
class Entry:
    endpoint: str
    label: str
    may: str | None = None  # the permissions predicate can_<may>(user) that shows it; None: every signed-in user
    current: str | None = "page"  # "page": marked on its own page; "area": on every page of its blueprint
    count: bool = False  # shows the inbox's count beside the label
    mediator_label: str | None = None  # the label a village mediator reads instead


SIDE = (
    Entry("inbox.index", N_("待办"), count=True),
    Entry("main.dashboard", N_("工作台")),
    Entry("queue.index", N_("案件队列")),
    Entry("cases.new", N_("登记纠纷"), may="register", current=None),
    Entry("petitions.index", N_("信访")),
    Entry("screening.index", N_("排查"), current="area"),
    Entry("warnings.index", N_("预警"), current="area"),
    Entry("review.supervised", N_("我督办的"), may="list_supervised"),
    Entry("reports.index", N_("统计报表"), may="read_reports", current="area"),
    Entry("returns.index", N_("月报"), may="submit_returns", current="area"),
    Entry("county.index", N_("县级汇总"), may="read_county", current="area"),
    Entry("ledger.index", N_("台账"), may="import_ledger", current="area"),
    Entry("admin.index", N_("设置"), may="administer", current=None),
    Entry("help.phone", N_("手机访问")),
)
"""The side menu (a desk's screen), in its order."""

BOTTOM = (
    Entry("main.dashboard", N_("首页"), current=None),
    Entry("inbox.index", N_("待办"), current=None, count=True),
    Entry("cases.new", N_("登记纠纷"), may="register", current=None),
    Entry("queue.index", N_("案件"), current=None, mediator_label=N_("我的案件")),
    Entry("petitions.index", N_("信访"), current=None),
    Entry("screening.index", N_("排查"), current=None),
)
"""The bar at the foot of a phone's screen: the pages a mediator uses most."""


def links(entries: tuple[Entry, ...], user, endpoint: str | None, gettext, waiting: int | None) -> Markup:
    """Write the entries this user may see as <a> tags, the current page's marked aria-current="page"."""
    area = endpoint.split(".", 1)[0] + "." if endpoint else None
    mediator = user.role is Role.MEDIATOR
    may = permissions.Abilities(user)  # what templates ask as can.<name>: the same predicates, by the same names
    tags = []
    for entry in entries:
        if entry.may is not None and not getattr(may, entry.may):
            continue
        current = endpoint is not None and (
            entry.current == "page" and endpoint == entry.endpoint
            or entry.current == "area" and entry.endpoint.startswith(area))
        label = escape(gettext(entry.mediator_label if mediator and entry.mediator_label else entry.label))
        count = f' <span class="count">{waiting}</span>' if entry.count and waiting else ""
        mark = ' aria-current="page"' if current else ""
        tags.append(f'<a href="{escape(link(entry.endpoint))}"{mark}>{label}{count}</a>')
    return Markup("\n    ".join(tags))


def nav_links(which: str, waiting: int | None) -> Markup:
    """The layout's `nav_links("side" | "bottom", waiting)`: the signed-in user's links on this page."""
    return links(SIDE if which == "side" else BOTTOM, current_user._get_current_object(), request.endpoint,
                 get_translations().ugettext, waiting)
