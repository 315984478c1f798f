"""An admin's notification channels per township: set them, send a test message, see what failed."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casetrack import clock, permissions
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.admin import ConfirmForm
from casetrack.forms.notifications import ChannelsForm
from casetrack.i18n import domain_message
from casetrack.models import NotificationChannel, Township
from casetrack.services import notifications
from casetrack.web.decorators import blueprint_allowed_if

bp = Blueprint("notifications", __name__, url_prefix="/admin/notifications")


blueprint_allowed_if(bp, permissions.can_administer)


def _township(township_id: int) -> Township:
    """A township admin sees only their own township; another answers 404 as if it did not exist."""
    township = db.session.get(Township, township_id)
    if township is None or current_user.township_id not in (None, township_id):
        abort(404)
    return township


def _channels(township: Township) -> dict[str, NotificationChannel]:
    rows = db.session.execute(select(NotificationChannel).where(NotificationChannel.township_id == township.id))
    return {channel.kind: channel for channel in rows.scalars()}


@bp.route("/<int:township_id>", methods=["GET", "POST"])
def channels(township_id: int):
    """Set the township's 企业微信 and 钉钉 group robots and its SMS gateway; an empty address removes one."""
    township = _township(township_id)
    existing = _channels(township)
    form = ChannelsForm()
    if request.method == "GET":
        for kind in notifications.EXTERNAL:
            channel = existing.get(kind)
            getattr(form, f"{kind}_url").data = channel.url if channel else ""
            getattr(form, f"{kind}_active").data = channel.active if channel else True
    elif form.validate_on_submit():
        try:
            for kind in notifications.EXTERNAL:
                notifications.set_channel(
                    township, kind, getattr(form, f"{kind}_url").data,
                    form.dingtalk_secret.data if kind == "dingtalk" else None, getattr(form, f"{kind}_active").data)
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(domain_message(refused))
        else:
            db.session.commit()
            flash(_("已保存通知渠道。"), "success")
            return redirect(url_for("notifications.channels", township_id=township.id))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/notifications.html", township=township, form=form, channels=existing,
                           labels=notifications.CHANNEL_LABELS, troubles=notifications.troubles(township.id),
                           button=ConfirmForm(formdata=None)), status


@bp.route("/<int:township_id>/<any(wecom, dingtalk, sms):kind>/test", methods=["POST"])
def test(township_id: int, kind: str):
    """Send a test message on one channel now and say whether it was taken."""
    township = _township(township_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    channel = _channels(township).get(kind)
    if channel is None:
        abort(404)
    try:
        notifications.send_test(channel, township, clock.now_utc())
    except notifications.SendFailed as failure:
        db.session.commit()  # the failed test is kept, shown below with its reason
        flash(_("测试消息发送失败:%(reason)s", reason=str(failure)), "error")
    else:
        db.session.commit()
        flash(_("测试消息已发送,请到群里或手机上查看。"), "success")
    return redirect(url_for("notifications.channels", township_id=township.id))
