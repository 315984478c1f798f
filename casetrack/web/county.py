"""The county's roll-up (/county/<year>): the townships side by side, the county total, files and charts."""

from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casetrack import clock, permissions
from casetrack.domain.errors import DomainError
from casetrack.domain.figures import DEFINITIONS, RATE_KEYS
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import County
from casetrack.services import counties, county_files
from casetrack.services import county_rollup as cr
from casetrack.services import monthly_returns as mr
from casetrack.web.decorators import allowed_if

bp = Blueprint("county", __name__, url_prefix="/county")

FIRST_YEAR = 1949
FILES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _county() -> County | None:
    """The county read: a county account's own; an admin of no township picks one with ?county=<id>."""
    if current_user.county_id is not None:
        return db.session.get(County, current_user.county_id)
    chosen = request.args.get("county", type=int)
    all_counties = counties.all_counties()
    if chosen is not None:
        picked = [c for c in all_counties if c.id == chosen]
        if not picked:
            abort(404)
        return picked[0]
    return all_counties[0] if all_counties else None


def _period(year: int) -> Period:
    """The year, or ?month=M / ?quarter=Q of it; 404 for a period that does not exist or lies out of range."""
    if not FIRST_YEAR <= year <= clock.today().year + 1:
        abort(404)
    month, quarter = request.args.get("month", type=int), request.args.get("quarter", type=int)
    try:
        if month and quarter:
            abort(404)
        if month:
            return Period.of_month(year, month)
        if quarter:
            return Period.of_quarter(year, quarter)
        return Period.of_year(year)
    except DomainError:
        abort(404)


def _rollup(year: int):
    county = _county()
    period = _period(year)
    townships = counties.townships_of(county.id) if county else []
    sort = request.args.get("sort", "")
    descending = request.args.get("order", "desc") != "asc"
    return county, period, cr.rollup(period, townships, clock.today(), sort if sort in cr.HEADLINE else "",
                                     descending)


def file_title_of(county: County | None, period: Period) -> str:
    """The roll-up files' title: Chinese, as the files are."""
    return f"{county.name if county else ''}{period.label}各乡镇矛盾纠纷调处和信访工作汇总"


def title_of(county: County | None, period: Period) -> str:
    """The roll-up page's title in the reader's language (the files keep file_title_of)."""
    from casetrack.web.templating import period_label

    return _("%(county)s%(period)s各乡镇矛盾纠纷调处和信访工作汇总", county=county.name if county else "",
             period=period_label(period))


@bp.route("")
@allowed_if(permissions.can_read_county)
def index():
    """Go to this year's roll-up."""
    return redirect(url_for("county.year", year=clock.today().year, **request.args.to_dict()))


@bp.route("/<int:year>")
@allowed_if(permissions.can_read_county)
def year(year: int):
    """Each township's headline figures for the year (or ?month=, ?quarter=), the county total, and charts."""
    county, period, rollup = _rollup(year)
    today = clock.today()
    return_month = period if period.kind == "month" else mr.previous_month(today)
    returns = {s.township.id: s for s in mr.states([r.township for r in rollup.rows], return_month, today)} \
        if return_month.end < today else {}
    return render_template(
        "county/rollup.html", county=county, period=period, rollup=rollup, headline=cr.HEADLINE,
        returns=returns, return_month=return_month,
        label=cr.column_label, shown=cr.shown, definitions=DEFINITIONS, rate_keys=RATE_KEYS,
        charts=_charts(rollup), title=title_of(county, period),
        counties=counties.all_counties() if current_user.county_id is None else [],
        sort=request.args.get("sort", ""), order=request.args.get("order", "desc"),
        period_args=_period_args(),
    )


def _charts(rollup) -> list:
    """The roll-up's charts with their titles in the reader's language (the DOCX keeps them Chinese)."""
    from casetrack.web.templating import translate_label

    def title(text: str) -> str:
        return translate_label(text.removesuffix("(%)")) + (" (%)" if text.endswith("(%)") else "")

    return [(title(t), names, series, horizontal) for t, names, series, horizontal in county_files.charts(rollup)]


def _period_args() -> dict:
    return {k: request.args[k] for k in ("month", "quarter", "county") if request.args.get(k)}


@bp.route("/<int:year>.<any(docx, xlsx):fmt>")
@allowed_if(permissions.can_read_county)
def year_file(year: int, fmt: str):
    """The table as XLSX or DOCX, with a chart per figure."""
    county, period, rollup = _rollup(year)
    title = file_title_of(county, period)
    body = county_files.to_xlsx(title, rollup) if fmt == "xlsx" else county_files.to_docx(title, rollup)
    return Response(body, content_type=FILES[fmt], headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f"attachment; filename=\"county.{fmt}\"; filename*=UTF-8''{quote(title)}.{fmt}"})
