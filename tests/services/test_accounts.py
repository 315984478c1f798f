"""Accounts: where each role belongs, the password policy, and login with a lock after repeated failures."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casetrack.clock import now_utc
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import LoginFailure, Role, User
from casetrack.services import accounts
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

MAX, MINUTES = 5, 15


def _failures(username: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username)
    ).scalar_one()


def test_mediator_belongs_to_a_village_and_its_township(world):
    user = accounts.add_user("mediator9", PASSWORD, Role.MEDIATOR, village=world.other_village)
    assert (user.village_id, user.township_id) == (world.other_village.id, world.township.id)


def test_mediator_township_follows_the_village_whatever_is_passed(world):
    user = accounts.add_user("mediator9", PASSWORD, Role.MEDIATOR, township=world.other_township, village=world.village)
    assert user.township_id == world.township.id


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
def test_staff_and_leader_belong_to_a_township_not_a_village(world, role):
    user = accounts.add_user("someone", PASSWORD, role, township=world.township, village=world.village)
    assert (user.township_id, user.village_id) == (world.township.id, None)


@pytest.mark.parametrize(("role", "message"), [
    (Role.MEDIATOR, "村调解员必须指定所属村"),
    (Role.STAFF, "乡干部和领导必须指定所属乡镇"),
    (Role.LEADER, "乡干部和领导必须指定所属乡镇"),
])
def test_account_without_its_place_is_refused(world, role, message):
    with pytest.raises(DomainError, match=message):
        accounts.add_user("someone", PASSWORD, role)
    db.session.rollback()
    assert db.session.execute(select(User).where(User.username == "someone")).first() is None


def test_admin_may_have_no_township(world):
    user = accounts.add_user("county", PASSWORD, Role.ADMIN)
    assert (user.township_id, user.village_id) == (None, None)


def test_username_is_unique(world):
    with pytest.raises(DomainError, match="用户名“staff”已被使用"):
        accounts.add_user("staff", PASSWORD, Role.STAFF, township=world.township)


def test_blank_username_is_refused(world):
    with pytest.raises(DomainError, match="用户名不能为空"):
        accounts.add_user("   ", PASSWORD, Role.ADMIN)


@pytest.mark.parametrize(("password", "message"), [
    ("abc123", "密码至少8位"),
    ("12345678", "密码须同时包含字母和数字"),
    ("abcdefgh", "密码须同时包含字母和数字"),
])
def test_weak_password_is_refused(world, password, message):
    with pytest.raises(DomainError, match=message):
        accounts.add_user("someone", password, Role.ADMIN)


def test_password_is_stored_hashed(world):
    user = accounts.add_user("someone", "secret99word", Role.ADMIN)
    assert "secret99word" not in user.password_hash
    assert user.check_password("secret99word") and not user.check_password("secret99Word")


def test_right_password_returns_the_user_and_clears_failures(world):
    accounts.authenticate("staff", "wrong-1", MAX, MINUTES)
    assert _failures("staff") == 1
    assert accounts.authenticate("staff", PASSWORD, MAX, MINUTES).id == world.staff.id
    assert _failures("staff") == 0


@pytest.mark.parametrize("username", ["staff", "nobody"])
def test_wrong_password_or_unknown_user_is_counted_as_a_failure(world, username):
    assert accounts.authenticate(username, "wrong-1", MAX, MINUTES) is None
    assert _failures(username) == 1


def test_inactive_user_is_refused_even_with_the_right_password(world):
    world.staff.active = False
    db.session.flush()
    assert accounts.authenticate("staff", PASSWORD, MAX, MINUTES) is None
    assert _failures("staff") == 1


def test_account_locks_after_the_limit_even_for_the_right_password(world):
    for _attempt in range(MAX):
        assert accounts.authenticate("staff", "wrong-1", MAX, MINUTES) is None
    with pytest.raises(accounts.AccountLocked, match="已暂时锁定,请15分钟后再试"):
        accounts.authenticate("staff", PASSWORD, MAX, MINUTES)
    assert _failures("staff") == MAX  # a refused attempt while locked does not extend the lock


def test_failures_older_than_the_window_do_not_count(world):
    for _attempt in range(MAX):
        db.session.add(LoginFailure(username="staff", at=now_utc() - timedelta(minutes=MINUTES + 1)))
    db.session.flush()
    assert accounts.authenticate("staff", PASSWORD, MAX, MINUTES).id == world.staff.id


def test_lock_is_per_account(world):
    for _attempt in range(MAX):
        accounts.authenticate("staff", "wrong-1", MAX, MINUTES)
    assert accounts.authenticate("leader", PASSWORD, MAX, MINUTES).id == world.leader.id
