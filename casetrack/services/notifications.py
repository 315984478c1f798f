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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from casetrack.domain import warnings as warning_rules
from casetrack.domain.errors import N_, DomainError
from casetrack.domain.identity import PERSONAL_NUMBER
from casetrack.extensions import db
from casetrack.models import Notification, NotificationChannel, Role, Township, User, Village
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


def queue(user: User, kind: str, text: str, now: datetime, digest_on: date | None = None) -> list[Notification]:
    """Queue one message to a person: in-app, and on each active channel of their township."""
    township_id = _township_of(user)
    rows = []
    for channel in ["inapp", *(c.kind for c in _channels(township_id))]:
        row = Notification(user_id=user.id, township_id=township_id, channel=channel, kind=kind,
                           text=clean(text), digest_on=digest_on, next_attempt_at=now, created_at=now)
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


def announce_supervision(dispute, leader: User, due_on: date, now: datetime) -> None:
    """Tell the case's village mediators and the township staff at once of a new 督办 (not its instruction)."""
    text = f"【督办】{leader.display_name}督办{dispute.number}({dispute.village.name}),期限{due_on.isoformat()}。请登录casetrack查看督办意见。"
    for person in [*_people(dispute.township_id, (Role.MEDIATOR.value,), dispute.village_id),
                   *_people(dispute.township_id, (Role.STAFF.value,))]:
        queue(person, "supervision", text, now)


def announce_petition_supervision(petition, leader: User, due_on: date, now: datetime) -> None:
    """Tell the township staff at once of a new 督办 on a petition (not its instruction)."""
    text = f"【督办】{leader.display_name}督办信访事项{petition.number},期限{due_on.isoformat()}。请登录casetrack查看督办意见。"
    for person in _people(petition.township_id, (Role.STAFF.value,)):
        queue(person, "supervision", text, now)


def announce_red_warning(warning, now: datetime) -> None:
    """Tell the township's staff and leaders, and the village's mediators, at once of a red warning (红色预警).

    The message names the rule, the place and the case numbers; the people and the sentence stay in the app.
    """
    # a warning raised in this flush is pending: its relationships are not loaded yet, its ids are set
    place = (db.session.get(Village, warning.village_id) if warning.village_id is not None
             else db.session.get(Township, warning.township_id)).name
    numbers = "、".join(warning.numbers[:3]) + ("等" if len(warning.numbers) > 3 else "")
    text = (f"【红色预警】{place}:{warning_rules.Rule(warning.rule).label}" + (f",涉及{numbers}" if numbers else "")
            + "。请登录casetrack预警页查看并处置。")
    people = _people(warning.township_id, (Role.STAFF.value, Role.LEADER.value))
    if warning.village_id is not None:
        people += _people(warning.township_id, (Role.MEDIATOR.value,), warning.village_id)
    for person in people:
        queue(person, "warning", text, now)


def announce_extension_request(petition, days: int, now: datetime) -> None:
    """Tell the township's leaders at once that an extension waits for their approval."""
    due = petition.opinion_due_on.isoformat() if petition.opinion_due_on else "—"
    text = f"【待审批】信访事项{petition.number}申请延期{days}日,现办结期限{due}。请在casetrack待办中批准或不批准。"
    for person in _people(petition.township_id, (Role.LEADER.value,)):
        queue(person, "extension_request", text, now)


def announce_send_back(dispute, now: datetime) -> None:
    """Tell the case's village mediators at once that it was sent back for correction (not the note)."""
    text = f"【退回补正】{dispute.number}({dispute.village.name})被退回补正。请在casetrack待办中查看要求并补正。"
    for person in _people(dispute.township_id, (Role.MEDIATOR.value,), dispute.village_id):
        queue(person, "send_back", text, now)


def digest_text(user: User, today: date, now: datetime) -> str | None:
    """Return the day's digest of a person's inbox: how many of each kind and the first few numbers with limits."""
    box = inbox_service.inbox_for(user, today, now)
    if not box.count:
        return None
    parts = [f"【casetrack待办】{user.display_name},{today.isoformat()}共{box.count}项:"]
    for kind, title in inbox_service.KINDS.items():
        lines = box.lines.get(kind)
        if not lines:
            continue
        shown = []
        for line in lines[:3]:
            limit = ""
            if line.due is not None:
                limit = f"已超期{-line.days_left}天" if line.days_left < 0 else \
                    "今天到期" if line.days_left == 0 else f"剩{line.days_left}天"
                limit = f"(期限{line.due.isoformat()},{limit})"
            shown.append(f"{line.number}{limit}")
        more = "等" if box.totals[kind] > len(shown) else ""
        parts.append(f"{title}{box.totals[kind]}项:{'、'.join(shown)}{more}")
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
                       next_attempt_at=now, created_at=now)
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
