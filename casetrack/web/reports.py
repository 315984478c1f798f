"""Statistics and the annual report: figures with definitions, links to their cases, text, files, freeze."""

import json
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from casetrack import clock, permissions
from casetrack.domain import report_text
from casetrack.domain import statistics as st
from casetrack.domain.errors import DomainError
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import ReportSnapshot, Township
from casetrack.services import report_files
from casetrack.services import statistics as stats

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = {"json": "application/json", "md": "text/markdown; charset=utf-8",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def resolve_scope() -> stats.Scope:
    """The township the user reports on; a county admin picks one with ?township=<id> or all."""
    if not permissions.can_read_reports(current_user):
        abort(403)
    if current_user.township_id is not None:
        return stats.Scope((db.session.get(Township, current_user.township_id),))
    townships = tuple(_townships_seen())
    chosen = request.args.get("township", "all")
    if chosen != "all":
        picked = [t for t in townships if str(t.id) == chosen]
        if not picked:
            abort(404)
        return stats.Scope((picked[0],))
    return stats.Scope(townships, all_townships=True)


def _townships_seen() -> list[Township]:
    """The townships a user of no single township reports on: a county account its county's, an admin all."""
    query = select(Township).order_by(Township.id)
    if current_user.county_id is not None:
        query = query.where(Township.id.in_(sorted(permissions.reach_of(current_user).township_ids or ())))
    return list(db.session.execute(query).scalars())


def _page(period: Period):
    scope = resolve_scope()
    today = clock.today()
    current = stats.figures(period, scope, today)
    snapshot = report_files.snapshot(period, scope)
    shown = st.complete_frozen(snapshot.figures) if snapshot else current
    previous = period.previous()
    # Compared only where casetrack holds the previous period's records (not the years before it was used).
    change = st.change(stats.figures(previous, scope, today), shown) if stats.comparable(previous, scope) else {}
    targets = {} if scope.all_townships else dict(scope.townships[0].setting("targets") or {})
    return render_template(
        "reports/report.html", period=period, scope=scope, figures=shown, snapshot=snapshot,
        drift=st.drift(shown, current) if snapshot else {},
        change=change, previous=previous,
        missed=st.targets_missed(shown, targets), targets=targets,
        rows=report_files.scalar_rows(shown), breakdowns=report_files.breakdowns(shown),
        charted_breakdowns=report_files.CHARTED_BREAKDOWNS,
        paragraphs=report_text.report_paragraphs(shown, report_files.wording_for(period, scope)),
        closures=stats.closures_by_month(period, scope, today), nil_return=stats.is_nil_return(shown),
        townships=_townships_seen() if current_user.township_id is None else [],
        title=page_title(period, scope), may_freeze=permissions.can_freeze_reports(current_user),
    )


def page_title(period: Period, scope: stats.Scope) -> str:
    """The report's title in the reader's language (the files keep report_files.report_title, Chinese)."""
    from casetrack.web.templating import period_label

    name = _("全部乡镇") if scope.all_townships else scope.name
    return _("%(name)s%(period)s矛盾纠纷排查调处和信访工作统计", name=name, period=period_label(period))


def _export(period: Period, fmt: str):
    scope = resolve_scope()
    today = clock.today()
    body = report_files.render(period, scope, report_files.published_figures(period, scope, today), fmt, today)
    filename = f"{report_files.report_title(period, scope)}.{fmt}"
    headers = {"Cache-Control": "no-store"}  # the files name cases and figures not yet published
    if fmt != "json":
        headers["Content-Disposition"] = _attachment(filename)
    return Response(body, content_type=FORMATS[fmt], headers=headers)


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"report.{filename.rsplit('.', 1)[1]}\"; filename*=UTF-8''{quote(filename)}"


@bp.route("")
@login_required
def index():
    """Go to a year's report: ?year=Y when it is one the reports cover, else this year's."""
    args = request.args.to_dict()
    asked = args.pop("year", "")
    year = int(asked) if asked.isascii() and asked.isdigit() and _reported(int(asked)) else clock.today().year
    return redirect(url_for("reports.year", year=year, **args))


FIRST_YEAR = 1949  # no township kept a ledger before; years past next one have no cases either


def _reported(year: int) -> bool:
    return FIRST_YEAR <= year <= clock.today().year + 1


@bp.route("/<int:year>")
@login_required
def year(year: int):
    """The year's figures, report text, breakdowns and charts."""
    return _page(_checked(lambda: Period.of_year(year), year))


@bp.route("/<int:year>/<int:month>")
@login_required
def month(year: int, month: int):
    """A monthly return (月报); a nil return (零报告) when nothing happened."""
    return _page(_checked(lambda: Period.of_month(year, month), year))


@bp.route("/<int:year>/q<int:quarter>")
@login_required
def quarter(year: int, quarter: int):
    return _page(_checked(lambda: Period.of_quarter(year, quarter), year))


def _checked(make, year: int):
    """Return the period, or answer 404 for one that does not exist or lies outside the years reported on."""
    if not _reported(year):
        abort(404)
    try:
        return make()
    except DomainError:
        abort(404)


@bp.route("/<int:year>.<any(json, md, docx, xlsx):fmt>")
@login_required
def year_file(year: int, fmt: str):
    """The year's figures as JSON (the contract), Markdown, DOCX or XLSX."""
    return _export(_checked(lambda: Period.of_year(year), year), fmt)


@bp.route("/<int:year>/<int:month>.<any(json, md, docx, xlsx):fmt>")
@login_required
def month_file(year: int, month: int, fmt: str):
    return _export(_checked(lambda: Period.of_month(year, month), year), fmt)


@bp.route("/<int:year>/q<int:quarter>.<any(json, md, docx, xlsx):fmt>")
@login_required
def quarter_file(year: int, quarter: int, fmt: str):
    return _export(_checked(lambda: Period.of_quarter(year, quarter), year), fmt)


@bp.route("/<period_key>/freeze", methods=["POST"])
@login_required
def freeze(period_key: str):
    """Freeze a period's figures as published; later changes show apart as drift."""
    if not permissions.can_freeze_reports(current_user):
        abort(403)
    try:
        period = Period.parse(period_key)
    except (DomainError, ValueError):  # ValueError: a year the calendar does not have (0, 10000)
        abort(404)
    if not _reported(period.year):
        abort(404)
    scope = resolve_scope()
    if report_files.snapshot(period, scope):
        return render_template("errors/refused.html", message=_("%(p)s的统计数字已冻结,不能重复冻结。", p=period.label)), 409
    figures = stats.figures(period, scope, clock.today())
    db.session.add(ReportSnapshot(scope=scope.key, period=period.key, frozen_by_id=current_user.id,
                                  figures=json.loads(json.dumps(figures, default=str))))
    db.session.commit()
    flash(_("已冻结%(p)s的统计数字。", p=period.label), "success")
    return redirect(_period_url(period))


def _period_url(period: Period) -> str:
    if period.kind == "year":
        return url_for("reports.year", year=period.year)
    if period.kind == "quarter":
        return url_for("reports.quarter", year=period.year, quarter=period.quarter)
    return url_for("reports.month", year=period.year, month=period.month)
