"""Admin page of counties (县): create one and choose the townships it holds (a county-wide admin only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from casetrack import permissions
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.counties import CountyForm
from casetrack.i18n import domain_message
from casetrack.models import County, Township
from casetrack.services import counties
from casetrack.web.decorators import blueprint_allowed_if

bp = Blueprint("counties_admin", __name__, url_prefix="/admin/counties")


# Counties span townships: only an admin of no single township (the one who keeps the calendar) keeps them.
blueprint_allowed_if(bp, permissions.can_edit_holiday_calendar)


def _form(county: County | None = None, formdata=None) -> CountyForm:
    form = CountyForm(formdata=formdata) if formdata is not None else CountyForm()
    townships = db.session.execute(select(Township).order_by(Township.id)).scalars().all()
    form.townships.choices = [
        (t.id, t.name if t.county is None or (county and t.county_id == county.id) else f"{t.name}({t.county.name})")
        for t in townships if t.county_id is None or (county is not None and t.county_id == county.id)]
    return form


@bp.route("", methods=["GET", "POST"])
def index():
    """List the counties with their townships; create a county."""
    form = _form()
    if form.validate_on_submit():
        try:
            names = [db.session.get(Township, t).name for t in form.townships.data]
            county = counties.add_county(form.name.data, names)
            db.session.commit()
            flash(_("已创建%(name)s。", name=county.name), "success")
            return redirect(url_for("counties_admin.index"))
        except DomainError as refused:
            db.session.rollback()
            form.name.errors.append(domain_message(refused))
    edit_forms = {}
    for county in counties.all_counties():
        edit = _form(county, formdata=None)
        edit.name.data = county.name
        edit.townships.data = [t.id for t in county.townships]
        edit_forms[county.id] = edit
    return render_template("county/admin.html", form=form, counties=counties.all_counties(),
                           edit_forms=edit_forms), 400 if request.method == "POST" else 200


@bp.route("/<int:county_id>", methods=["POST"])
def update(county_id: int):
    """Set the townships a county holds: those ticked join it, those unticked leave it."""
    county = db.session.get(County, county_id) or abort(404)
    form = _form(county, formdata=request.form)
    form.name.data = county.name
    if not form.validate_on_submit():
        flash(_("所选乡镇无效,未作更改。"), "error")
        return redirect(url_for("counties_admin.index"))
    wanted = set(form.townships.data)
    try:
        for township in list(county.townships):
            if township.id not in wanted:
                counties.release_township(county, township)
        for township_id in sorted(wanted):
            counties.assign_township(county, db.session.get(Township, township_id))
        db.session.commit()
    except DomainError as refused:
        db.session.rollback()
        flash(domain_message(refused), "error")
        return redirect(url_for("counties_admin.index"))
    flash(_("已保存%(name)s的乡镇。", name=county.name), "success")
    return redirect(url_for("counties_admin.index"))
