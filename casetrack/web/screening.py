"""Screening pages (排查): rounds, findings turned into disputes, the compliance board, intensified periods."""

import re
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casetrack import clock, permissions
from casetrack.domain import screening as sc
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms import screening as forms
from casetrack.i18n import domain_message
from casetrack.models import IntensifiedPeriod, Role, ScreeningFinding, ScreeningRound, Township
from casetrack.services import screening as services
from casetrack.services.places import dispute_types
from casetrack.web.decorators import allowed_if

bp = Blueprint("screening", __name__, url_prefix="/screening")


def _township() -> Township:
    """The township whose screening the user works on; county admins pick one with ?township=."""
    township_id = current_user.township_id or request.args.get("township", type=int)
    if township_id is None:
        township_id = db.session.execute(select(Township.id).order_by(Township.id)).scalars().first()
    township = db.session.get(Township, township_id) if township_id else None
    if township is None:
        abort(404)
    return township


def _round_scope(query):
    return query.where(permissions.round_scope(current_user))


def _may_record(level: str, village_id: int | None) -> bool:
    return permissions.can_record_round(current_user, level, village_id)


def _month(value: str | None, today: date) -> date:
    """The first day of the month asked for (?month=2025-03); this month when absent or unreadable."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= today.year + 1 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@bp.route("")
@login_required
def index():
    """List the rounds of one month the user may see (this month by default), newest first, with filters."""
    today = clock.today()
    first = _month(request.args.get("month"), today)
    after = _shift(first, 1)
    level = request.args.get("level") if request.args.get("level") in services.LEVELS else None
    village_id = request.args.get("village", type=int)
    query = _round_scope(select(ScreeningRound)).where(ScreeningRound.held_on >= first, ScreeningRound.held_on < after)
    if level:
        query = query.where(ScreeningRound.level == level)
    if village_id:
        query = query.where(ScreeningRound.village_id == village_id)
    rounds = db.session.execute(
        query.options(selectinload(ScreeningRound.findings), selectinload(ScreeningRound.village))
        .order_by(ScreeningRound.held_on.desc(), ScreeningRound.id.desc())
    ).scalars().all()
    villages = []
    if current_user.role is not Role.MEDIATOR and current_user.township_id:
        villages = db.session.get(Township, current_user.township_id).villages
    filters = {key: value for key, value in (("level", level), ("village", village_id)) if value}
    return render_template(
        "screening/index.html", rounds=rounds, levels=services.LEVELS, month=first, filters=filters,
        villages=villages, previous=_shift(first, -1), following=after if after <= today else None,
        this_month=today.replace(day=1),
    )


@bp.route("/new", methods=["GET", "POST"])
@allowed_if(permissions.can_record_screening)
def new():
    """Record a round; no findings makes a nil report."""
    township = _township()
    form = forms.RoundForm()
    if current_user.role is Role.MEDIATOR:
        form.level.choices = [("village", _("村级排查"))]
        form.village_id.choices = [(current_user.village_id, current_user.village.name)]
    else:
        form.village_id.choices = [(None, "—"), *((v.id, v.name) for v in township.villages)]
    if request.method == "POST" and request.form.get("add_finding"):
        form.findings.append_entry()
        return render_template("screening/new.html", form=form)
    if form.validate_on_submit():
        village_id = form.village_id.data if form.level.data == "village" else None
        if not _may_record(form.level.data, village_id):
            abort(403)
        findings = [
            services.FindingData(row.form.description.data, row.form.is_dispute.data, row.form.note.data)
            for row in form.findings.entries if not row.form.is_blank()
        ]
        try:
            round_ = services.record_round(current_user, township, form.level.data, village_id, form.held_on.data,
                                           form.screeners.data, findings, clock.today(), form.focus.data,
                                           form.notes.data)
        except services.DuplicateRound as refused:  # beside the date, which decides the period, with a link
            db.session.rollback()
            form.held_on.errors = [*form.held_on.errors, domain_message(refused)]
            return render_template("screening/new.html", form=form, first_round=refused.existing_id), 400
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
            return render_template("screening/new.html", form=form), 400
        db.session.commit()
        flash(_("已记录排查(%(kind)s)。", kind=_("零上报") if round_.is_nil else _("发现%(n)s条", n=len(round_.findings))),
              "success")
        return redirect(url_for("screening.detail", round_id=round_.id))
    return render_template("screening/new.html", form=form), 400 if request.method == "POST" else 200


def _load_round(round_id: int) -> ScreeningRound:
    round_ = db.session.execute(_round_scope(select(ScreeningRound).where(ScreeningRound.id == round_id))
                                ).scalar_one_or_none()
    if round_ is None:
        abort(404)
    return round_


@bp.route("/<int:round_id>")
@login_required
def detail(round_id: int):
    """Show a round with its findings and the disputes they became."""
    round_ = _load_round(round_id)
    from casetrack.models import Dispute

    linked = {d.id: d for d in db.session.execute(  # a finding may have become a case the user may not open
        select(Dispute).where(Dispute.id.in_([f.dispute_id for f in round_.findings if f.dispute_id]),
                              permissions.dispute_scope(current_user))
    ).scalars()}
    return render_template("screening/detail.html", round=round_, linked=linked, levels=services.LEVELS,
                           may_register=_may_record(round_.level, round_.village_id))


@bp.route("/findings/<int:finding_id>/register", methods=["GET", "POST"])
@login_required
def register_finding(finding_id: int):
    """Register a finding as a dispute with source 主动调解."""
    finding = db.session.get(ScreeningFinding, finding_id)
    if finding is None:
        abort(404)
    round_ = _load_round(finding.round_id)
    if not _may_record(round_.level, round_.village_id):
        abort(403)
    if finding.dispute_id:
        return render_template("errors/refused.html", message=_("该排查发现已登记为纠纷。")), 409
    form = forms.FindingDisputeForm()
    form.village_id.choices = [(v.id, v.name) for v in round_.township.villages]
    form.dispute_type_id.choices = [(t.id, t.name) for t in dispute_types(round_.township_id)]
    if request.method == "GET":
        form.summary.data = finding.description
        form.village_id.data = round_.village_id
    if form.validate_on_submit():
        split = lambda text: [n.strip() for n in re.split(r"[、;;,,]", text or "") if n.strip()]  # noqa: E731
        try:
            dispute = services.register_finding_as_dispute(
                finding, current_user, form.dispute_type_id.data, split(form.applicants.data),
                split(form.respondents.data), form.summary.data, clock.today(), form.village_id.data,
            )
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
            return render_template("screening/register.html", form=form, finding=finding), 400
        db.session.commit()
        flash(_("已登记 %(number)s(主动调解)。", number=dispute.number), "success")
        return redirect(url_for("cases.detail", case_id=dispute.id))
    return render_template("screening/register.html", form=form, finding=finding), (
        400 if request.method == "POST" else 200)


def _parse_day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@bp.route("/board")
@login_required
def board():
    """Show who screened, reported nil or missed, per period, with compliance rates."""
    township = _township()
    if current_user.role is Role.MEDIATOR and current_user.village.township_id != township.id:
        abort(404)
    today = clock.today()
    start = _parse_day(request.args.get("start"), today - timedelta(days=83))
    end = _parse_day(request.args.get("end"), today)
    only = [current_user.village_id] if current_user.role is Role.MEDIATOR else None
    try:
        result = services.board(township, start, end, today, only)
    except DomainError as refused:
        return render_template("errors/refused.html", message=domain_message(refused)), 400
    return render_template("screening/board.html", board=result, township=township, labels=sc.CELL_LABELS)


@bp.route("/periods", methods=["GET", "POST"])
@login_required
def periods():
    """List and add the named periods that demand more frequent rounds."""
    township = _township()
    form = forms.PeriodForm()
    may_edit = permissions.can_plan_screening(current_user)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if form.validate_on_submit():
            db.session.add(IntensifiedPeriod(
                township_id=township.id, name=form.name.data.strip(), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, interval=form.interval.data, applies_to=form.applies_to.data,
            ))
            db.session.commit()
            flash(_("已添加重点时段“%(name)s”。", name=form.name.data.strip()), "success")
            return redirect(url_for("screening.periods"))
    rows = db.session.execute(
        select(IntensifiedPeriod).where(IntensifiedPeriod.township_id == township.id)
        .order_by(IntensifiedPeriod.starts_on.desc())
    ).scalars().all()
    status = 400 if request.method == "POST" else 200
    return render_template("screening/periods.html", form=form, periods=rows, may_edit=may_edit,
                           intervals=sc.INTERVALS), status
