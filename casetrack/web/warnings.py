"""Early warnings (预警): the open warnings within the user's reach, acknowledging them, and their history."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from casetrack import clock, permissions
from casetrack.domain import warnings as w
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.warnings import AcknowledgeForm, WarningSettingsForm
from casetrack.i18n import domain_message
from casetrack.models import Township, User
from casetrack.services import warnings as services

bp = Blueprint("warnings", __name__)

LEVELS = [lv.value for lv in (w.WarningLevel.RED, w.WarningLevel.YELLOW, w.WarningLevel.BLUE)]
RULES = [r.value for r in w.Rule]
PAGE_SIZE = 100


def _filters() -> tuple[str | None, str | None]:
    level = request.args.get("level") or None
    rule = request.args.get("rule") or None
    return (level if level in LEVELS else None), (rule if rule in RULES else None)


def _listing(resolved: bool = False):
    level, rule = _filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = services.visible_warnings(current_user, level, rule, resolved)
    rows = list(db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).scalars())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, level, rule, page, more


def _users(rows) -> dict[int, User]:
    ids = {i for r in rows for i in (r.acknowledged_by_id, r.assignee_id) if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


@bp.route("/warnings")
@login_required
def index():
    """The open warnings (or, with ?view=history, the resolved ones), highest level and newest first."""
    history = request.args.get("view") == "history"
    rows, level, rule, page, more = _listing(resolved=history)
    return render_template(
        "warnings/index.html", warnings=rows, level=level, rule=rule, page=page, more=more, history=history,
        levels=LEVELS, rules=RULES, counts=services.counts_by_level(current_user),
        disputes=services.disputes_of(rows, current_user), petitions=services.petitions_of(rows, current_user),
        users=_users(rows), level_labels={lv.value: lv.label for lv in w.WarningLevel},
        rule_labels={r.value: r.label for r in w.Rule}, settable=_settable_townships())


def _settable_townships() -> list[Township]:
    """The townships whose warning settings the user may change (an admin's own, or all for a county admin)."""
    if not permissions.can_administer(current_user):
        return []
    return [t for t in db.session.execute(select(Township).order_by(Township.id)).scalars()
            if permissions.can_set_warning_rules(current_user, t)]


@bp.route("/warnings.json")
@login_required
def as_json():
    """The same list as /warnings, as JSON (filters level and rule; view=history for resolved ones)."""
    history = request.args.get("view") == "history"
    rows, _level, _rule, _page, _more = _listing(resolved=history)
    disputes = services.disputes_of(rows, current_user)
    petitions = services.petitions_of(rows, current_user)
    users = _users(rows)
    items = []
    for row in rows:
        numbers = [disputes[i].number for i in row.dispute_ids if i in disputes]
        numbers += [petitions[i].number for i in row.petition_ids if i in petitions]
        acknowledged_by = users.get(row.acknowledged_by_id)
        items.append({
            "id": row.id, "level": row.level, "rule": row.rule, "text": row.text, "cases": numbers,
            "people": list(row.people), "village": row.village.name if row.village else None,
            "since": row.since.isoformat(),
            "acknowledged_by": acknowledged_by.display_name if acknowledged_by else None,
            "acknowledged_at": clock.to_beijing(row.acknowledged_at).isoformat(timespec="seconds")
            if row.acknowledged_at else None,
            "resolved_on": row.resolved_on.isoformat() if row.resolved_on else None,
        })
    return jsonify(items)


def _load(warning_id: int):
    warning = services.find_visible(current_user, warning_id)
    if warning is None:
        abort(404)
    return warning


@bp.route("/warnings/<int:warning_id>", methods=["GET", "POST"])
@login_required
def detail(warning_id: int):
    """One warning: its cases, its history, and (for those who may) the form acknowledging it."""
    warning = _load(warning_id)
    may_acknowledge = permissions.can_acknowledge_warning(current_user, warning) and warning.is_open
    form = AcknowledgeForm()
    form.assignee_id.choices = [(None, "—"), *((u.id, u.display_name) for u in services.assignees(warning))]
    status = 200
    if request.method == "POST":
        if not may_acknowledge:
            abort(403)
        if form.validate_on_submit():
            try:
                services.acknowledge(warning, current_user, form.note.data, form.assignee_id.data)
                db.session.commit()
            except DomainError as refused:
                db.session.rollback()
                form.form_errors.append(domain_message(refused))
                warning = _load(warning_id)
                status = 400
            else:
                flash(_("已确认预警。"), "success")
                return redirect(url_for("warnings.detail", warning_id=warning_id))
        else:
            status = 400
    elif warning.acknowledged_at:
        form.note.data = warning.acknowledged_note
        form.assignee_id.data = warning.assignee_id
    users = _users([warning])
    return render_template(
        "warnings/detail.html", warning=warning, form=form, may_acknowledge=may_acknowledge, users=users,
        disputes=services.disputes_of([warning], current_user), petitions=services.petitions_of([warning], current_user),
        level_labels={lv.value: lv.label for lv in w.WarningLevel}, rule_labels={r.value: r.label for r in w.Rule},
    ), status


@bp.route("/warnings/settings/<int:township_id>", methods=["GET", "POST"])
@login_required
def settings(township_id: int):
    """The township's warning thresholds and sensitive periods: an admin's to set."""
    if not permissions.can_administer(current_user):
        abort(403)
    township = db.session.get(Township, township_id)
    if township is None or not permissions.can_set_warning_rules(current_user, township):
        abort(404)  # another township's, to its admin: as if it did not exist
    current = services.settings_of(township)
    if request.method == "GET":
        form = WarningSettingsForm(data={key: getattr(current, key) for key in WarningSettingsForm.FIELDS}
                                   | {"sensitive_periods": w.format_sensitive_periods(current.sensitive_periods)})
    else:
        form = WarningSettingsForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.save_settings(township, {k: getattr(form, k).data for k in WarningSettingsForm.FIELDS},
                                       form.sensitive_periods.data or "")
                db.session.commit()
            except DomainError as refused:
                db.session.rollback()
                form.sensitive_periods.errors = [*form.sensitive_periods.errors, domain_message(refused)]
            else:
                flash(_("已保存“%(name)s”的预警设置。", name=township.name), "success")
                return redirect(url_for("warnings.settings", township_id=township.id))
    return render_template("warnings/settings.html", township=township, form=form), status
