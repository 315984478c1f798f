"""The dashboard at /: what needs doing today and this week, the month's intake and closures, overdue by village."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from casetrack import clock, permissions
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, Township, Village
from casetrack.services import inbox, time_limits, warnings
from casetrack.services import queue as q

bp = Blueprint("main", __name__)


def _due_items(model, scope, until, limit=20):
    return db.session.execute(
        select(model).where(scope, model.due_on.is_not(None), model.due_on <= until)
        .order_by(model.due_on, model.id).limit(limit)
    ).scalars().all()


@bp.route("/")
@login_required
def dashboard():
    """Show the work waiting now: overdue and due this week first, then the month's flow and each village."""
    today = clock.today()
    week_end = today + timedelta(days=7)
    township = db.session.get(Township, current_user.township_id) if current_user.township_id else None
    # a duplicate merged into its original is in no list or figure, as in the queue (it keeps its old limit)
    dispute_scope = and_(permissions.dispute_scope(current_user), Dispute.not_merged)
    petition_scope = permissions.petition_scope(current_user)
    due = [*_due_items(Dispute, dispute_scope, week_end), *_due_items(Petition, petition_scope, week_end)]
    due.sort(key=lambda item: (item.due_on, item.number))
    limits = {(type(i).__name__, i.id): (time_limits.dispute_limit(i, today) if isinstance(i, Dispute)
                                         else time_limits.petition_limit(i, today)) for i in due}
    counts = q.tab_counts(current_user, q.Filters(), today, township)
    month_start = today.replace(day=1)
    intake = db.session.execute(select(func.count()).select_from(Dispute).where(
        dispute_scope, Dispute.registered_on >= month_start)).scalar_one()
    closures = db.session.execute(select(func.count()).select_from(Dispute).where(
        dispute_scope, Dispute.closed_on >= month_start, Dispute.outcome.is_not(None))).scalar_one()
    petitions_in = db.session.execute(select(func.count()).select_from(Petition).where(
        petition_scope, Petition.received_on >= month_start)).scalar_one()
    overdue_by_village = db.session.execute(
        select(Village.name, func.count()).join(Dispute, Dispute.village_id == Village.id)
        .where(dispute_scope, Dispute.due_on < today).group_by(Village.id, Village.name).order_by(Village.name)
    ).all()
    returned = db.session.execute(
        select(Dispute).where(dispute_scope, Dispute.returned_note.is_not(None))
        .options(selectinload(Dispute.village)).order_by(Dispute.returned_at).limit(20)
    ).scalars().all()
    screening_due = inbox.screening_due(current_user, today)  # a round not yet held is due this period too
    gap = time_limits.calendar_gap_year(today) if permissions.can_administer(current_user) else None
    warning = _(time_limits.CALENDAR_GAP, year=gap) if gap else None
    return render_template(
        "main/dashboard.html", due=due, limits=limits, counts=counts, tabs={key: _(title) for key, title in q.TABS.items()}, intake=intake,
        closures=closures, petitions_in=petitions_in, overdue_by_village=overdue_by_village, returned=returned,
        calendar_warning=warning, today=today, states=list(wf.DisputeState), screening_due=screening_due,
        warning_counts=warnings.counts_by_level(current_user),
    )
