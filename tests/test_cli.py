"""The flask commands: township add, user add --password-stdin, and the demo township."""

import pytest
from sqlalchemy import func, select

from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, Township, User

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

DEMO_PASSWORD = "demo2024pass"
DEMO_VILLAGES = ["斜沟村", "王家庄村", "李家湾村", "马家坪村", "杨家河村", "张家岘村", "赵家沟村"]
DEMO_ACCOUNTS = ["admin", "staff", "leader", *(f"mediator{n}" for n in range(1, 8)),
                 "dlstaff", "dlleader", *(f"dlmediator{n}" for n in range(1, 4)), "county"]


def _township(name: str) -> Township:
    return db.session.execute(select(Township).where(Township.name == name)).scalar_one()


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _logs_in(app, username: str, password: str) -> bool:
    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": password})
    return response.status_code == 302 and client.get("/cases").status_code == 200


# --- township add ---------------------------------------------------------------------------------

def test_township_add_creates_the_township_with_its_villages_in_order(runner):
    result = runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村,西岭村,南沟村"])
    assert result.exit_code == 0, result.output
    assert "已创建 东岭乡:3 个行政村" in result.output
    assert [v.name for v in _township("东岭乡").villages] == ["东岭村", "西岭村", "南沟村"]


def test_township_add_accepts_full_width_commas(runner):
    result = runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村,西岭村"])
    assert result.exit_code == 0, result.output
    assert [v.name for v in _township("东岭乡").villages] == ["东岭村", "西岭村"]


def test_township_add_refuses_a_duplicate(runner):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村"])
    result = runner.invoke(args=["township", "add", "东岭乡", "--villages", "西岭村"])
    assert result.exit_code == 1
    assert "乡镇“东岭乡”已存在" in result.output
    assert [v.name for v in _township("东岭乡").villages] == ["东岭村"]


# --- user add --------------------------------------------------------------------------------------

def test_user_add_reads_the_password_from_stdin_and_the_user_can_log_in(app, runner):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村,西岭村"])
    result = runner.invoke(
        args=["user", "add", "wang", "--role", "mediator", "--village", "西岭村", "--full-name", "王调解",
              "--password-stdin"],
        input="xiling2024pw\n",
    )
    assert result.exit_code == 0, result.output
    assert "已创建用户 wang(村调解员)" in result.output
    assert "xiling2024pw" not in result.output
    user = _user("wang")
    assert (user.role, user.village.name, user.township.name, user.full_name) == ("mediator", "西岭村", "东岭乡", "王调解")
    assert _logs_in(app, "wang", "xiling2024pw")


def test_user_add_for_staff_names_the_township(runner):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村"])
    result = runner.invoke(args=["user", "add", "li", "--role", "staff", "--township", "东岭乡", "--password-stdin"],
                           input="dongling88\n")
    assert result.exit_code == 0, result.output
    assert (_user("li").township.name, _user("li").village_id) == ("东岭乡", None)


def test_user_add_without_password_stdin_is_refused(runner):
    result = runner.invoke(args=["user", "add", "wang", "--role", "admin"])
    assert result.exit_code == 1
    assert "--password-stdin" in result.output
    assert _user("wang") is None


@pytest.mark.parametrize(("args", "password", "message"), [
    (["--role", "admin"], "password1\n", "密码至少10位"),
    (["--role", "mediator", "--village", "不存在村"], "longenough1\n", "行政村“不存在村”不存在"),
    (["--role", "staff"], "longenough1\n", "乡干部和领导必须指定所属乡镇"),
    (["--role", "staff", "--township", "无此乡"], "longenough1\n", "乡镇“无此乡”不存在"),
], ids=["weak-password", "unknown-village", "staff-without-township", "unknown-township"])
def test_user_add_refuses_bad_input_and_creates_nothing(runner, args, password, message):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村"])
    result = runner.invoke(args=["user", "add", "wang", *args, "--password-stdin"], input=password)
    assert result.exit_code == 1
    assert message in result.output
    assert _user("wang") is None


def test_user_add_asks_for_the_township_when_village_names_repeat(runner):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "新村"])
    runner.invoke(args=["township", "add", "西岭乡", "--villages", "新村"])
    ambiguous = runner.invoke(args=["user", "add", "wang", "--role", "mediator", "--village", "新村",
                                    "--password-stdin"], input="longenough1\n")
    assert ambiguous.exit_code == 1 and "请用 --township 指定乡镇" in ambiguous.output
    chosen = runner.invoke(args=["user", "add", "wang", "--role", "mediator", "--village", "新村",
                                 "--township", "西岭乡", "--password-stdin"], input="longenough1\n")
    assert chosen.exit_code == 0, chosen.output
    assert _user("wang").township.name == "西岭乡"


# --- demo (each run registers about 120 cases, so one run serves several checks) ------------------------

def test_demo_creates_the_township_its_accounts_and_two_years_of_cases(runner):
    result = runner.invoke(args=["demo", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output

    township = _township("斜沟乡")
    assert [v.name for v in township.villages] == DEMO_VILLAGES
    assert all(v.natural_villages for v in township.villages)

    assert set(db.session.execute(select(User.username)).scalars()) == set(DEMO_ACCOUNTS)
    for n, village in enumerate(DEMO_VILLAGES, start=1):
        assert _user(f"mediator{n}").village.name == village
    assert [_user(name).role for name in ("admin", "staff", "leader")] == ["admin", "staff", "leader"]
    for username in DEMO_ACCOUNTS:
        assert username in result.output
    assert DEMO_PASSWORD in result.output

    total = db.session.execute(select(func.count()).select_from(Dispute)).scalar_one()
    assert total >= 100
    years = set(db.session.execute(select(Dispute.year)).scalars())
    assert len(years) == 2 and max(years) - min(years) == 1

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "跳过演示数据" in again.output
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == total


def test_demo_has_disputes_in_every_state(runner):
    assert runner.invoke(args=["demo", "--password", DEMO_PASSWORD]).exit_code == 0
    states = set(db.session.execute(select(Dispute.status)).scalars())
    assert states == {s.value for s in wf.DisputeState}


def test_demo_accounts_log_in_and_each_mediator_sees_only_their_village(app, runner):
    assert runner.invoke(args=["demo", "--password", DEMO_PASSWORD]).exit_code == 0
    for username in DEMO_ACCOUNTS:
        assert _logs_in(app, username, DEMO_PASSWORD), username
    client = app.test_client()
    client.post("/auth/login", data={"username": "mediator3", "password": DEMO_PASSWORD})
    rows = client.get("/cases").get_data(as_text=True).split("<tbody>")[1]
    assert "李家湾村" in rows
    assert not any(village in rows for village in DEMO_VILLAGES if village != "李家湾村")


def test_demo_without_password_prints_a_random_one_that_works(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith("staff"))
    password = line.split()[1]
    assert len(password) >= 8
    assert _logs_in(app, "staff", password)
