"""Notifications: queue messages in the outbox, send them on each channel, retry failures with backoff.

What goes in a message: the kind of work, case numbers, places, dates and counts; never a party's name, an
ID number or a phone (every text also passes PERSONAL_NUMBER before it is queued), nor free text typed on a
case (a send-back note, a 督办 instruction), which could hold anything: the person reads those in casetrack.

Channels: in-app (always; shown on /inbox), and per township, as an admin sets them, a 企业微信 group robot,
a 钉钉 group robot (with its 加签 secret) and a generic HTTP webhook in front of an SMS gateway, which gets the
username and maps it to a phone itself. Sending is done by `flask --app casetrack remind` (docs/notifications.md).
"""

import base64
import hashlib
import hmac
import time
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import requests
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casetrack.domain import warnings as warning_rules
from casetrack.domain.errors import N_, DomainError
from casetrack.domain.identity import PERSONAL_NUMBER
from casetrack.extensions import db
from casetrack.i18n import case_numbers
from casetrack.models import Notification, NotificationChannel, Role, Township, User, Village
from casetrack.models.users import DEFAULT_LOCALE
from casetrack.services import inbox as inbox_service

EXTERNAL = ("wecom", "dingtalk", "sms")
CHANNEL_LABELS = {"inapp": N_("站内消息"), "wecom": N_("企业微信群机器人"), "dingtalk": N_("钉钉群机器人"), "sms": N_("短信网关")}
BACKOFF_MINUTES = (1, 5, 30, 120)
"""Waits before the 2nd, 3rd, 4th and 5th attempt; after the 5th failure a message is failed for good."""
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
TIMEOUT_SECONDS = 10
DIGEST_ROLES = (Role.MEDIATOR.value, Role.STAFF.value, Role.LEADER.value)


class SendFailed(Exception):
    """A channel did not take the message: the reason, without the URL (its key is a secret)."""


def clean(text: str) -> str:
    """Blank out anything shaped like an ID number or a phone, whatever wrote the text."""
    return PERSONAL_NUMBER.sub("***", text)


# --- what is queued ------------------------------------------------------------------------------------------

def _channels(township_id: int | None) -> list[NotificationChannel]:
    if township_id is None:
        return []
    return list(db.session.execute(select(NotificationChannel).where(
        NotificationChannel.township_id == township_id, NotificationChannel.active.is_(True))
        .order_by(NotificationChannel.kind)).scalars())


def _township_of(user: User) -> int | None:
    return user.township_id if user.township_id else (user.village.township_id if user.village else None)


def queue(user: User, kind: str, text: str, now: datetime, digest_on: date | None = None,
          language: str | None = None) -> list[Notification]:
    """Queue one message to a person: in-app, and on each active channel of their township. The text is in
    `language`, the person's own unless said otherwise."""
    township_id = _township_of(user)
    rows = []
    for channel in ["inapp", *(c.kind for c in _channels(township_id))]:
        row = Notification(user_id=user.id, township_id=township_id, channel=channel, kind=kind,
                           text=clean(text), language=language or user.language, digest_on=digest_on, next_attempt_at=now, created_at=now)
        if channel == "inapp":  # shown on the person's inbox at once: nothing to send
            row.status, row.sent_at = "sent", now
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def _people(township_id: int, roles: tuple[str, ...], village_id: int | None = None) -> list[User]:
    query = select(User).where(User.active.is_(True), User.role.in_(roles), User.township_id == township_id)
    if village_id is not None:
        query = query.where(User.village_id == village_id)
    return list(db.session.execute(query.order_by(User.id)).scalars())


def _to_each(people: list[User], kind: str, now: datetime, write) -> None:
    """Queue write()'s text to each person, written in the language they chose (Chinese unless they chose another)."""
    texts: dict[str, str] = {}
    for person in people:
        language = person.language
        if language not in texts:
            with force_locale(language):
                texts[language] = write()
        queue(person, kind, texts[language], now, language=language)


