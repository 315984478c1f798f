"""Township review of a case: send back for correction, mark corrected, merge a duplicate."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from casetrack import permissions
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.validators import REQUIRED
from casetrack.models import Dispute, Role
from casetrack.services import review
from casetrack.services.disputes import EditConflict

bp = Blueprint("review", __name__, url_prefix="/cases")


class SendBackForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField(_l("需要补正的内容"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class CorrectedForm(FlaskForm):
    version = HiddenField()
    note = TextAreaField(_l("补正说明"), validators=[Optional(), Length(max=2000)])


class MergeForm(FlaskForm):
    version = HiddenField()
    original = StringField(_l("原案件编号"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           render_kw={"placeholder": "(2026)斜调字第12号"})


def _load(case_id: int) -> Dispute:
    dispute = db.session.execute(select(Dispute).where(Dispute.id == case_id, permissions.dispute_scope(current_user))
                                 ).scalar_one_or_none()
    if dispute is None:
        abort(404)
    return dispute


def _version(form) -> int | None:
    return int(form.version.data) if (form.version.data or "").isdigit() else None


def _handle(case_id: int, form_class, title: str, allowed, perform):
    dispute = _load(case_id)
    if not allowed(dispute):
        abort(403)
    form = form_class()
    if request.method == "GET":
        form.version.data = dispute.version
    elif form.validate_on_submit():
        try:
            perform(dispute, form)
            db.session.commit()
        except (DomainError, StaleDataError) as refused:
            db.session.rollback()
            form.form_errors.append(str(refused) if isinstance(refused, DomainError) else str(EditConflict()))
            return render_template("cases/review_action.html", case=_load(case_id), form=form, title=title), 409
        flash(_("已保存:%(action)s。", action=title), "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/review_action.html", case=dispute, form=form, title=title), status


def _staff_of(dispute: Dispute) -> bool:
    return current_user.role_enum is Role.STAFF and dispute.township_id == current_user.township_id


@bp.route("/<int:case_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back(case_id: int):
    """Staff return a village's case to its mediator with a note."""
    return _handle(case_id, SendBackForm, _("退回补正"), _staff_of,
                   lambda d, f: review.send_back(d, current_user, f.note.data, _version(f)))


@bp.route("/<int:case_id>/corrected", methods=["GET", "POST"])
@login_required
def corrected(case_id: int):
    """The mediator (or staff) records that the case was corrected."""
    return _handle(case_id, CorrectedForm, _("补正完毕"), lambda d: permissions.can_act(current_user, d)
                   or (current_user.role_enum is Role.MEDIATOR and d.village_id == current_user.village_id),
                   lambda d, f: review.mark_corrected(d, current_user, f.note.data or "", _version(f)))


@bp.route("/<int:case_id>/merge", methods=["GET", "POST"])
@login_required
def merge(case_id: int):
    """Staff merge a duplicate registration into the original case."""

    def perform(dispute, form):
        original = db.session.execute(select(Dispute).where(
            Dispute.number == form.original.data.strip(), Dispute.township_id == dispute.township_id)
        ).scalar_one_or_none()
        if original is None:
            raise DomainError(_("本乡镇没有编号为“%(n)s”的案件。", n=form.original.data.strip()))
        review.merge(dispute, original, current_user, _version(form))

    return _handle(case_id, MergeForm, _("合并重复案件"), _staff_of, perform)
