"""Notifications: the outbox, the day's digest, the immediate messages, the channels' payloads as their vendors
document them (received by a real HTTP server on 127.0.0.1), retries with backoff, and a dry run that sends nothing."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Notification
from casetrack.services import notifications, review, supervision
from casetrack.services import petitions as petition_services
from tests.conftest import login
from tests.factories import VALID_ID, VALID_PHONE, make_dispute
from tests.petition_factories import make_petition
from tests.web.test_i18n import english, locale_per_request  # noqa: F401 (fixtures: the .po as it is now)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

DINGTALK_SECRET = "SEC0123456789abcdef"


class Receiver:
    """A webhook endpoint on 127.0.0.1: records each POST; answers as told (status, JSON body)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append({"path": self.path, "json": json.loads(body or b"null"),
                                          "content_type": self.headers.get("Content-Type")})
                status, answer = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


def _now():
    return clock.now_utc()


def _channels(world, receiver, kinds=("wecom", "dingtalk", "sms")):
    paths = {"wecom": "/cgi-bin/webhook/send?key=abc", "dingtalk": "/robot/send?access_token=xyz", "sms": "/sms"}
    for kind in kinds:
        notifications.set_channel(world.township, kind, receiver.url(paths[kind]),
                                  DINGTALK_SECRET if kind == "dingtalk" else None, True)
    db.session.commit()


def _outbox(**where) -> list[Notification]:
    query = select(Notification)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.session.execute(query.order_by(Notification.id)).scalars())


def test_the_digest_lists_a_persons_lines_by_kind_with_limits_and_no_personal_data(app, world):
    today = clock.today()
    overdue = make_dispute(world.mediator, world.village, state="mediating", registered_on=today - timedelta(days=45))
    waiting = make_dispute(world.mediator, world.village, registered_on=today - timedelta(days=1))
    text = notifications.digest_text(world.staff, today, _now())
    assert text.startswith(f"【casetrack待办】刘明,{today.isoformat()}共")
    assert f"待受理1项:{waiting.number}" in text
    assert f"期限将到或已超期1项:{overdue.number}(期限{overdue.due_on.isoformat()},已超期" in text
    assert "本期排查尚未进行1项" in text
    for personal in ("张三", "李四", VALID_ID, VALID_PHONE, "138"):
        assert personal not in text
    assert notifications.digest_text(world.far_staff, today, _now()) is not None  # their own round only
    assert waiting.number not in notifications.digest_text(world.far_staff, today, _now())


def test_one_digest_per_person_and_channel_a_day(app, world, receiver):
    _channels(world, receiver, ("wecom",))
    make_dispute(world.mediator, world.village, registered_on=clock.today() - timedelta(days=1))
    first = notifications.queue_digests(clock.today(), _now())
    db.session.commit()
    again = notifications.queue_digests(clock.today(), _now())
    db.session.commit()
    assert first >= 2 and again == 0
    staff_digests = _outbox(user_id=world.staff.id, kind="digest")
    assert sorted(row.channel for row in staff_digests) == ["inapp", "wecom"]
    far = _outbox(user_id=world.far_staff.id, kind="digest")
    assert [row.channel for row in far] == ["inapp"]  # 东岭乡 has no robot


def test_each_channel_gets_its_vendors_payload_and_dingtalk_is_signed(app, world, receiver):
    _channels(world, receiver)
    notifications.queue(world.staff, "digest", "【casetrack待办】测试内容", _now(), digest_on=clock.today())
    db.session.commit()
    result = notifications.deliver_pending(_now())
    assert result.sent == 3 and result.failed == 0
    by_path = {urllib.parse.urlsplit(r["path"]).path: r for r in receiver.received}
    wecom = by_path["/cgi-bin/webhook/send"]
    assert wecom["json"] == {"msgtype": "text", "text": {"content": "【casetrack待办】测试内容"}}
    assert "key=abc" in wecom["path"] and wecom["content_type"] == "application/json"
    ding = by_path["/robot/send"]
    assert ding["json"] == {"msgtype": "text", "text": {"content": "【casetrack待办】测试内容"}}
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding["path"]).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"][0] == expected and query["access_token"] == ["xyz"]
    assert by_path["/sms"]["json"] == {"username": "staff", "name": "刘明", "text": "【casetrack待办】测试内容"}
    assert all(row.status == "sent" for row in _outbox(user_id=world.staff.id))


