"""The one way a workflow action is offered, shown and taken, for disputes and petitions alike.

Each action is declared once, in its blueprint's registry (web/cases.py ACTIONS and REVIEW_ACTIONS,
web/petitions.py ACTIONS): its title, its form, when the record offers it, how the form opens and the
service call it makes. Who may take it is casetrack.permissions' table. `run_action` serves every one of
them with one template (templates/actions/form.html):

- GET shows the form, or refuses with 409 when the record's state does not offer the action;
- POST takes the action; a refused action (a domain rule, or a stale form) changes nothing and answers 409
  with the message beside the form and the input kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.i18n import domain_message
from casetrack.services.disputes import EditConflict


def _nothing(record, form) -> None:
    return None


@dataclass(frozen=True)
class Action:
    """An action: its title, form, when it is offered, the service call it makes, and how its form opens
    (`prepare` fills choices and defaults from the record)."""

    title: str
    form: type
    offered: Callable[[object], bool]
    perform: Callable[[object, object], object]
    prepare: Callable[[object, object], None] = _nothing


@dataclass(frozen=True)
class Kind:
    """What an action page needs of the record's kind: its name in the template and the record's own page."""

    name: str  # "dispute" or "petition"
    endpoint: str
    id_arg: str

    def page(self, record) -> str:
        return url_for(self.endpoint, **{self.id_arg: record.id})


DISPUTE = Kind("dispute", "cases.detail", "case_id")
PETITION = Kind("petition", "petitions.detail", "petition_id")


def refused(kind: Kind, record, message: str):
    """The page of an action that was not taken: why, that nothing changed, the way back; 409."""
    return render_template("errors/refused.html", message=message,
                           **{"petition" if kind is PETITION else "case": record}), 409


def not_offered(kind: Kind, record, action: Action):
    return refused(kind, record, _("当前状态为“%(state)s”,不能“%(action)s”。",
                                   state=_(record.state.label), action=action.title))


@dataclass
class _Page:
    kind: Kind
    record: object
    form: object
    title: str
    slug: str
    context: dict = field(default_factory=dict)

    def render(self, status: int = 200):
        return render_template("actions/form.html", kind=self.kind.name, case=self.record, form=self.form,
                               title=self.title, slug=self.slug, cancel_url=self.kind.page(self.record),
                               **self.context), status


def run_action(kind: Kind, slug: str, action: Action, record, reload: Callable[[], object],
               done_url: str | Callable[[object], str] | None = None):
    """Handle GET and POST for one action on one record; the caller has checked who may."""
    form = action.form()
    form._registered_on = getattr(record, "registered_on", None) or getattr(record, "received_on", None)
    form._closed_on = getattr(record, "closed_on", None) or form._registered_on  # for NotBefore(...)
    action.prepare(record, form)
    page = _Page(kind, record, form, str(action.title), slug)
    if request.method == "GET":
        if not action.offered(record):
            return not_offered(kind, record, action)
        form.version.data = record.version
        return page.render()
    if not form.validate_on_submit():
        return page.render(400)
    try:
        result = action.perform(record, form)
        db.session.commit()
    except (DomainError, StaleDataError) as refusal:
        db.session.rollback()
        form.form_errors.append(domain_message(refusal if isinstance(refusal, DomainError) else EditConflict()))
        page.record = reload()
        form.version.data = page.record.version  # the input stays; submitting it again is now a deliberate choice
        return page.render(409)
    flash(_("已保存:%(action)s。", action=action.title), "success")
    if callable(done_url):
        return redirect(done_url(result))
    return redirect(done_url or kind.page(record))
