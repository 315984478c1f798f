"""Accounts: where each role belongs, the password policy, sessions that end, and login behind the throttle."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casetrack.clock import now_utc
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import LoginThrottle, Role, User
from casetrack.services import accounts
from casetrack.services.login_throttle import ThrottlePolicy
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

POLICY = ThrottlePolicy(max_attempts=5, window=timedelta(minutes=15), slow_after=8, slow_seconds=5)
HOME, CAFE = "10.0.0.1", "10.0.0.2"


def _attempts(username: str, address: str) -> int:
    return db.session.execute(select(LoginThrottle.attempts).where(
        LoginThrottle.account == username, LoginThrottle.address == address)).scalar() or 0


def _login(username: str, password: str, address: str = HOME, now=None):
    """Log in as the view does: admit the attempt (raising when refused), then check the password."""
    accounts.admit_login(username, address, now or now_utc(), POLICY)
    return accounts.authenticate(username, password, address)


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
    ("abc123", "密码至少10位"),
    ("password1", "密码至少10位"),  # 9 characters, and the commonest password with a digit
    ("qwertyuiop", "常见密码"),  # 10 characters, but on the shipped list
    ("Password2024!", "常见密码"),  # a listed password with digits and symbols around it
    ("1qaz2wsx3edc", "常见密码"),
    ("someone2024", "不能是用户名或乡镇名称"),  # the username with digits added
    ("斜沟乡2026!!!!", "不能是用户名或乡镇名称"),  # a township's name (斜沟乡 of the world)
])
def test_weak_password_is_refused(world, password, message):
    with pytest.raises(DomainError, match=message):
        accounts.add_user("someone", password, Role.ADMIN)


@pytest.mark.parametrize("password", ["7394018265", "kjhwqpzmtr", "马上就要下雨了快收衣服"])
def test_no_rule_on_kinds_of_characters(world, password):
    """NIST SP 800-63B: long enough and not common is enough; digits only or letters only are allowed."""
    assert accounts.add_user("someone", password, Role.ADMIN).check_password(password)


def test_the_shipped_list_holds_thousands_of_common_passwords():
    common = accounts.common_passwords()
    assert len(common) > 2000 and {"password1", "123456789", "qwertyuiop", "woaini1314"} <= common


def test_password_is_stored_hashed(world):
    user = accounts.add_user("someone", "secret99word", Role.ADMIN)
    assert "secret99word" not in user.password_hash
    assert user.check_password("secret99word") and not user.check_password("secret99Word")


def test_right_password_returns_the_user_and_clears_its_address(world):
    assert _login("staff", "wrong-1") is None
    assert _attempts("staff", HOME) == 1
    assert _login("staff", PASSWORD).id == world.staff.id
    assert _attempts("staff", HOME) == 0


@pytest.mark.parametrize("username", ["staff", "nobody"])
def test_wrong_password_or_unknown_user_is_counted_alike(world, username):
    assert _login(username, "wrong-1") is None
    assert _attempts(username, HOME) == 1 and _attempts(username, "") == 1


def test_inactive_user_is_refused_even_with_the_right_password(world):
    world.staff.active = False
    db.session.flush()
    assert _login("staff", PASSWORD) is None


def test_the_pair_locks_after_the_limit_even_for_the_right_password(world):
    for _attempt in range(POLICY.max_attempts):
        assert _login("staff", "wrong-1") is None
    with pytest.raises(accounts.AccountLocked, match="已暂时锁定,请15分钟后再试"):
        _login("staff", PASSWORD)


def test_another_address_is_not_locked_out_by_one_that_is(world):
    """One address cannot lock the owner out: the lock holds the (account, address) pair."""
    for _attempt in range(POLICY.max_attempts):
        _login("staff", "wrong-1", HOME)
    with pytest.raises(accounts.AccountLocked):
        _login("staff", PASSWORD, HOME)
    assert _login("staff", PASSWORD, CAFE).id == world.staff.id


def test_an_account_tried_from_many_addresses_is_slowed_not_locked(world):
    # slow_after 8: 2 addresses × 4 wrong = 8 checks; the 9th check takes the account's turn, the 10th within
    # 5 seconds of it waits, and 5 seconds later the owner's right password is checked and accepted
    now = now_utc()
    for address in ("10.1.0.1", "10.1.0.2"):
        for _attempt in range(4):
            assert _login("staff", "wrong-1", address, now) is None
    assert _login("staff", "wrong-1", "10.1.0.3", now) is None
    with pytest.raises(accounts.LoginSlowed, match="请5秒后再试"):
        _login("staff", PASSWORD, CAFE, now)
    assert _attempts("staff", CAFE) == 0  # waiting cost the owner's address nothing
    assert _login("staff", PASSWORD, CAFE, now + timedelta(seconds=5)).id == world.staff.id


def test_attempts_older_than_the_window_do_not_count_and_are_removed(world):
    old = now_utc() - timedelta(minutes=16)
    for _attempt in range(POLICY.max_attempts):
        _login("nobody", "wrong-1", HOME, old)
        _login("staff", "wrong-1", HOME, old)
    assert _login("staff", PASSWORD).id == world.staff.id
    # the unknown name's rows, whose window ended, went with the next attempt of anyone
    assert _attempts("nobody", HOME) == 0 and _attempts("nobody", "") == 0


def test_the_lock_is_per_account(world):
    for _attempt in range(POLICY.max_attempts):
        _login("staff", "wrong-1")
    assert _login("leader", PASSWORD).id == world.leader.id


def test_an_admin_reset_lifts_the_lock_and_ends_the_sessions(world):
    for _attempt in range(POLICY.max_attempts):
        _login("staff", "wrong-1")
    generation = world.staff.session_generation
    accounts.reset_password(world.staff, "Neues-Passwort-7")
    assert world.staff.session_generation == generation + 1
    assert _login("staff", "Neues-Passwort-7").id == world.staff.id


@pytest.mark.parametrize("change", ["role", "village", "disable", "sign_out"])
def test_what_ends_an_accounts_sessions(world, change):
    user = world.mediator
    generation = user.session_generation
    if change == "role":
        accounts.update_user(user, world.admin, Role.STAFF, township=world.township)
    elif change == "village":
        accounts.update_user(user, world.admin, Role.MEDIATOR, village=world.other_village)
    elif change == "disable":
        accounts.set_active(user, world.admin, False)
    else:
        accounts.end_sessions(user)
    assert user.session_generation == generation + 1


def test_a_new_name_alone_keeps_the_sessions(world):
    generation = world.mediator.session_generation
    accounts.update_user(world.mediator, world.admin, Role.MEDIATOR, village=world.village, full_name="王新名")
    assert world.mediator.session_generation == generation


def test_an_unknown_name_costs_one_password_check_like_a_known_one(world, monkeypatch):
    """Equal work: the answer's time must not tell whether a name exists (counted, not timed)."""
    from werkzeug import security

    import casetrack.models.users as user_module

    checks = []

    def counting(pwhash, password):
        checks.append(pwhash.split("$")[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    monkeypatch.setattr(user_module, "check_password_hash", counting)
    assert _login("nobody", "wrong-1") is None
    assert _login("staff", "wrong-1") is None
    # one check each, with the same method (the suite's pbkdf2:sha256:1000, as configured)
    assert checks == [world.staff.password_hash.split("$")[0]] * 2


def test_the_demos_generated_passwords_pass_the_policy(world):
    from casetrack.services import demo

    passwords = {demo.generated_password() for _n in range(200)}
    assert len(passwords) == 200  # random, never twice the same
    assert [p for p in passwords if accounts.password_refusal(p, "mediator1")] == []
