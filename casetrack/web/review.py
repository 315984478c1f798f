"""Township review of a case: send back for correction, merge a duplicate, and major disputes' responsibility,
leaders' supervision (督办) and prevented escalations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casetrack import clock, permissions
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.base import CasetrackForm
from casetrack.forms.validators import BAD_NUMBER, REQUIRED
from casetrack.i18n import domain_message
from casetrack.models import Dispute
from casetrack.services import review, supervision
from casetrack.services.disputes import EditConflict
from casetrack.web.decorators import allowed_if

bp = Blueprint("review", __name__, url_prefix="/cases")


class SendBackForm(CasetrackForm):
    version = HiddenField()
    note = TextAreaField(_l("需要补正的内容"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class CorrectedForm(CasetrackForm):
    version = HiddenField()
    note = TextAreaField(_l("补正说明"), validators=[Optional(), Length(max=2000)])


class MergeForm(CasetrackForm):
    version = HiddenField()
    original = StringField(_l("原案件编号"), validators=[DataRequired(REQUIRED), Length(max=40)],
                           render_kw={"placeholder": "(2026)斜调字第12号"})


class ResponsibilityForm(CasetrackForm):
    version = HiddenField()
    unit = StringField(_l("责任单位"), validators=[DataRequired(REQUIRED), Length(max=120)])
    leader = StringField(_l("责任领导"), validators=[DataRequired(REQUIRED), Length(max=60)])
    person = StringField(_l("责任人员"), validators=[DataRequired(REQUIRED), Length(max=60)])


class SuperviseForm(CasetrackForm):
    version = HiddenField()
    note = TextAreaField(_l("督办意见"), validators=[DataRequired(REQUIRED), Length(max=2000)])
    due_on = DateField(_l("督办期限"), validators=[InputRequired(REQUIRED)], render_kw={"type": "date"})


class PreventionForm(CasetrackForm):
    version = HiddenField()
    criminal_persons = IntegerField(_l("防止民转刑涉及人数(没有填0)"), default=0, validators=[
        InputRequired(BAD_NUMBER), NumberRange(min=0, max=100000, message=_l("人数不能为负数"))],
        render_kw={"inputmode": "numeric"})
    group_persons = IntegerField(_l("防止群体性上访涉及人数(没有填0)"), default=0, validators=[
        InputRequired(BAD_NUMBER), NumberRange(min=0, max=100000, message=_l("人数不能为负数"))],
        render_kw={"inputmode": "numeric"})


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
    form = form_class(obj=_prefill(form_class, dispute) if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = dispute.version
    elif form.validate_on_submit():
        try:
            perform(dispute, form)
            db.session.commit()
        except (DomainError, StaleDataError) as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused if isinstance(refused, DomainError) else EditConflict()))
            return render_template("cases/review_action.html", case=_load(case_id), form=form, title=title), 409
        flash(_("已保存:%(action)s。", action=title), "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/review_action.html", case=dispute, form=form, title=title), status


def _may(action: str):
    """The rule of casetrack.permissions for this action on a case, for the signed-in user."""
    return lambda dispute: permissions.can_act(current_user, dispute, action)


@bp.route("/<int:case_id>/send-back", methods=["GET", "POST"])
@login_required
def send_back(case_id: int):
    """Staff return a village's case to its mediator with a note."""
    return _handle(case_id, SendBackForm, _("退回补正"), _may("send_back"),
                   lambda d, f: review.send_back(d, current_user, f.note.data, _version(f)))


@bp.route("/<int:case_id>/corrected", methods=["GET", "POST"])
@login_required
def corrected(case_id: int):
    """The mediator (or staff) records that the case was corrected."""
    return _handle(case_id, CorrectedForm, _("补正完毕"), _may("corrected"),
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
            raise DomainError("本乡镇没有编号为“%(n)s”的案件。", n=form.original.data.strip())
        review.merge(dispute, original, current_user, _version(form))

    return _handle(case_id, MergeForm, _("合并重复案件"), _may("merge"), perform)


def _prefill(form_class, dispute: Dispute):
    """Show what a case already records when its form opens."""
    if form_class is ResponsibilityForm:
        return type("Prefill", (), {"unit": dispute.responsible_unit, "leader": dispute.responsible_leader,
                                    "person": dispute.responsible_person})()
    if form_class is PreventionForm:
        return type("Prefill", (), {"criminal_persons": dispute.prevented_criminal_persons,
                                    "group_persons": dispute.prevented_group_petition_persons})()
    return None


@bp.route("/<int:case_id>/responsibility", methods=["GET", "POST"])
@login_required
def responsibility(case_id: int):
    """Name who answers for a major dispute (领导包案)."""
    return _handle(case_id, ResponsibilityForm, _("明确包案责任"), _may("responsibility"),
                   lambda d, f: supervision.name_responsibility(d, current_user, f.unit.data, f.leader.data,
                                                                f.person.data, _version(f)))


@bp.route("/<int:case_id>/supervise", methods=["GET", "POST"])
@login_required
def supervise(case_id: int):
    """A leader supervises the case (督办) with a note and a deadline."""
    return _handle(case_id, SuperviseForm, _("督办"),
                   _may("supervise"),
                   lambda d, f: supervision.supervise(d, current_user, f.note.data, f.due_on.data, clock.today()))


@bp.route("/<int:case_id>/prevention", methods=["GET", "POST"])
@login_required
def prevention(case_id: int):
    """Record prevented escalations: 防止民转刑, 防止群体性上访, with the people involved."""
    return _handle(case_id, PreventionForm, _("防止激化情况"), _may("prevention"),
                   lambda d, f: supervision.record_prevention(d, current_user, f.criminal_persons.data,
                                                              f.group_persons.data, _version(f)))


@bp.route("/supervised", methods=["GET"])
@allowed_if(permissions.can_list_supervised)
def supervised():
    """A leader's list of the cases they supervise, until each is closed."""
    return render_template("cases/supervised.html", cases=supervision.leader_list(current_user),
                           petitions=supervision.leader_petition_list(current_user), today=clock.today())
