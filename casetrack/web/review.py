"""Township review of a case: send back for correction, merge a duplicate, and major disputes' responsibility,
leaders' supervision (督办) and prevented escalations.

Each is an action of web/actions.py, declared once in REVIEW_ACTIONS (when a case offers it, its form, the
service call) and served by cases.act_on_dispute at its own address (/cases/<id>/send-back, ...)."""

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from casetrack import clock, permissions
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms import review as forms
from casetrack.models import Dispute
from casetrack.services import review, supervision
from casetrack.web.actions import Action
from casetrack.web.cases import act_on_dispute
from casetrack.web.decorators import allowed_if

bp = Blueprint("review", __name__, url_prefix="/cases")

_CLOSED = (wf.DisputeState.ARCHIVED, wf.DisputeState.NOT_ACCEPTED)


def _merge(dispute: Dispute, form) -> None:
    original = db.session.execute(select(Dispute).where(
        Dispute.number == form.original.data.strip(), Dispute.township_id == dispute.township_id)
    ).scalar_one_or_none()
    if original is None:
        raise DomainError("本乡镇没有编号为“%(n)s”的案件。", n=form.original.data.strip())
    review.merge(dispute, original, current_user, form.expected_version)


def _show_responsibility(dispute: Dispute, form) -> None:
    if request.method == "GET":
        form.unit.data, form.leader.data, form.person.data = (
            dispute.responsible_unit, dispute.responsible_leader, dispute.responsible_person)


def _show_prevention(dispute: Dispute, form) -> None:
    if request.method == "GET":
        form.criminal_persons.data = dispute.prevented_criminal_persons
        form.group_persons.data = dispute.prevented_group_petition_persons


# endpoint (and permissions.CASE_ACTIONS key) -> (address, action)
REVIEW_ACTIONS: dict[str, tuple[str, Action]] = {
    "send_back": ("send-back", Action(
        _l("退回补正"), forms.SendBackForm, lambda d: d.state is not wf.DisputeState.ARCHIVED and not d.returned_note,
        lambda d, f: review.send_back(d, current_user, f.note.data, f.expected_version))),
    "corrected": ("corrected", Action(
        _l("补正完毕"), forms.CorrectedForm, lambda d: bool(d.returned_note),
        lambda d, f: review.mark_corrected(d, current_user, f.note.data or "", f.expected_version))),
    "merge": ("merge", Action(
        _l("合并重复案件"), forms.MergeForm, lambda d: d.state in wf.OPEN_STATES, _merge)),
    "responsibility": ("responsibility", Action(
        _l("明确包案责任"), forms.ResponsibilityForm, lambda d: d.state not in _CLOSED,
        lambda d, f: supervision.name_responsibility(d, current_user, f.unit.data, f.leader.data, f.person.data,
                                                     f.expected_version),
        _show_responsibility)),
    "supervise": ("supervise", Action(
        _l("督办"), forms.SuperviseForm, lambda d: d.state not in _CLOSED,
        lambda d, f: supervision.supervise(d, current_user, f.note.data, f.due_on.data, clock.today()))),
    "prevention": ("prevention", Action(
        _l("防止激化情况"), forms.PreventionForm, lambda d: True,
        lambda d, f: supervision.record_prevention(d, current_user, f.criminal_persons.data, f.group_persons.data,
                                                   f.expected_version),
        _show_prevention)),
}


def _view(endpoint: str, slug: str, action: Action):
    def view(case_id: int):
        return act_on_dispute(case_id, slug, action, endpoint)

    view.__name__ = endpoint
    view.__doc__ = f"The review action {slug} on one case (REVIEW_ACTIONS)."
    return login_required(view)


for _endpoint, (_slug, _action) in REVIEW_ACTIONS.items():
    bp.add_url_rule(f"/<int:case_id>/{_slug}", endpoint=_endpoint, view_func=_view(_endpoint, _slug, _action),
                    methods=["GET", "POST"])


def offered(dispute: Dispute, endpoint: str) -> bool:
    """Tell whether the case's state offers this review action now (the case page asks, as the action page does)."""
    return not dispute.merged_into_id and REVIEW_ACTIONS[endpoint][1].offered(dispute)


@bp.route("/supervised", methods=["GET"])
@allowed_if(permissions.can_list_supervised)
def supervised():
    """A leader's list of the cases they supervise, until each is closed."""
    return render_template("cases/supervised.html", cases=supervision.leader_list(current_user),
                           petitions=supervision.leader_petition_list(current_user), today=clock.today())
