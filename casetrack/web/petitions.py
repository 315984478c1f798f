"""Petition pages (信访): list, intake, petition page and the statutory steps."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from casetrack import clock, permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms import petitions as forms
from casetrack.i18n import domain_message
from casetrack.models import CaseEvent, Petition, PetitionCategory, Petitioner, Role, Township, Village
from casetrack.services import petitions as services
from casetrack.services import supervision, time_limits
from casetrack.services.places import dispute_types
from casetrack.services.queue import person_matches
from casetrack.web import listing
from casetrack.web.actions import PETITION, Action, run_action

bp = Blueprint("petitions", __name__, url_prefix="/petitions")
A = pw.PetitionAction


def load_petition(petition_id: int) -> Petition:
    """Load a petition the current user may see; 404 otherwise."""
    petition = db.session.execute(
        select(Petition).where(Petition.id == petition_id, permissions.petition_scope(current_user))
    ).scalar_one_or_none()
    if petition is None:
        abort(404)
    return petition


@bp.route("")
@login_required
def index():
    """List the petitions the user may see, newest first."""
    if listing.refused_search():  # an ID number or phone must not stay in the address, nor in the pager's links
        return redirect(url_for("petitions.index", **listing.args_without_search("status")))
    query = select(Petition).where(permissions.petition_scope(current_user))
    status = request.args.get("status")
    if status in [s.value for s in pw.PetitionState]:
        query = query.where(Petition.status == status)
    text = listing.search_text()
    if text:
        like = f"%{text}%"
        query = query.where(or_(
            Petition.number.like(like), Petition.request.like(like),
            Petition.id.in_(select(Petitioner.petition_id).where(person_matches(Petitioner, text))),
        ))
    page = listing.numbered_page(query.options(selectinload(Petition.petitioners), selectinload(Petition.category)),
                                 Petition.received_on.desc(), Petition.id.desc())
    today = clock.today()
    limits = {p.id: time_limits.petition_limit(p, today) for p in page.rows}
    return render_template("petitions/index.html", petitions=page.rows, limits=limits, total=page.total,
                           page=page.number, pages=page.count, status=status, q=text)


def _township_for_intake() -> Township | None:
    if current_user.township_id:
        return db.session.get(Township, current_user.township_id)
    return None


def _intake_form(township: Township) -> forms.PetitionIntakeForm:
    form = forms.PetitionIntakeForm()
    villages = db.session.execute(
        select(Village).where(permissions.village_scope(current_user), Village.township_id == township.id)
        .order_by(Village.position)
    ).scalars().all()
    if current_user.role is Role.MEDIATOR:
        form.village_id.choices = [(v.id, v.name) for v in villages]
        if request.method == "GET":
            form.village_id.data = current_user.village_id
    else:
        form.village_id.choices = [(None, "—"), *((v.id, v.name) for v in villages)]
    categories = db.session.execute(
        select(PetitionCategory).where(PetitionCategory.township_id == township.id, PetitionCategory.active.is_(True))
        .order_by(PetitionCategory.position)
    ).scalars()
    form.category_id.choices = [(c.id, c.name) for c in categories]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Register a petition (staff; a mediator for their own village)."""
    township = _township_for_intake()
    if not permissions.can_register_petition(current_user) or township is None:
        abort(403)
    form = _intake_form(township)
    if request.method == "POST" and request.form.get("add_party") == "petitioners":
        form.petitioners.append_entry()
        return render_template("petitions/new.html", form=form)
    if form.validate_on_submit():
        village_id = form.village_id.data
        if not permissions.can_register_petition_for(current_user, village_id):
            abort(403)
        intake = services.PetitionIntake(
            received_on=form.received_on.data, channel=pw.Channel(form.channel.data), category_id=form.category_id.data,
            request=form.request.data, persons=form.persons.data, village_id=village_id,
            level=pw.Level(form.level.data), cross_level=form.cross_level.data, disruptive=form.disruptive.data,
            repeat_of_number=(form.repeat_of_number.data or "").strip() or None,
            source=pw.Source(form.source.data), source_body=form.source_body.data,
            source_reference=form.source_reference.data, assigned_due_on=form.assigned_due_on.data,
            leader_received_by=form.leader_received_by.data,
            petitioners=[
                services.PetitionerData(
                    name=(row.form.name.data or "").strip(), id_number=(row.form.id_number.data or "").strip() or None,
                    phone=(row.form.phone.data or "").strip() or None, address=(row.form.address.data or "").strip() or None,
                    is_representative=row.form.is_representative.data,
                )
                for row in form.petitioners.entries if not row.form.is_blank()
            ],
        )
        try:
            petition = services.register_petition(current_user, township, intake, clock.today())
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
            return render_template("petitions/new.html", form=form), 400
        db.session.commit()
        flash(_("已登记信访 %(number)s。", number=petition.number), "success")
        return redirect(url_for("petitions.detail", petition_id=petition.id))
    return render_template("petitions/new.html", form=form), 400 if request.method == "POST" else 200


