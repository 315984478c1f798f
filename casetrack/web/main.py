"""The dashboard at /: what needs doing now."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from casetrack import clock, permissions
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import time_limits

bp = Blueprint("main", __name__)

TODO_STATES = (wf.DisputeState.REGISTERED, wf.DisputeState.ACCEPTED, wf.DisputeState.MEDIATING, wf.DisputeState.CONCLUDED)


@bp.route("/")
@login_required
def dashboard():
    """Show counts by state and the open cases that wait for the user's next step."""
    scope = permissions.dispute_scope(current_user)
    counts = dict(db.session.execute(
        select(Dispute.status, func.count()).where(scope).group_by(Dispute.status)
    ).all())
    todo = db.session.execute(
        select(Dispute).where(scope, Dispute.status.in_([s.value for s in TODO_STATES]))
        .options(selectinload(Dispute.parties), selectinload(Dispute.village))
        .order_by(Dispute.registered_on, Dispute.id).limit(20)
    ).scalars().all()
    warning = time_limits.calendar_gap_warning(clock.today()) if current_user.role == "admin" else None
    return render_template("main/dashboard.html", counts=counts, todo=todo, states=list(wf.DisputeState),
                           calendar_warning=warning)