def announce_supervision(dispute, leader: User, due_on: date, now: datetime) -> None:
    """Tell the case's village mediators and the township staff at once of a new 督办 (not its instruction)."""
    people = [*_people(dispute.township_id, (Role.MEDIATOR.value,), dispute.village_id),
              *_people(dispute.township_id, (Role.STAFF.value,))]
    _to_each(people, "supervision", now, lambda: _(
        "【督办】%(leader)s督办%(number)s(%(place)s),期限%(due)s。请登录casetrack查看督办意见。",
        leader=leader.display_name, number=dispute.number, place=dispute.village.name, due=due_on.isoformat()))


def announce_petition_supervision(petition, leader: User, due_on: date, now: datetime) -> None:
    """Tell the township staff at once of a new 督办 on a petition (not its instruction)."""
    _to_each(_people(petition.township_id, (Role.STAFF.value,)), "supervision", now, lambda: _(
        "【督办】%(leader)s督办信访事项%(number)s,期限%(due)s。请登录casetrack查看督办意见。",
        leader=leader.display_name, number=petition.number, due=due_on.isoformat()))


def announce_red_warning(warning, now: datetime) -> None:
    """Tell the township's staff and leaders, and the village's mediators, at once of a red warning (红色预警).

    The message names the rule, the place and the case numbers; the people and the sentence stay in the app.
    """
    # a warning raised in this flush is pending: its relationships are not loaded yet, its ids are set
    place = (db.session.get(Village, warning.village_id) if warning.village_id is not None
             else db.session.get(Township, warning.township_id)).name
    people = _people(warning.township_id, (Role.STAFF.value, Role.LEADER.value))
    if warning.village_id is not None:
        people += _people(warning.township_id, (Role.MEDIATOR.value,), warning.village_id)

    def write() -> str:
        rule = gettext(warning_rules.Rule(warning.rule).label)
        if warning.numbers:
            return _("【红色预警】%(place)s:%(rule)s,涉及%(numbers)s。请登录casetrack预警页查看并处置。",
                     place=place, rule=rule, numbers=case_numbers(warning.numbers, 3))
        return _("【红色预警】%(place)s:%(rule)s。请登录casetrack预警页查看并处置。", place=place, rule=rule)

    _to_each(people, "warning", now, write)


def announce_extension_request(petition, days: int, now: datetime) -> None:
    """Tell the township's leaders at once that an extension waits for their approval."""
    due = petition.opinion_due_on.isoformat() if petition.opinion_due_on else "—"
    _to_each(_people(petition.township_id, (Role.LEADER.value,)), "extension_request", now, lambda: _(
        "【待审批】信访事项%(number)s申请延期%(days)s日,现办结期限%(due)s。请在casetrack待办中批准或不批准。",
        number=petition.number, days=days, due=due))


def announce_send_back(dispute, now: datetime) -> None:
    """Tell the case's village mediators at once that it was sent back for correction (not the note)."""
    _to_each(_people(dispute.township_id, (Role.MEDIATOR.value,), dispute.village_id), "send_back", now, lambda: _(
        "【退回补正】%(number)s(%(place)s)被退回补正。请在casetrack待办中查看要求并补正。",
        number=dispute.number, place=dispute.village.name))


NAMELESS_KINDS = frozenset({"ledger_import"})
"""Kinds whose lines are named by something a user typed (a file's name): the digest gives their count only."""


def _limit_text(line: inbox_service.Line) -> str:
    if line.due is None:
        return ""
    if line.days_left < 0:
        left = _("已超期%(n)s天", n=-line.days_left)
    elif line.days_left == 0:
        left = _("今天到期")
    else:
        left = _("剩%(n)s天", n=line.days_left)
    return _("(期限%(due)s,%(left)s)", due=line.due.isoformat(), left=left)