def test_the_dingtalk_signature_matches_the_documented_example_shape():
    url = notifications.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1700000000000)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
                   + urllib.parse.quote_plus(base64.b64encode(digest)))


def test_a_failed_send_is_retried_with_backoff_then_failed_and_shown_to_the_admin(app, world, receiver):
    _channels(world, receiver, ("wecom",))
    receiver.answers = [(500, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
                        (500, {}), (500, {}), (500, {})]
    notifications.queue(world.staff, "supervision", "【督办】测试", _now())
    db.session.commit()
    now = _now()
    assert notifications.deliver_pending(now).retrying == 1
    row = _outbox(channel="wecom")[0]
    assert row.attempts == 1 and row.last_error == "HTTP 500"
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert notifications.deliver_pending(now).retrying == 0  # not yet due again: nothing sent
    assert len(receiver.received) == 1
    for minutes in (1, 5, 30, 120):
        now += timedelta(minutes=minutes)
        notifications.deliver_pending(now)
    db.session.expire_all()
    row = _outbox(channel="wecom")[0]
    assert row.status == "failed" and row.attempts == notifications.MAX_ATTEMPTS == len(receiver.received)
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/admin/notifications/{world.township.id}").get_data(as_text=True)
    assert "发送失败和待重试的消息" in page and "HTTP 500" in page and "失败" in page


def test_a_send_that_succeeds_on_retry_is_sent_once(app, world, receiver):
    _channels(world, receiver, ("sms",))
    receiver.answers = [(503, {})]
    notifications.queue(world.mediator, "send_back", "【退回补正】测试", _now())
    db.session.commit()
    now = _now()
    notifications.deliver_pending(now)
    notifications.deliver_pending(now + timedelta(minutes=1))
    notifications.deliver_pending(now + timedelta(minutes=10))
    assert len(receiver.received) == 2
    assert _outbox(channel="sms")[0].status == "sent"


def test_a_new_supervision_an_extension_request_and_a_send_back_are_announced_at_once(app, world):
    today = clock.today()
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=today - timedelta(days=3))
    supervision.supervise(case, world.leader, f"请联系{VALID_PHONE}的张三", today + timedelta(days=3), today)
    to_mediator = _outbox(user_id=world.mediator.id, kind="supervision")
    assert to_mediator and case.number in to_mediator[0].text and VALID_PHONE not in to_mediator[0].text
    assert "张三" not in to_mediator[0].text  # the instruction itself stays in casetrack
    assert _outbox(user_id=world.staff.id, kind="supervision")
    assert not _outbox(user_id=world.other_mediator.id, kind="supervision")  # another village's mediator

    petition = make_petition(world.staff, world.township, state="in_progress", received_on=today - timedelta(days=10))
    petition_services.request_extension(petition, world.staff, 20, "需要核实")
    assert petition.number in _outbox(user_id=world.leader.id, kind="extension_request")[0].text

    fresh = make_dispute(world.mediator, world.village, registered_on=today)
    review.send_back(fresh, world.staff, "请补充住址")
    assert fresh.number in _outbox(user_id=world.mediator.id, kind="send_back")[0].text
    db.session.commit()


def test_no_id_number_or_phone_ever_leaves_in_a_message(app, world):
    rows = notifications.queue(world.staff, "digest", f"号码{VALID_ID}和138 1234 5678", _now())
    assert all(VALID_ID not in row.text and "1234 5678" not in row.text for row in rows)


