"""Dispute pages: list, intake, case page, facts correction and the workflow actions."""

from collections.abc import Callable

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
from casetrack.services import corrections, judicial_confirmation, review, time_limits
from casetrack.services import disputes as services
from casetrack.services.places import dispute_types
from casetrack.services.queue import person_matches
from casetrack.web import listing
from casetrack.web.actions import DISPUTE, Action, refused, run_action
from casetrack.web.decorators import allowed_if

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
            Dispute.id.in_(select(Party.dispute_id).where(person_matches(Party, text))),
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
    if current_user.role is Role.MEDIATOR and request.method == "GET":
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
@allowed_if(permissions.can_register)
def new():
    """Register (登记) a dispute; the form comes back with messages beside the fields when input is wrong."""
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
            group_dispute=form.group_dispute.data,
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
            if current_user.role is Role.MEDIATOR and dispute.village_id == current_user.village_id:
                # a village mediator registering their own village's case handles it: no 指派调解员 step
                services.name_registering_mediator(dispute, current_user)
        except DomainError as refusal:
            db.session.rollback()
            form.form_errors.append(domain_message(refusal))
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
        judicial_window=time_limits.judicial_confirmation_deadline(dispute), today=_user_today(),
    )


def _duplicates_of(dispute: Dispute) -> list[Dispute]:
    """For township staff: the open cases naming one of this case's parties, as a mediator's intake was told."""
    if (dispute.merged_into_id or dispute.status not in wf.OPEN_STATUSES
            or not permissions.can_act(current_user, dispute, "see_duplicates")):
        return []
    found = review.duplicate_candidates(
        dispute.village_id, [p.name for p in dispute.parties], [p.id_number for p in dispute.parties],
        [p.phone for p in dispute.parties], exclude_id=dispute.id)
    return _within_reach(found)[0]


def _party_rows(form: forms.CaseEditForm) -> list[corrections.PartyRow] | None:
    """The posted party rows; None when the form sent none (an older form correcting the facts only)."""
    if not form.parties_sent:
        return None
    rows = []
    for side, entries in ((wf.PartySide.APPLICANT, form.applicants), (wf.PartySide.RESPONDENT, form.respondents)):
        for entry in entries.entries:
            row = entry.form
            party_id = _optional_id(row.party_id.data)
            if row.remove.data:
                rows.append(corrections.PartyRow(party_id, None, remove=True))
            elif not row.is_blank() or party_id:
                rows.append(corrections.PartyRow(party_id, services.PartyData(
                    side=side, name=(row.name.data or "").strip(),
                    gender=wf.Gender(row.gender.data) if row.gender.data else None,
                    id_number=(row.id_number.data or "").strip() or None,
                    phone=(row.phone.data or "").strip() or None,
                    address=(row.address.data or "").strip() or None,
                )))
    return rows


def _optional_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _edit_form(dispute: Dispute) -> forms.CaseEditForm:
    """The correction form: on GET the case as registered; on POST the input (a field not sent keeps its value)."""
    if request.method == "GET":
        rows = {side: [{"party_id": p.id, "name": p.name, "gender": p.gender or "", "id_number": p.id_number,
                        "phone": p.phone, "address": p.address} for p in dispute.parties if p.side == side.value]
                for side in wf.PartySide}
        facts = {name: getattr(dispute, name) for name in (
            "village_id", "natural_village_id", "dispute_type_id", "source", "channel", "registered_on",
            "people_involved", "summary", "risk_level", "police_reported", "group_dispute", "referral_body",
            "referral_received_on")}
        facts["referral_origin"] = dispute.referral_origin or ""
        # not obj=dispute: its applicants and respondents are Party rows, and a row must carry its party_id
        form = forms.CaseEditForm(data=facts, applicants=rows[wf.PartySide.APPLICANT] or [{}],
                                  respondents=rows[wf.PartySide.RESPONDENT] or [{}])
        form.version.data = dispute.version
    else:
        posted = request.form.copy()
        kept = {"village_id": dispute.village_id, "registered_on": dispute.registered_on.isoformat(),
                "source": dispute.source, "channel": dispute.channel, "dispute_type_id": dispute.dispute_type_id,
                "natural_village_id": dispute.natural_village_id or "", "people_involved": dispute.people_involved,
                "summary": dispute.summary, "risk_level": dispute.risk_level}
        for name, value in kept.items():
            if name not in posted:  # a frozen (disabled) field, or an older form that corrects the facts only
                posted[name] = str(value)
        if posted.get("source") != wf.Source.REFERRAL.value:  # fields hidden once the source is not 委托移送
            for name in ("referral_origin", "referral_body", "referral_received_on"):
                posted[name] = ""
        form = forms.CaseEditForm(formdata=posted)
    form.for_case(dispute)
    village_ids = [v for v, _n in _village_choices()]
    if dispute.village_id not in village_ids:
        village_ids.append(dispute.village_id)
    form.village_id.choices = [(v.id, v.name) for v in db.session.execute(
        select(Village).where(Village.id.in_(village_ids)).order_by(Village.position)).scalars()]
    form.natural_village_id.choices = _natural_choices(village_ids)
    form.dispute_type_id.choices = _type_choices(dispute.township_id, dispute.dispute_type)
    return form