def digest_text(user: User, today: date, now: datetime) -> str | None:
    """Return the day's digest of a person's inbox, in their language: how many of each kind and the first few
    numbers with limits."""
    with force_locale(user.language):  # the lines too: a warning's line names its cases as the language lists them
        box = inbox_service.inbox_for(user, today, now)
        if not box.count:
            return None
        parts = [_("【casetrack待办】%(name)s,%(day)s共%(count)s项:", name=user.display_name,
                   day=today.isoformat(), count=box.count)]
        for kind, title in inbox_service.KINDS.items():
            lines = box.lines.get(kind)
            if not lines:
                continue
            if kind in NAMELESS_KINDS:
                parts.append(_("%(title)s%(count)s项", title=gettext(title), count=box.totals[kind]))
                continue
            shown = [f"{line.number}{_limit_text(line)}" for line in lines[:3]]
            parts.append(_("%(title)s%(count)s项:%(numbers)s", title=gettext(title), count=box.totals[kind],
                           numbers=case_numbers(shown, more=box.totals[kind] > len(shown))))
    return "\n".join(parts)


def queue_digests(today: date, now: datetime) -> int:
    """Queue today's digest for each person with something waiting, unless one was queued today already."""
    queued = 0
    users = db.session.execute(select(User).where(User.active.is_(True), User.role.in_(DIGEST_ROLES))
                               .order_by(User.id)).scalars().all()
    for user in users:
        done = db.session.execute(select(Notification.id).where(
            Notification.user_id == user.id, Notification.digest_on == today).limit(1)).first()
        if done:
            continue
        text = digest_text(user, today, now)
        if text is None:
            continue
        try:
            with db.session.begin_nested():
                queue(user, "digest", text, now, digest_on=today)
        except IntegrityError:  # another run queued it meanwhile: one digest a day
            continue
        queued += 1
    return queued


# --- sending ---------------------------------------------------------------------------------------------------

def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """Add 钉钉's 加签: timestamp, and sign = urlencode(base64(HmacSHA256(secret, "timestamp\\nsecret")))."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def payload(channel: str, text: str, user: User | None) -> dict:
    """Return the JSON body each channel documents: text messages for both robots, a plain record for SMS."""
    if channel in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": text}}
    return {"username": user.username if user else None, "name": user.display_name if user else None, "text": text}


def post(channel: NotificationChannel, text: str, user: User | None) -> None:
    """Send one message on a channel; raise SendFailed with the reason when it is not taken."""
    url = channel.url
    if channel.kind == "dingtalk" and channel.secret:
        url = dingtalk_signed_url(url, channel.secret, int(time.time() * 1000))
    try:
        response = requests.post(url, json=payload(channel.kind, text, user), timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise SendFailed(type(error).__name__) from None
    if response.status_code >= 300:
        raise SendFailed(f"HTTP {response.status_code}")
    if channel.kind in ("wecom", "dingtalk"):  # both answer 200 with an errcode, 0 when the message was taken
        try:
            answer = response.json()
        except ValueError:
            raise SendFailed("回应不是JSON") from None
        if answer.get("errcode") != 0:
            raise SendFailed(f"errcode {answer.get('errcode')}: {str(answer.get('errmsg'))[:200]}")


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_pending(now: datetime) -> Delivery:
    """Send every message whose time has come; a failure waits BACKOFF_MINUTES, then fails after MAX_ATTEMPTS."""
    result = Delivery()
    rows = db.session.execute(select(Notification).where(
        Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)).scalars().all()
    channels: dict[tuple[int, str], NotificationChannel | None] = {}
    for row in rows:
        if row.channel == "inapp":
            row.status, row.sent_at = "sent", now  # shown on the person's inbox: nothing to send
            continue
        key = (row.township_id, row.channel)
        if key not in channels:
            channels[key] = db.session.execute(select(NotificationChannel).where(
                NotificationChannel.township_id == row.township_id,
                NotificationChannel.kind == row.channel)).scalar_one_or_none()
        channel = channels[key]
        row.attempts += 1
        try:
            if channel is None or not channel.active:
                raise SendFailed("渠道已停用或已删除")
            post(channel, row.text, row.user)
        except SendFailed as failure:
            row.last_error = str(failure)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                result.failed += 1
            else:
                row.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[row.attempts - 1])
                result.retrying += 1
        else:
            row.status, row.sent_at, row.last_error = "sent", now, None
            result.sent += 1
        db.session.commit()  # each send is kept at once: a crash later must not send it twice
    db.session.commit()
    return result


def what_would_be_sent(today: date, now: datetime, digests: bool = True) -> list[tuple[str, str, str]]:
    """Return (person, channel, text) for every message a run now would send, changing nothing."""
    planned = []
    with db.session.no_autoflush:
        for row in db.session.execute(select(Notification).where(
                Notification.status == "pending", Notification.next_attempt_at <= now)
                .order_by(Notification.id)).scalars():
            planned.append((row.user.username if row.user else "—", row.channel, row.text))
        users = db.session.execute(select(User).where(User.active.is_(True), User.role.in_(DIGEST_ROLES))
                                   .order_by(User.id)).scalars().all() if digests else []
        for user in users:
            if db.session.execute(select(Notification.id).where(
                    Notification.user_id == user.id, Notification.digest_on == today).limit(1)).first():
                continue
            text = digest_text(user, today, now)
            if text is None:
                continue
            for channel in ["inapp", *(c.kind for c in _channels(_township_of(user)))]:
                planned.append((user.username, channel, clean(text)))
    return planned


# --- the admin's channels -----------------------------------------------------------------------------------------

def set_channel(township: Township, kind: str, url: str, secret: str | None, active: bool) -> NotificationChannel:
    """Create or change a township's channel; an empty URL removes it. The secret is kept when left blank."""
    if kind not in EXTERNAL:
        raise DomainError("未知的通知渠道。")
    channel = db.session.execute(select(NotificationChannel).where(
        NotificationChannel.township_id == township.id, NotificationChannel.kind == kind)).scalar_one_or_none()
    url = (url or "").strip()
    if not url:
        if channel is not None:
            db.session.delete(channel)
            db.session.flush()
        return None
    if not url.startswith(("https://", "http://")):
        raise DomainError("地址须以 https:// 或 http:// 开头。")
    if channel is None:
        channel = NotificationChannel(township_id=township.id, kind=kind, url=url)
        db.session.add(channel)
    channel.url, channel.active = url, active
    if secret and secret.strip():
        channel.secret = secret.strip()
    db.session.flush()
    return channel


