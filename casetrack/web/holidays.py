"""Admin page for the public-holiday calendar (放假安排) that working-day limits count by."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Optional

from casetrack import clock, permissions
from casetrack.domain.holiday_calendar import package_knows_year
from casetrack.extensions import db
from casetrack.forms.base import CasetrackForm
from casetrack.models import CalendarDay, Role
from casetrack.services import time_limits
from casetrack.web.decorators import roles_required

bp = Blueprint("holidays", __name__, url_prefix="/admin/holidays")


class HolidayImportForm(CasetrackForm):
    upload = FileField(_l("节假日文件(CSV:日期,类型)"))
    text = TextAreaField(_l("或直接粘贴"), validators=[Optional()],
                         render_kw={"rows": 8, "placeholder": "日期,类型\n2027-01-01,休\n2027-02-06,班"})


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    """List entered holidays and make-up workdays per year; import a year's plan."""
    form = HolidayImportForm()
    status = 200
    if form.validate_on_submit():
        raw = form.upload.data.read() if form.upload.data else (form.text.data or "").encode()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        try:
            with permissions.county_wide():  # one calendar serves every township: all their limits move with it
                counts = time_limits.import_calendar_days(text)
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
    known = {y: (y in {d.day.year for d in days}) or package_knows_year(y) for y in years}
    return render_template("admin/holidays.html", form=form, days=days, years=years, known=known,
                           warning=time_limits.calendar_gap_warning(clock.today())), status
