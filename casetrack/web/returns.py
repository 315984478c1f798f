"""Monthly returns (月报): the township submits, the county accepts or sends back; every version is kept."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from casetrack import clock, permissions
from casetrack.domain.errors import DomainError
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.forms.returns import SendBackForm, SubmitReturnForm
from casetrack.i18n import domain_message
from casetrack.models import MonthlyReturn, Township
from casetrack.services import county_rollup as cr
from casetrack.services import monthly_returns as mr
from casetrack.web.decorators import allowed_if

bp = Blueprint("returns", __name__, url_prefix="/returns")


@bp.route("")
@allowed_if(permissions.can_submit_returns)
def index():
    """The township's returns: this year's ended months, each with its state, and the one due now to submit."""
    township = db.session.get(Township, current_user.township_id)
    today = clock.today()
    due = mr.previous_month(today)
    months = [Period.of_month(due.year, m) for m in range(due.month, 0, -1)]
    return render_template("returns/index.html", township=township, states=mr.states_by_month(township, months, today),
                           due=due, form=SubmitReturnForm(formdata=None), today=today)


@bp.route("/<int:year>/<int:month>/submit", methods=["POST"])
@allowed_if(permissions.can_submit_returns)
def submit(year: int, month: int):
    """Submit the month's return (its figures as at the month's end); again, after it was sent back."""
    try:
        period = Period.of_month(year, month)
    except (DomainError, ValueError):
        abort(404)
    form = SubmitReturnForm()
    if not form.validate_on_submit():
        flash(_("说明不能超过500字。"), "error")
        return redirect(url_for("returns.index"))
    township = db.session.get(Township, current_user.township_id)
    try:
        row = mr.submit(township, period, current_user, clock.today(), form.note.data or "")
    except DomainError as refused:
        db.session.rollback()
        flash(domain_message(refused), "error")
        return redirect(url_for("returns.index"))
    db.session.commit()
    flash(_("已报送%(p)s月报(第%(v)s版)。", p=period.label, v=row.version), "success")
    return redirect(url_for("returns.show", return_id=row.id))


def _return(return_id: int) -> MonthlyReturn:
    row = db.session.get(MonthlyReturn, return_id)
    if row is None or not permissions.can_read_return(current_user, row):
        abort(404)
    return row


@bp.route("/<int:return_id>")
@login_required
def show(return_id: int):
    """One version of a return: its frozen figures and text, every version of the month, and the county's review."""
    row = _return(return_id)
    period = Period.parse(row.period)
    flat = {key: _flat(row.figures).get(key) for key in cr.HEADLINE}
    return render_template(
        "returns/show.html", row=row, period=period, versions=mr.versions(row.township_id, period),
        headline=cr.HEADLINE, label=cr.column_label, shown=cr.shown, values=flat,
        may_review=permissions.can_review_return(current_user, row) and row.status == "submitted",
        send_back_form=SendBackForm(formdata=None), accept_form=SubmitReturnForm(formdata=None),
        due=mr.due_on(period),
    )


def _flat(figures: dict) -> dict:
    from casetrack.domain import statistics as st

    return st.scalar_figures({k: figures[k] for k in st.SECTIONS if k in figures})


@bp.route("/<int:return_id>/accept", methods=["POST"])
@login_required
def accept(return_id: int):
    """The county accepts the return: its figures are frozen."""
    row = _return(return_id)
    if not permissions.can_review_return(current_user, row):
        abort(403)
    if not SubmitReturnForm().validate_on_submit():
        abort(400)
    try:
        mr.accept(row, current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(domain_message(refused), "error")
        return redirect(url_for("returns.show", return_id=row.id)), 303
    db.session.commit()
    flash(_("已接收%(t)s%(p)s月报。", t=row.township.name, p=Period.parse(row.period).label), "success")
    return redirect(url_for("returns.show", return_id=row.id))


@bp.route("/<int:return_id>/send-back", methods=["POST"])
@login_required
def send_back(return_id: int):
    """The county sends the return back with its reason; the township corrects and submits again."""
    row = _return(return_id)
    if not permissions.can_review_return(current_user, row):
        abort(403)
    form = SendBackForm()
    if not form.validate_on_submit():
        period = Period.parse(row.period)
        return render_template(
            "returns/show.html", row=row, period=period, versions=mr.versions(row.township_id, period),
            headline=cr.HEADLINE, label=cr.column_label, shown=cr.shown,
            values={key: _flat(row.figures).get(key) for key in cr.HEADLINE},
            may_review=row.status == "submitted", send_back_form=form, accept_form=SubmitReturnForm(formdata=None),
            due=mr.due_on(period)), 400
    try:
        mr.send_back(row, current_user, form.reason.data)
    except DomainError as refused:
        db.session.rollback()
        form.reason.errors.append(domain_message(refused))
        return redirect(url_for("returns.show", return_id=row.id))
    db.session.commit()
    flash(_("已退回%(t)s%(p)s月报。", t=row.township.name, p=Period.parse(row.period).label), "success")
    return redirect(url_for("returns.show", return_id=row.id))