def test_remind_dry_run_prints_per_person_and_channel_and_sends_nothing(app, world, receiver, runner):
    _channels(world, receiver, ("wecom",))
    waiting = make_dispute(world.mediator, world.village, registered_on=clock.today() - timedelta(days=1))
    notifications.queue(world.leader, "extension_request", "【待审批】测试", _now())
    db.session.commit()
    before = db.session.execute(select(func.count()).select_from(Notification)).scalar_one()
    result = runner.invoke(args=["remind", "--dry-run", "--digest-hour", "0"])
    assert result.exit_code == 0, result.output
    assert "== leader · wecom ==\n【待审批】测试" in result.output
    assert "== staff · inapp ==" in result.output and "== staff · wecom ==" in result.output
    assert waiting.number in result.output and "未发送(--dry-run)" in result.output
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Notification)).scalar_one() == before
    assert receiver.received == []

    result = runner.invoke(args=["remind", "--digest-hour", "0"])
    assert result.exit_code == 0, result.output
    assert any(r["json"]["text"]["content"] == "【待审批】测试" for r in receiver.received)
    assert any(waiting.number in r["json"]["text"]["content"] for r in receiver.received)


def test_the_admin_sets_channels_and_sends_a_test_message(app, world, receiver):
    admin = app.test_client()
    login(admin, "admin")
    url = f"/admin/notifications/{world.township.id}"
    bad = admin.post(url, data={"wecom_url": "ftp://x", "dingtalk_url": "", "sms_url": ""})
    assert bad.status_code == 400 and "地址须以 https:// 或 http:// 开头" in bad.get_data(as_text=True)
    response = admin.post(url, data={"wecom_url": receiver.url("/cgi-bin/webhook/send?key=k"), "wecom_active": "y",
                                     "dingtalk_url": receiver.url("/robot/send?access_token=t"),
                                     "dingtalk_secret": DINGTALK_SECRET, "dingtalk_active": "y", "sms_url": ""})
    assert response.status_code == 302
    page = admin.get(url).get_data(as_text=True)
    assert DINGTALK_SECRET not in page and "已设置,留空则不变" in page
    response = admin.post(f"{url}/dingtalk/test", follow_redirects=True)
    assert "测试消息已发送" in response.get_data(as_text=True)
    assert receiver.received[-1]["json"]["text"]["content"].startswith("【casetrack】斜沟乡的钉钉群机器人测试消息")
    assert "sign=" in receiver.received[-1]["path"]
    receiver.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    response = admin.post(f"{url}/wecom/test", follow_redirects=True)
    assert "测试消息发送失败:errcode 310000: sign not match" in response.get_data(as_text=True)
    assert admin.get(f"/admin/notifications/{world.other_township.id}").status_code == 200  # a county-wide admin


def test_in_app_messages_show_on_the_inbox(app, world):
    notifications.queue(world.mediator, "send_back", "【退回补正】(2026)斜调字第1号被退回补正。", _now())
    db.session.commit()
    client = app.test_client()
    login(client, "mediator1")
    page = client.get("/inbox").get_data(as_text=True)
    assert "最近的消息" in page and "(2026)斜调字第1号被退回补正" in page


def test_a_warning_turning_red_after_a_write_is_announced_at_once_but_not_by_the_nightly_refresh(app, world):
    from casetrack.services import warnings as warning_services

    today = clock.today()
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=today - timedelta(days=3))
    db.session.commit()
    supervision.record_prevention(case, world.staff, 3, 0)  # 防止民转刑 on an open case: red
    db.session.commit()
    for person in (world.staff, world.leader, world.mediator):
        (message,) = [m for m in _outbox(user_id=person.id, kind="warning") if case.number in m.text]
        assert message.text.startswith("【红色预警】") and world.village.name in message.text
    assert not [m for m in _outbox(user_id=world.other_mediator.id, kind="warning") if case.number in m.text]

    from casetrack.models import RiskWarning

    before = len(_outbox(kind="warning"))
    for row in db.session.execute(select(RiskWarning)).scalars():
        db.session.delete(row)
    db.session.commit()
    counts = warning_services.refresh_township(world.township, today)  # raises it again: left to the digest
    db.session.commit()
    assert counts["raised"] >= 1 and len(_outbox(kind="warning")) == before


# --- each person's language ------------------------------------------------------------------------------------

