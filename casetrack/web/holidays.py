"""Admin page for the county-wide public-holiday calendar (放假安排) every time limit counts by."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Optional

from casetrack import clock, permissions
from casetrack.extensions import db
from casetrack.forms.base import CasetrackForm
from casetrack.models import CalendarDay
from casetrack.services import time_limits
from casetrack.web.decorators import allowed_if

bp = Blueprint("holidays", __name__, url_prefix="/admin/holidays")

# True data: the start of the State Council's 2026 notice, and two days of the 2026 plan as a CSV.
EXAMPLE = ("国务院办公厅关于2026年部分节假日安排的通知\n"
           "一、元旦:1月1日(周四)至3日(周六)放假调休,共3天。1月4日(周日)上班。\n"
           "……\n"
           "或 CSV:\n日期,类型\n2026-02-16,休\n2026-02-14,班")


class HolidayImportForm(CasetrackForm):
    upload = FileField(_l("节假日文件(国务院办公厅通知原文,或 CSV:日期,类型)"))
    text = TextAreaField(_l("或直接粘贴"), validators=[Optional()], render_kw={"rows": 8, "placeholder": EXAMPLE, "lang": "zh"})  # the notice's own words
    whole_plan = BooleanField(_l("CSV 为该年完整的放假安排(导入后该年的期限不再标“暂定”;通知原文总是完整的)"))


def _county_wide() -> None:
    """The calendar is county-wide: only an admin of no single township may change it."""
    if not permissions.can_edit_holiday_calendar(current_user):
        abort(403)


@bp.route("/", methods=["GET", "POST"])
@allowed_if(permissions.can_administer)
def index():
    """List entered holidays and make-up workdays per year; import a year's plan."""
    form = HolidayImportForm()
    status = 200
    editable = permissions.can_edit_holiday_calendar(current_user)
    if form.is_submitted():
        _county_wide()
    if form.validate_on_submit():
        raw = form.upload.data.read() if form.upload.data else (form.text.data or "").encode()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        try:
            with permissions.county_wide():  # one calendar serves every township: all their limits move with it
                counts = time_limits.import_calendar_days(text, whole_plan=form.whole_plan.data, actor=current_user)
        except ValueError as bad:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(bad)]
            status = 400
        else:
            db.session.commit()
            flash(_("已导入:%(years)s", years=",".join(f"{y}年{n}天" for y, n in counts.items())), "success")
            return redirect(url_for("holidays.index"))
    days = db.session.execute(select(CalendarDay).order_by(CalendarDay.day)).scalars().all()
    years = sorted({d.day.year for d in days} | {clock.today().year, clock.today().year + 1})
    calendar = time_limits.holiday_calendar()
    known = {y: calendar.knows_year(y) for y in years}
    return render_template("admin/holidays.html", form=form, days=days, years=years, known=known,
                           editable=editable, warning=_gap_warning()), status


def _gap_warning() -> str | None:
    year = time_limits.calendar_gap_year(clock.today())
    return _(time_limits.CALENDAR_GAP, year=year) if year else None
