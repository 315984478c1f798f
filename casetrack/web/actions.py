"""Workflow action pages shared by disputes and petitions: show the form, take the action, or refuse it.

A refused action (a domain rule, or a stale form) changes nothing and answers 409 with the message
beside the form and the input kept.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.i18n import domain_message
from casetrack.services.disputes import EditConflict


@dataclass(frozen=True)
class Action:
    """An action page: its title, form, when it is offered, and the service call it makes."""

    title: str
    form: type
    offered: Callable[[object], bool]
    perform: Callable[[object, object], object]
    prepare: Callable[[object, object], None] = lambda record, form: None


def run_action(action: Action, record, reload: Callable[[], object], template: str, done_url: str, **context):
    """Handle GET and POST for one action on one record (a dispute or a petition)."""
    form = action.form()
    form._registered_on = getattr(record, "registered_on", None) or getattr(record, "received_on", None)
    form._closed_on = getattr(record, "closed_on", None) or form._registered_on
    action.prepare(record, form)
    page = dict(case=record, form=form, title=action.title, **context)
    if request.method == "GET":
        form.version.data = record.version
        if not action.offered(record):
            message = _("当前状态为“%(state)s”,不能“%(action)s”。", state=_(record.state.label), action=action.title)
            return render_template("errors/refused.html", message=message, case=record), 409
        return render_template(template, **page)
    if not form.validate_on_submit():
        return render_template(template, **page), 400
    try:
        result = action.perform(record, form)
        db.session.commit()
    except (DomainError, StaleDataError) as refused:
        db.session.rollback()
        form.form_errors.append(domain_message(refused if isinstance(refused, DomainError) else EditConflict()))
        page["case"] = reload()
        return render_template(template, **page), 409
    flash(_("已保存:%(action)s。", action=action.title), "success")
    return redirect(done_url if not callable(done_url) else done_url(result))