def _sms_texts(receiver) -> dict[str, list[str]]:
    """The texts the SMS gateway received, by the username it was asked to reach."""
    texts: dict[str, list[str]] = {}
    for request in receiver.received:
        texts.setdefault(request["json"]["username"], []).append(request["json"]["text"])
    return texts


@pytest.mark.usefixtures("english")
def test_each_person_gets_the_immediate_messages_in_the_language_they_chose(app, world, receiver):
    from casetrack.services import accounts

    _channels(world, receiver, ("sms",))
    for person in (world.staff, world.leader):
        accounts.choose_language(person, "en")
    db.session.commit()
    today = clock.today()
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=today - timedelta(days=3))
    supervision.supervise(case, world.leader, "请尽快化解", today + timedelta(days=3), today)
    petition = make_petition(world.staff, world.township, state="in_progress", received_on=today - timedelta(days=10))
    petition_services.request_extension(petition, world.staff, 20, "需要核实")
    fresh = make_dispute(world.mediator, world.village, registered_on=today)
    review.send_back(fresh, world.staff, "请补充住址")
    db.session.commit()
    assert notifications.deliver_pending(_now()).failed == 0
    texts = _sms_texts(receiver)
    due = (today + timedelta(days=3)).isoformat()
    assert texts["staff"] == [f"[Supervision] {world.leader.display_name} is supervising {case.number} "
                              f"({world.village.name}), deadline {due}. Sign in to casetrack to read the instruction."]
    assert texts["mediator1"] == [
        f"【督办】{world.leader.display_name}督办{case.number}({world.village.name}),期限{due}。请登录casetrack查看督办意见。",
        f"【退回补正】{fresh.number}({world.village.name})被退回补正。请在casetrack待办中查看要求并补正。"]
    (request,) = texts["leader"]
    assert request.startswith(f"[Approval needed] Petition {petition.number} asks for an extension of 20 days")
    client = app.test_client()  # the in-app copy is the same text, marked with the language it is written in
    login(client, "staff")
    marked_english = f'lang="en">[Supervision] {world.leader.display_name} is supervising {case.number}'
    assert marked_english in client.get("/inbox").text
    client = app.test_client()
    login(client, "mediator1")
    assert f'lang="zh-CN">【督办】{world.leader.display_name}督办{case.number}' in client.get("/inbox").text


@pytest.mark.usefixtures("english")
def test_the_digest_and_a_red_warning_are_written_in_each_persons_language(app, world, receiver):
    from casetrack.services import accounts

    _channels(world, receiver, ("sms",))
    accounts.choose_language(world.staff, "en")
    today = clock.today()
    waiting = make_dispute(world.mediator, world.village, registered_on=today - timedelta(days=1))
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=today - timedelta(days=3))
    db.session.commit()
    supervision.record_prevention(case, world.staff, 3, 0)  # 防止民转刑 on an open case: a red warning
    notifications.queue_digests(today, _now())
    db.session.commit()
    notifications.deliver_pending(_now())
    texts = _sms_texts(receiver)
    (english_warning,) = [t for t in texts["staff"] if "warning" in t]
    (english_digest,) = [t for t in texts["staff"] if t.startswith("[casetrack inbox]")]
    assert english_warning.startswith(f"[Red warning] {world.village.name}: ")
    assert case.number in english_warning and "warnings page" in english_warning
    assert english_digest.startswith(f"[casetrack inbox] 刘明, {today.isoformat()}: ")
    assert f"Waiting for acceptance: 1: {waiting.number}" in english_digest
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english_digest.replace("刘明", "").replace(
        world.village.name, "").replace(world.township.name, "").replace(waiting.number, "").replace(case.number, ""))
    (chinese_warning,) = [t for t in texts["leader"] if "预警页" in t]
    (chinese_digest,) = [t for t in texts["leader"] if t.startswith("【casetrack待办】")]
    assert chinese_warning.startswith(f"【红色预警】{world.village.name}:") and case.number in chinese_warning
    assert chinese_digest == f"【casetrack待办】leader,{today.isoformat()}共1项:\n红色预警待处置1项:{case.number}"
