"""Dispute pages: list, intake, case page, facts correction and the workflow actions."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from casetrack import clock, permissions
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms import cases as forms
from casetrack.i18n import domain_message
from casetrack.models import CaseEvent, Dispute, DisputeType, NaturalVillage, Party, Role, User, Village
from casetrack.services import disputes as services
from casetrack.services import judicial_confirmation, review, time_limits
from casetrack.services.places import dispute_types
from casetrack.web import listing

bp = Blueprint("cases", __name__, url_prefix="/cases")


def load_case(case_id: int) -> Dispute:
    """Load a dispute the current user may see; 404 otherwise, so its existence is not revealed."""
    dispute = db.session.execute(
        select(Dispute).where(Dispute.id == case_id, permissions.dispute_scope(current_user))
    ).scalar_one_or_none()
    if dispute is None:
        abort(404)
    return dispute


def _village_choices() -> list[tuple[int, str]]:
    villages = db.session.execute(
        select(Village).where(permissions.village_scope(current_user)).order_by(Village.township_id, Village.position)
    ).scalars()
    return [(v.id, v.name) for v in villages]


def _natural_choices(village_ids: list[int]) -> list[tuple[int | None, str]]:
    naturals = db.session.execute(
        select(NaturalVillage).join(Village).where(NaturalVillage.village_id.in_(village_ids))
        .order_by(Village.position, NaturalVillage.name)
    ).scalars()
    return [(None, "—"), *((n.id, f"{n.village.name} · {n.name}") for n in naturals)]


def _type_choices(township_id: int | None, current: DisputeType | None = None) -> list[tuple[int, str]]:
    """The township's active dispute types; a case's own type stays choosable after it was retired."""
    choices = [(t.id, t.name) for t in dispute_types(township_id)] if township_id else []
    if current is not None and not current.active:
        choices.append((current.id, _("%(name)s(已停用)", name=current.name)))
    return choices


@bp.route("")
@login_required
def index():
    """List the disputes the user may see, newest first, filtered by status and text."""
    if listing.refused_search():  # an ID number or phone must not stay in the address, nor in the pager's links
        return redirect(url_for("cases.index", **listing.args_without_search("status")))
    query = select(Dispute).where(permissions.dispute_scope(current_user))
    status = request.args.get("status")
    if status in [s.value for s in wf.DisputeState]:
        query = query.where(Dispute.status == status)
    text = listing.search_text()
    if text:
        like = f"%{text}%"
        query = query.where(or_(
            Dispute.number.like(like), Dispute.summary.like(like),
            Dispute.id.in_(select(Party.dispute_id).where(Party.name.like(like))),
        ))
    page = listing.numbered_page(
        query.options(selectinload(Dispute.parties), selectinload(Dispute.village), selectinload(Dispute.dispute_type)),
        Dispute.registered_on.desc(), Dispute.id.desc(),
    )
    return render_template("cases/index.html", disputes=page.rows, total=page.total, page=page.number,
                           pages=page.count, status=status, q=text)


def _intake_form() -> forms.IntakeForm:
    form = forms.IntakeForm()
    form.village_id.choices = _village_choices()
    form.natural_village_id.choices = _natural_choices([v for v, _n in form.village_id.choices])
    township_id = current_user.township_id
    if township_id is None and form.village_id.choices:  # a county admin registers in the chosen village's township
        chosen = db.session.get(Village, form.village_id.data or form.village_id.choices[0][0])
        township_id = chosen.township_id if chosen else None
    form.dispute_type_id.choices = _type_choices(township_id)
    if current_user.role_enum is Role.MEDIATOR and request.method == "GET":
        form.village_id.data = current_user.village_id
    return form


def _parties(form: forms.IntakeForm) -> list[services.PartyData]:
    result = []
    for side, rows in ((wf.PartySide.APPLICANT, form.applicants), (wf.PartySide.RESPONDENT, form.respondents)):
        for entry in rows.entries:
            row = entry.form
            if row.is_blank():
                continue
            result.append(services.PartyData(
                side=side, name=row.name.data.strip(),
                gender=wf.Gender(row.gender.data) if row.gender.data else None,
                id_number=(row.id_number.data or "").strip() or None,
                phone=(row.phone.data or "").strip() or None,
                address=(row.address.data or "").strip() or None,
            ))
    return result


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Register (登记) a dispute; the form comes back with messages beside the fields when input is wrong."""
    if not permissions.can_register(current_user):
        abort(403)
    form = _intake_form()
    if request.method == "POST" and request.form.get("add_party") in ("applicants", "respondents"):
        getattr(form, request.form["add_party"]).append_entry()  # the no-JavaScript way to add a party row
        return render_template("cases/new.html", form=form)
    if form.validate_on_submit():
        intake = services.DisputeIntake(
            village_id=form.village_id.data, natural_village_id=form.natural_village_id.data,
            dispute_type_id=form.dispute_type_id.data, source=wf.Source(form.source.data),
            channel=wf.Channel(form.channel.data), registered_on=form.registered_on.data,
            summary=form.summary.data, parties=_parties(form), people_involved=form.people_involved.data,
            risk_level=wf.RiskLevel(form.risk_level.data), police_reported=form.police_reported.data,
            referral_origin=wf.ReferralOrigin(form.referral_origin.data) if form.referral_origin.data else None,
            referral_body=form.referral_body.data, referral_received_on=form.referral_received_on.data,
        )
        candidates = [] if request.form.get("not_duplicate") else review.duplicate_candidates(
            intake.village_id, [p.name for p in intake.parties], [p.id_number for p in intake.parties],
            [p.phone for p in intake.parties])
        if candidates:  # shown before saving: the user confirms it is a new matter, or opens the open case
            shown, beyond = _within_reach(candidates)
            return render_template("cases/new.html", form=form, candidates=shown, beyond_reach=beyond), 409
        try:
            dispute = services.register_dispute(current_user, intake, clock.today())
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
            return render_template("cases/new.html", form=form), 400
        db.session.commit()
        flash(_("已登记 %(number)s。", number=dispute.number), "success")
        return redirect(url_for("cases.detail", case_id=dispute.id))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/new.html", form=form), status


