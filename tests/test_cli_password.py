"""`user password USERNAME --password-stdin`: set a forgotten password from the command line, by the policy."""

import pytest

from tests.test_cli import _logs_in

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def wang(runner):
    runner.invoke(args=["township", "add", "东岭乡", "--villages", "东岭村"])
    result = runner.invoke(args=["user", "add", "wang", "--role", "staff", "--township", "东岭乡", "--password-stdin"],
                           input="first-pass-2026\n")
    assert result.exit_code == 0, result.output
    return "wang"


def test_user_password_sets_a_new_password_that_logs_in_and_the_old_one_no_longer_does(app, runner, wang):
    result = runner.invoke(args=["user", "password", "wang", "--password-stdin"], input="second-pass-2026\n")
    assert result.exit_code == 0, result.output
    assert "已为 wang 设置新密码" in result.output
    assert "second-pass-2026" not in result.output
    assert _logs_in(app, "wang", "second-pass-2026")
    assert not _logs_in(app, "wang", "first-pass-2026")


def test_a_temporary_password_signs_in_to_the_form_that_asks_for_the_users_own(app, runner, wang):
    result = runner.invoke(args=["user", "password", "wang", "--password-stdin", "--temporary"],
                           input="second-pass-2026\n")
    assert result.exit_code == 0, result.output
    assert "下次登录时须修改密码" in result.output
    client = app.test_client()
    assert client.post("/auth/login", data={"username": "wang", "password": "second-pass-2026"}).status_code == 302
    assert client.get("/cases").headers["Location"].endswith("/account/password")


@pytest.mark.parametrize("password, message", [
    ("short", "密码至少10位"),
    ("password123", "这是常见密码"),
    ("wang2026!!!", "密码不能是用户名或乡镇名称"),
])
def test_user_password_follows_the_password_policy(app, runner, wang, password, message):
    result = runner.invoke(args=["user", "password", "wang", "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert _logs_in(app, "wang", "first-pass-2026")


def test_user_password_refuses_an_unknown_account_and_a_password_on_the_command_line(runner, wang):
    unknown = runner.invoke(args=["user", "password", "zhao", "--password-stdin"], input="second-pass-2026\n")
    assert unknown.exit_code == 1 and "用户“zhao”不存在" in unknown.output
    no_stdin = runner.invoke(args=["user", "password", "wang"])
    assert no_stdin.exit_code == 1 and "--password-stdin" in no_stdin.output


def test_demo_if_empty_on_a_second_start_says_how_to_get_in(runner):
    assert runner.invoke(args=["demo", "--password", "demo2024pass"]).exit_code == 0
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "跳过演示数据" in result.output
    assert "user password admin --password-stdin" in result.output