def send_test(channel: NotificationChannel, township: Township, now: datetime) -> None:
    """Send a test message on a channel now and keep it in the outbox; raise SendFailed when it is not taken."""
    text = f"【casetrack】{township.name}的{CHANNEL_LABELS[channel.kind]}测试消息,{now.isoformat(timespec='minutes')}。"
    row = Notification(township_id=township.id, channel=channel.kind, kind="test", text=text, attempts=1,
                       language=DEFAULT_LOCALE, next_attempt_at=now, created_at=now)
    db.session.add(row)
    try:
        post(channel, text, None)
    except SendFailed as failure:
        row.status, row.last_error = "failed", str(failure)
        db.session.flush()
        raise
    row.status, row.sent_at = "sent", now
    db.session.flush()


def troubles(township_id: int | None, limit: int = 30) -> list[Notification]:
    """Return the messages failed for good or waiting to be retried, newest first, for the admin."""
    query = select(Notification).where(Notification.channel != "inapp", (Notification.status == "failed") | (
        (Notification.status == "pending") & (Notification.attempts > 0)))
    if township_id is not None:
        query = query.where(Notification.township_id == township_id)
    return list(db.session.execute(query.order_by(Notification.created_at.desc()).limit(limit)).scalars())


def recent_in_app(user: User, now: datetime, days: int = 7, limit: int = 10) -> list[Notification]:
    """Return a person's in-app messages of the last days, newest first."""
    return list(db.session.execute(select(Notification).where(
        Notification.user_id == user.id, Notification.channel == "inapp", Notification.status == "sent",
        Notification.created_at >= now - timedelta(days=days)).order_by(Notification.created_at.desc())
        .limit(limit)).scalars())