def _petition_actions(petition: Petition) -> list[tuple[str, str]]:
    return [(slug, action.title) for slug, action in ACTIONS.items()
            if permissions.can_act_on_petition(current_user, petition, slug) and action.offered(petition)]


@bp.route("/<int:petition_id>")
@login_required
def detail(petition_id: int):
    """Show a petition: next steps, its limits, petitioners, steps taken and the timeline."""
    petition = load_petition(petition_id)
    today = clock.today()
    events = db.session.execute(
        select(CaseEvent).where(CaseEvent.petition_id == petition.id)
        .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
    ).scalars().all()
    repeats = db.session.execute(
        select(Petition).where(Petition.repeat_of_id == petition.id, permissions.petition_scope(current_user))
        .order_by(Petition.received_on)
    ).scalars().all()
    return render_template(
        "petitions/detail.html", petition=petition, events=events, actions=_petition_actions(petition),
        limit=time_limits.petition_limit(petition, today), repeats=repeats,
        acceptance=time_limits.acceptance_deadline(petition), opinion=time_limits.opinion_deadline(petition),
        review_window=time_limits.review_request_deadline(petition),
        objection_window=time_limits.objection_deadline(petition),
        report_deadline=time_limits.completion_report_deadline(petition),
        review_answer=time_limits.review_answer_deadline(petition),
        second_review_answer=time_limits.second_review_answer_deadline(petition),
        second_review_window=time_limits.second_review_request_deadline(petition),
        show_personal=permissions.sees_petitioner_data(current_user, petition),
        collective=pw.is_collective(petition.persons, int(petition.township.setting("collective_threshold"))),
    )


def _allows(action: pw.PetitionAction):
    def offered(petition: Petition) -> bool:
        return action in pw.allowed_actions(petition.state)
    return offered


def _today():
    return clock.today()


def _warn_if_late(late: str) -> None:
    """Say that a late request was saved all the same: the petitioner keeps the right, the body decides."""
    if late:
        flash(_("申请已登记,但已超过申请期限:是否受理由本机关依法决定。"), "warning")


def _prepare_convert(petition: Petition, form) -> None:
    villages = petition.township.villages
    form.village_id.choices = [(v.id, v.name) for v in villages]
    form.dispute_type_id.choices = [(t.id, t.name) for t in dispute_types(petition.township_id)]
    if request.method == "GET" and petition.village_id:
        form.village_id.data = petition.village_id


def _prepare_approval(petition: Petition, form) -> None:
    if request.method == "GET" and petition.extension_requested_days:
        form.days.data = petition.extension_requested_days
        form.reason.data = petition.extension_requested_reason


def _prepare_report(petition: Petition, form) -> None:
    if request.method == "GET" and not form.sent_to.data:
        form.sent_to.data = petition.source_body