def _render_edit(dispute: Dispute, form: forms.CaseEditForm, status: int = 200):
    frozen = corrections.frozen_period(dispute, dispute.registered_on)
    return render_template("cases/edit.html", case=dispute, form=form, frozen=frozen,
                           may_correct=bool(dispute.returned_note)
                           and permissions.can_act(current_user, dispute, "corrected")), status


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    """Correct every registered fact and the parties; a save from a stale form is refused and the input kept."""
    dispute = load_case(case_id)
    if not permissions.can_act(current_user, dispute, "edit"):
        abort(403)
    form = _edit_form(dispute)
    if request.method == "POST" and request.form.get("add_party") in ("applicants", "respondents"):
        getattr(form, request.form["add_party"]).append_entry()  # the no-JavaScript way to add a party row
        return _render_edit(dispute, form)
    if not form.validate_on_submit():
        return _render_edit(dispute, form, 400 if request.method == "POST" else 200)
    intake = services.DisputeIntake(
        village_id=form.village_id.data, natural_village_id=form.natural_village_id.data,
        dispute_type_id=form.dispute_type_id.data, source=wf.Source(form.source.data),
        channel=wf.Channel(form.channel.data), registered_on=form.registered_on.data,
        summary=form.summary.data, people_involved=form.people_involved.data,
        risk_level=wf.RiskLevel(form.risk_level.data), police_reported=form.police_reported.data,
        group_dispute=form.group_dispute.data,
        referral_origin=wf.ReferralOrigin(form.referral_origin.data) if form.referral_origin.data else None,
        referral_body=form.referral_body.data, referral_received_on=form.referral_received_on.data,
    )
    answering = request.form.get("mark_corrected") == "1" and dispute.returned_note
    try:
        corrections.correct_registration(dispute, current_user, intake, _party_rows(form), _user_today(),
                                         form.expected_version)
        if answering:
            if not permissions.can_act(current_user, dispute, "corrected"):
                abort(403)
            review.mark_corrected(dispute, current_user, form.correction_note.data or "")
        db.session.commit()
    except (DomainError, StaleDataError) as refusal:
        db.session.rollback()
        message = domain_message(refusal if isinstance(refusal, DomainError) else services.EditConflict())
        form.form_errors.append(message)
        dispute = load_case(case_id)
        form.version.data = dispute.version  # the input stays; saving it again is now a deliberate choice
        return _render_edit(dispute, form, 409)
    flash(_("已补正并保存。") if answering else _("案件信息已更新。"), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


def _warn_if_late(late: str) -> None:
    """Say that a late application was saved all the same: whether it is taken up is for the court."""
    if late:
        flash(_("申请已登记,但已超过申请期限:是否受理由人民法院依法决定。"), "warning")


def _user_today():
    return clock.today()


def _accept(dispute: Dispute, form) -> None:
    """Accept; a case whose mediators are already named (its village mediator registered it) starts mediation."""
    services.accept(dispute, current_user, form.accepted_on.data, _user_today(), form.expected_version)
    if dispute.mediators:
        services.assign_mediators(dispute, current_user, [u.id for u in dispute.mediators])


def _prepare_session(dispute: Dispute, form) -> None:
    """Fill in who mediates and who attends, from the case: the mediator corrects rather than types."""
    if request.method == "GET":
        form.mediators.data = "、".join(u.display_name for u in dispute.mediators)
        form.attendees.data = "、".join(p.name for p in dispute.parties)
        if dispute.sessions:
            form.place.data = dispute.sessions[-1].place


def _prepare_assign(dispute: Dispute, form) -> None:
    mediators = db.session.execute(
        select(User).outerjoin(Village, User.village_id == Village.id).where(
            User.active.is_(True),
            or_(
                (User.role == Role.MEDIATOR) & (Village.township_id == dispute.township_id),
                (User.role == Role.STAFF) & (User.township_id == dispute.township_id),
            ),
        ).order_by(User.role, Village.position, User.username)
    ).scalars()
    form.mediator_ids.choices = [
        (u.id, f"{u.display_name}({u.village.name if u.village else _(u.role.label)})") for u in mediators
    ]
    if request.method == "GET":
        form.mediator_ids.data = [u.id for u in dispute.mediators]


def _conclusion(form: forms.ConcludeForm) -> services.Conclusion:
    """The conclusion as the form gives it, with the chosen outcome's fields only (wf.OUTCOME_FIELDS)."""
    outcome = wf.Outcome(form.outcome.data)
    allowed = wf.OUTCOME_FIELDS[outcome].allowed
    result = services.Conclusion(outcome=outcome, closed_on=form.closed_on.data, notes=form.notes.data)
    if "agreement_form" in allowed:
        result.agreement_form = wf.AgreementForm(form.agreement_form.data)
    if "agreement_amount" in allowed:
        result.agreement_amount_fen = getattr(form.agreement_amount, "fen", None)
    if "end_reason" in allowed:
        result.end_reason = wf.EndReason(form.end_reason.data)
    for key in ("agreement_facts", "agreement_terms", "performance_manner", "performance_deadline", "agreement_copies",
                "channels_told", "legal_aid_referred"):
        if key in allowed:
            setattr(result, key, form[key].data)
    return result


def _state_allows(action: wf.DisputeAction) -> Callable[[Dispute], bool]:
    return lambda d: action in wf.allowed_actions(d.state, d.outcome)


S = wf.DisputeState
ACTIONS: dict[str, Action] = {
    "accept": Action(
        _l("受理"), forms.AcceptForm, _state_allows(wf.DisputeAction.ACCEPT),
        lambda d, f: _accept(d, f),
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
        lambda d: d.source is wf.Source.INITIATIVE and d.state in wf.OBJECTION_STATES,
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
        _prepare_session,
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
        lambda d: d.outcome is wf.Outcome.SUCCEEDED and d.judicial_confirmation_applied_on is None
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
        _l("上报升级"), forms.EscalateForm, lambda d: wf.can_escalate(d.state, d.level),
        lambda d, f: services.escalate(d, current_user, f.reason.data, f.expected_version),
    ),
}


def next_step(dispute: Dispute) -> str | None:
    """The slug of the step the case waits for, which the case page offers first (its primary button)."""
    state = dispute.state
    if state is S.REGISTERED:
        return "accept"
    if state is S.ACCEPTED:
        return "assign"
    if state is S.MEDIATING:
        return "conclude" if dispute.sessions else "session"
    if state is S.CONCLUDED:
        return "return-visit" if dispute.outcome is wf.Outcome.SUCCEEDED else "archive"
    if state is S.VISITED:
        return "archive"
    return None


def available_actions(dispute: Dispute) -> list[tuple[str, str]]:
    """Return (slug, title) of the actions the current user can take on this case now, the next step first;
    none on a merged case."""
    if dispute.merged_into_id:
        return []
    offered = [(slug, action.title) for slug, action in ACTIONS.items()
               if permissions.can_act(current_user, dispute, slug) and action.offered(dispute)]
    first = next_step(dispute)
    return sorted(offered, key=lambda item: item[0] != first)  # stable: the rest keep the workflow's order


def act_on_dispute(case_id: int, slug: str, action: Action, permission: str):
    """Serve one action on one dispute: who may (casetrack.permissions), a merged duplicate refused, then
    web/actions.run_action."""
    dispute = load_case(case_id)
    if not permissions.can_act(current_user, dispute, permission):
        abort(403)
    if dispute.merged_into_id:  # a duplicate merged into its original is worked on there
        return refused(DISPUTE, dispute, _(
            "本案作为重复登记已合并到 %(number)s,不能再办理;请在原案件中办理。", number=dispute.merged_into.number))
    return run_action(DISPUTE, slug, action, dispute, lambda: load_case(case_id))


@bp.route("/<int:case_id>/<any(" + ", ".join(f"'{s}'" for s in ACTIONS) + "):slug>", methods=["GET", "POST"])
@login_required
def act(case_id: int, slug: str):
    """Show an action's form, or take the action; a refused action changes nothing and answers 409."""
    return act_on_dispute(case_id, slug, ACTIONS[slug], slug)