def _within_reach(candidates: list[Dispute]) -> tuple[list[Dispute], int]:
    """Split possible duplicates into those the user may open and a count of the others.

    A mediator learns only that a match exists outside the village (township staff see it in full), so that a
    phone or ID number typed at intake cannot look up another village's parties.
    """
    reach = permissions.reach_of(current_user)
    shown = [d for d in candidates if reach.holds(d)]
    for hidden in candidates:
        if hidden not in shown:
            db.session.expunge(hidden)  # loaded past the user's reach: later lookups of this request must not find it
    return shown, len(candidates) - len(shown)


@bp.route("/<int:case_id>")
@login_required
def detail(case_id: int):
    """Show a case: what can be done now first, then facts, parties, records and the timeline."""
    dispute = load_case(case_id)
    events = db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == dispute.id)
        .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
    ).scalars().all()
    return render_template(
        "cases/detail.html", case=dispute, events=events, actions=available_actions(dispute),
        show_personal=permissions.sees_personal_data(current_user, dispute), possible_duplicates=_duplicates_of(dispute),
        limit=time_limits.dispute_limit(dispute, _user_today()),
        judicial_window=time_limits.judicial_confirmation_deadline(dispute),
    )


def _duplicates_of(dispute: Dispute) -> list[Dispute]:
    """For township staff: the open cases naming one of this case's parties, as a mediator's intake was told."""
    if (dispute.merged_into_id or dispute.status not in review.OPEN
            or not permissions.can_act(current_user, dispute, "see_duplicates")):
        return []
    found = review.duplicate_candidates(
        dispute.village_id, [p.name for p in dispute.parties], [p.id_number for p in dispute.parties],
        [p.phone for p in dispute.parties], exclude_id=dispute.id)
    return _within_reach(found)[0]


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    """Correct the registered facts; a save from a stale form is refused and the input kept."""
    dispute = load_case(case_id)
    if not permissions.can_act(current_user, dispute, "edit"):
        abort(403)
    form = forms.FactsForm(obj=dispute if request.method == "GET" else None).for_case(dispute)
    form.natural_village_id.choices = _natural_choices([dispute.village_id])
    form.dispute_type_id.choices = _type_choices(dispute.township_id, dispute.dispute_type)
    if request.method == "GET":
        form.version.data = dispute.version
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.FACT_FIELDS}
        changes["referral_origin"] = changes["referral_origin"] or None
        changes["referral_body"] = (changes["referral_body"] or "").strip() or None
        if dispute.source != wf.Source.REFERRAL.value:  # only a 委托移送 case has an origin to correct
            for name in ("referral_origin", "referral_body", "referral_received_on"):
                changes.pop(name)
        try:
            services.update_facts(dispute, current_user, changes, form.expected_version)
            db.session.commit()
        except (DomainError, StaleDataError) as refused:
            db.session.rollback()
            message = domain_message(refused if isinstance(refused, DomainError) else services.EditConflict())
            form.form_errors.append(message)
            dispute = load_case(case_id)
            form.version.data = dispute.version  # the input stays; saving it again is now a deliberate choice
            return render_template("cases/edit.html", case=dispute, form=form), 409
        flash(_("案件信息已更新。"), "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    status = 400 if request.method == "POST" else 200
    return render_template("cases/edit.html", case=dispute, form=form), status


@dataclass(frozen=True)
class Action:
    """A workflow action page: its form, when it is offered, and the service call it makes."""

    title: str
    form: type
    offered: Callable[[Dispute], bool]
    perform: Callable[[Dispute, object], None]
    prepare: Callable[[Dispute, object], None] = lambda dispute, form: None


def _warn_if_late(late: str) -> None:
    """Say that a late application was saved all the same: whether it is taken up is for the court."""
    if late:
        flash(_("申请已登记,但已超过申请期限:是否受理由人民法院依法决定。"), "warning")


def _user_today():
    return clock.today()


def _prepare_assign(dispute: Dispute, form) -> None:
    mediators = db.session.execute(
        select(User).outerjoin(Village, User.village_id == Village.id).where(
            User.active.is_(True),
            or_(
                (User.role == Role.MEDIATOR.value) & (Village.township_id == dispute.township_id),
                (User.role == Role.STAFF.value) & (User.township_id == dispute.township_id),
            ),
        ).order_by(User.role, Village.position, User.username)
    ).scalars()
    form.mediator_ids.choices = [
        (u.id, f"{u.display_name}({u.village.name if u.village else _(u.role_enum.label)})") for u in mediators
    ]
    if request.method == "GET":
        form.mediator_ids.data = [u.id for u in dispute.mediators]


def _conclusion(form: forms.ConcludeForm) -> services.Conclusion:
    outcome = wf.Outcome(form.outcome.data)
    success = outcome is wf.Outcome.SUCCEEDED
    return services.Conclusion(
        outcome=outcome, closed_on=form.closed_on.data,
        agreement_form=wf.AgreementForm(form.agreement_form.data) if success else None,
        agreement_facts=form.agreement_facts.data if success else None,
        agreement_terms=form.agreement_terms.data if success else None,
        performance_manner=form.performance_manner.data if success else None,
        performance_deadline=form.performance_deadline.data if success else None,
        agreement_copies=form.agreement_copies.data if success else None,
        channels_told=form.channels_told.data if outcome is wf.Outcome.FAILED else [],
        legal_aid_referred=form.legal_aid_referred.data if outcome is wf.Outcome.FAILED else False,
        end_reason=wf.EndReason(form.end_reason.data) if outcome is wf.Outcome.ENDED else None,
        notes=form.notes.data,
        agreement_amount_fen=getattr(form.agreement_amount, "fen", None) if success else None,
    )


def _state_allows(action: wf.DisputeAction) -> Callable[[Dispute], bool]:
    return lambda d: action in wf.allowed_actions(d.state, d.outcome_enum)


S = wf.DisputeState
ACTIONS: dict[str, Action] = {
    "accept": Action(
        _l("受理"), forms.AcceptForm, _state_allows(wf.DisputeAction.ACCEPT),
        lambda d, f: services.accept(d, current_user, f.accepted_on.data, _user_today(), f.expected_version),
    ),
    "not-accept": Action(
        _l("不予受理"), forms.NotAcceptForm, _state_allows(wf.DisputeAction.NOT_ACCEPT),
        lambda d, f: services.not_accept(
            d, current_user, f.decided_on.data, f.reason.data, f.referred_to.data, _user_today(), f.expected_version,
            wf.NotAcceptedGround(f.ground.data),
        ),
    ),
    "objection": Action(
        _l("当事人拒绝调解"), forms.ObjectionForm,
        lambda d: d.source == wf.Source.INITIATIVE.value and d.state in wf.OBJECTION_STATES,
        lambda d, f: services.record_objection(d, current_user, f.objected_on.data, f.party.data, f.note.data,
                                               _user_today(), f.expected_version),
        lambda d, f: setattr(f.party, "choices", [(p.name, f"{p.name}({_(wf.PartySide(p.side).label)})") for p in d.parties]),
    ),
    "assign": Action(
        _l("指派调解员"), forms.AssignForm, lambda d: d.state in wf.NOTE_STATES,
        lambda d, f: services.assign_mediators(d, current_user, f.mediator_ids.data, f.expected_version),
        _prepare_assign,
    ),
    "investigation": Action(
        _l("记录调查"), forms.InvestigationForm, lambda d: d.state in wf.NOTE_STATES,
        lambda d, f: services.record_investigation(
            d, current_user, f.noted_on.data, f.content.data, _user_today(), f.place.data, f.subject.data
        ),
    ),
    "session": Action(
        _l("记录调解"), forms.SessionForm, lambda d: d.state is S.MEDIATING,
        lambda d, f: services.record_session(
            d, current_user, f.held_on.data, f.place.data, f.mediators.data, f.attendees.data, f.notes.data,
            _user_today(),
        ),
    ),
    "continuation": Action(
        _l("延续调解"), forms.ContinuationForm, lambda d: d.state is S.MEDIATING,
        lambda d, f: services.agree_continuation(d, current_user, f.agreed_on.data, f.note.data, _user_today(),
                                                 f.until.data),
    ),
    "conclude": Action(
        _l("登记结果"), forms.ConcludeForm, _state_allows(wf.DisputeAction.CONCLUDE),
        lambda d, f: services.conclude(d, current_user, _conclusion(f), _user_today(), f.expected_version),
    ),
    "return-visit": Action(
        _l("回访"), forms.ReturnVisitForm, _state_allows(wf.DisputeAction.FOLLOW_UP),
        lambda d, f: services.record_return_visit(
            d, current_user, f.visited_on.data, wf.Performance(f.performance.data), _user_today(),
            wf.Satisfaction(f.satisfaction.data) if f.satisfaction.data else None, f.residual_risk.data, f.notes.data,
            f.expected_version,
        ),
    ),
    "judicial-confirmation": Action(
        _l("司法确认"), forms.JudicialConfirmationForm,
        lambda d: d.outcome == wf.Outcome.SUCCEEDED.value and d.judicial_confirmation_applied_on is None
        and (d.state is not S.ARCHIVED or time_limits.judicial_confirmation_window(d, _user_today()) is not None),
        lambda d, f: _warn_if_late(judicial_confirmation.record_judicial_confirmation(
            d, current_user, f.applied_on.data, f.court.data, _user_today(), f.effective_on.data, f.late_note.data)),
    ),
    "court-result": Action(
        _l("司法确认结果"), forms.CourtResultForm,
        lambda d: d.judicial_confirmation_applied_on is not None and d.judicial_confirmation_result is None,
        lambda d, f: judicial_confirmation.record_court_result(d, current_user, wf.CourtResult(f.result.data), f.decided_on.data,
                                                  _user_today()),
    ),
    "archive": Action(
        _l("归档"), forms.ArchiveForm, _state_allows(wf.DisputeAction.ARCHIVE),
        lambda d, f: services.archive(d, current_user, f.archived_on.data, _user_today(), f.expected_version),
    ),
    "escalate": Action(
        _l("上报升级"), forms.EscalateForm, lambda d: wf.can_escalate(d.state, d.level_enum),
        lambda d, f: services.escalate(d, current_user, f.reason.data, f.expected_version),
    ),
}


def available_actions(dispute: Dispute) -> list[tuple[str, str]]:
    """Return (slug, title) of the actions the current user can take on this case now."""
    return [(slug, action.title) for slug, action in ACTIONS.items()
            if permissions.can_act(current_user, dispute, slug) and action.offered(dispute)]


@bp.route("/<int:case_id>/<any(" + ", ".join(f"'{s}'" for s in ACTIONS) + "):slug>", methods=["GET", "POST"])
@login_required
def act(case_id: int, slug: str):
    """Show an action's form, or take the action; a refused action changes nothing and answers 409."""
    dispute = load_case(case_id)
    if not permissions.can_act(current_user, dispute, slug):
        abort(403)
    action = ACTIONS[slug]
    form = action.form()
    form._registered_on = dispute.registered_on  # earliest date for NotBefore("registered_on")
    form._closed_on = dispute.closed_on or dispute.registered_on
    action.prepare(dispute, form)
    if request.method == "GET":
        form.version.data = dispute.version
        if not action.offered(dispute):
            return render_template(
                "errors/refused.html",
                message=_("当前状态为“%(state)s”,不能“%(action)s”。", state=_(dispute.state.label), action=action.title),
                case=dispute,
            ), 409
        return render_template("cases/action.html", case=dispute, form=form, slug=slug, title=action.title)
    if not form.validate_on_submit():
        return render_template("cases/action.html", case=dispute, form=form, slug=slug, title=action.title), 400
    try:
        action.perform(dispute, form)
        db.session.commit()
    except (DomainError, StaleDataError) as refused:
        db.session.rollback()
        message = domain_message(refused if isinstance(refused, DomainError) else services.EditConflict())
        form.form_errors.append(message)
        dispute = load_case(case_id)
        form.version.data = dispute.version  # the input stays; submitting it again is now a deliberate choice
        return render_template("cases/action.html", case=dispute, form=form, slug=slug, title=action.title), 409
    flash(_("已保存:%(action)s。", action=action.title), "success")
    return redirect(url_for("cases.detail", case_id=case_id))