ACTIONS: dict[str, Action] = {
    "decide": Action(
        _l("受理、转送或交办"), forms.DecideForm, _allows(A.ACCEPT),
        lambda p, f: services.decide(p, current_user, pw.Decision(f.decision.data), f.decided_on.data, _today(), f.note.data,
                                     f.expected_version),
    ),
    "start": Action(_l("开始办理"), forms.StartForm, _allows(A.START),
                    lambda p, f: services.start(p, current_user, f.started_on.data, _today())),
    "request-extension": Action(
        _l("申请延期"), forms.ExtensionRequestForm,
        lambda p: _allows(A.EXTEND)(p) and not p.extension_days and not p.extension_requested_days,
        lambda p, f: services.request_extension(p, current_user, f.days.data, f.reason.data),
    ),
    "approve-extension": Action(
        _l("批准延期"), forms.ExtensionApprovalForm, lambda p: _allows(A.EXTEND)(p) and not p.extension_days,
        lambda p, f: services.extend(p, current_user, f.days.data, f.reason.data, f.approved_on.data, _today(),
                                     f.expected_version),
        _prepare_approval,
    ),
    "decline-extension": Action(
        _l("不批准延期"), forms.ExtensionDeclineForm, lambda p: bool(p.extension_requested_days),
        lambda p, f: services.decline_extension(p, current_user, f.note.data),
    ),
    "answer": Action(
        _l("出具处理意见"), forms.AnswerForm, _allows(A.ANSWER),
        lambda p, f: services.answer(p, current_user, pw.Opinion(f.opinion.data), f.opinion_text.data,
                                     f.answered_on.data, _today(), f.expected_version),
    ),
    "deliver": Action(_l("送达"), forms.DeliverForm, _allows(A.DELIVER),
                      lambda p, f: services.deliver(p, current_user, f.delivered_on.data, _today())),
    "rate": Action(_l("评价满意度"), forms.RateForm, _allows(A.RATE),
                   lambda p, f: services.rate(p, current_user, wf.Satisfaction(f.satisfaction.data))),
    "route": Action(
        _l("依法导入法定程序"), forms.RouteForm, _allows(A.ROUTE),
        lambda p, f: services.route_to_procedure(p, current_user, pw.LegalRoute(f.route.data), f.body.data,
                                                 f.told_on.data, _today(), f.expected_version),
    ),
    "object": Action(
        _l("提出异议"), forms.ObjectionForm,
        lambda p: _allows(A.OBJECT)(p) and p.source_enum.from_above and p.objection_outcome is None,
        lambda p, f: services.object_to_referral(p, current_user, f.raised_on.data, f.reason.data, _today(),
                                                 f.expected_version),
    ),
    "objection-outcome": Action(
        _l("记录异议核实结果"), forms.ObjectionOutcomeForm, lambda p: p.objection_outcome == "pending",
        lambda p, f: services.record_objection_outcome(p, current_user, f.outcome.data == "agreed",
                                                       f.answered_on.data, _today(), f.expected_version),
    ),
    "report": Action(
        _l("提交办结报告"), forms.CompletionReportForm,
        lambda p: p.source == pw.Source.ASSIGNED_IN.value and p.completion_report_on is None
        and (p.answered_on is not None or p.legal_route is not None),
        lambda p, f: services.report_completion(p, current_user, f.reported_on.data, f.sent_to.data, f.content.data,
                                                _today(), f.expected_version),
        _prepare_report,
    ),
    "request-review": Action(_l("转报复查申请"), forms.ForwardedRequestForm, _allows(A.REQUEST_REVIEW),
                             lambda p, f: _warn_if_late(services.request_review(
                                 p, current_user, f.requested_on.data, _today(), f.late_note.data, f.body.data))),
    "answer-review": Action(
        _l("收到复查答复"), forms.ReviewAnswerDeliveredForm, _allows(A.ANSWER_REVIEW),
        lambda p, f: services.answer_review(p, current_user, f.result.data, f.answered_on.data, _today(),
                                            f.delivered_on.data),
    ),
    "request-second-review": Action(
        _l("转报复核申请"), forms.ForwardedRequestForm, _allows(A.REQUEST_SECOND_REVIEW),
        lambda p, f: _warn_if_late(services.request_second_review(
            p, current_user, f.requested_on.data, _today(), f.late_note.data, f.body.data)),
    ),
    "answer-second-review": Action(
        _l("收到复核答复"), forms.ReviewAnswerForm, _allows(A.ANSWER_SECOND_REVIEW),
        lambda p, f: services.answer_second_review(p, current_user, f.result.data, f.answered_on.data, _today()),
    ),
    "close": Action(_l("终结"), forms.CloseForm, _allows(A.CLOSE),
                    lambda p, f: services.close(p, current_user, f.closed_on.data, _today())),
    "level": Action(
        _l("记录到达层级"), forms.LevelForm, lambda p: pw.is_open(p.state) and pw.Level(p.level) is not pw.Level.BEIJING,
        lambda p, f: services.record_level(p, current_user, pw.Level(f.level.data), f.reached_on.data, _today(),
                                           f.expected_version),
    ),
    "disruptive": Action(
        _l("依法处置缠访闹访"), forms.DisruptiveForm,
        lambda p: pw.is_open(p.state) and p.police_referred_on is None,  # while the matter is handled, once
        lambda p, f: services.record_disruptive(p, current_user, f.police_referred_on.data, _today(),
                                                f.expected_version),
    ),
    "supervise": Action(
        _l("督办"), forms.SuperviseForm, lambda p: pw.is_open(p.state),
        lambda p, f: supervision.supervise_petition(p, current_user, f.note.data, f.due_on.data, _today()),
    ),
    "convert": Action(
        _l("转为调解案件"), forms.ConvertForm, lambda p: _allows(A.CONVERT_TO_MEDIATION)(p) and not p.disputes,
        lambda p, f: services.convert_to_mediation(p, current_user, f.village_id.data, f.dispute_type_id.data,
                                                   f.registered_on.data, _today(), f.respondent.data),
        _prepare_convert,
    ),
}


@bp.route("/<int:petition_id>/<any(" + ", ".join(f"'{s}'" for s in ACTIONS) + "):slug>", methods=["GET", "POST"])
@login_required
def act(petition_id: int, slug: str):
    """Show a step's form or take it; a refused step changes nothing and answers 409."""
    petition = load_petition(petition_id)
    if not permissions.can_act_on_petition(current_user, petition, slug):
        abort(403)
    done = None
    if slug == "convert":
        def done(dispute):
            return url_for("cases.detail", case_id=dispute.id)
    return run_action(PETITION, slug, ACTIONS[slug], petition, lambda: load_petition(petition_id), done)
