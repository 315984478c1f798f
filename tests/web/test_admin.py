"""Admin pages: townships and their settings, villages, natural villages, dispute types and accounts."""

from datetime import date

import pytest
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import DisputeType, NaturalVillage, Role, Township, User, Village
from casetrack.services import accounts, places
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests.conftest import PASSWORD, login


@pytest.fixture
def admin(client, world):
    login(client, "admin")
    return client


@pytest.fixture
def township_admin(client, world):
    accounts.add_user("xgadmin", PASSWORD, Role.ADMIN, township=world.township)
    db.session.commit()
    login(client, "xgadmin")
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _township_named(name: str) -> Township | None:
    return db.session.execute(select(Township).where(Township.name == name)).scalar_one_or_none()


def _user_named(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _type_named(township: Township, name: str) -> DisputeType | None:
    return db.session.execute(
        select(DisputeType).where(DisputeType.township_id == township.id, DisputeType.name == name)
    ).scalar_one_or_none()


def _intake_type_names(client) -> str:
    """The dispute-type <select> of the intake form, as text."""
    page = _text(client.get("/cases/new"))
    start = page.index('name="dispute_type_id"')
    return page[start:page.index("</select>", start)]


def _admin_pages(world) -> list[str]:
    natural = world.village.natural_villages[0]
    return [
        "/admin/", "/admin/townships", f"/admin/townships/{world.township.id}",
        f"/admin/townships/{world.township.id}/villages", f"/admin/villages/{world.village.id}",
        f"/admin/natural-villages/{natural.id}", f"/admin/townships/{world.township.id}/dispute-types",
        "/admin/users", "/admin/users/new", f"/admin/users/{world.staff.id}",
        f"/admin/users/{world.staff.id}/password",
    ]


def _admin_posts(world) -> list[str]:
    first_type = places.dispute_types(world.township.id)[0]
    return [
        "/admin/townships", f"/admin/townships/{world.township.id}",
        f"/admin/townships/{world.township.id}/villages", f"/admin/villages/{world.village.id}",
        f"/admin/villages/{world.village.id}/natural-villages",
        f"/admin/natural-villages/{world.village.natural_villages[0].id}",
        f"/admin/townships/{world.township.id}/dispute-types",
        f"/admin/dispute-types/{first_type.id}/deactivate",
        "/admin/users/new", f"/admin/users/{world.mediator.id}", f"/admin/users/{world.mediator.id}/password",
        f"/admin/users/{world.mediator.id}/disable",
    ]


# --- who may enter ------------------------------------------------------------------------


def test_every_admin_page_opens_for_an_admin(admin, world):
    for path in _admin_pages(world):
        response = admin.get(path)
        assert response.status_code == 200, path


def test_overview_links_to_each_township_page_and_the_users(admin, world):
    page = _text(admin.get("/admin/"))
    here, there = world.township.id, world.other_township.id
    for link in (f"/admin/townships/{here}/villages", f"/admin/townships/{here}/dispute-types",
                 f"/admin/townships/{there}", "/admin/users", "/admin/townships", "/admin/holidays/"):
        assert f'href="{link}"' in page


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1"])
def test_other_roles_are_refused_every_admin_page_and_action(client, world, username):
    login(client, username)
    for path in _admin_pages(world):
        assert client.get(path).status_code == 403, path
    for path in _admin_posts(world):
        assert client.post(path, data={"name": "新名字"}).status_code == 403, path
    db.session.expire_all()
    assert world.mediator.active
    assert places.dispute_types(world.township.id)[0].active


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_admin_post_without_csrf_token_is_refused_and_saves_nothing(app, admin, world):
    app.config["WTF_CSRF_ENABLED"] = True
    response = admin.post("/admin/townships", data={"name": "北山镇", "villages": "北山村"})
    assert response.status_code == 400
    assert _township_named("北山镇") is None


# --- townships ----------------------------------------------------------------------------


def test_county_admin_creates_a_township_with_its_villages_and_default_types(admin, world):
    response = admin.post("/admin/townships", data={"name": " 北山镇 ", "villages": "北山村\n南坡村、西沟村"})
    assert response.status_code == 302
    township = _township_named("北山镇")
    assert [v.name for v in township.villages] == ["北山村", "南坡村", "西沟村"]
    assert len(places.dispute_types(township.id)) == len(places.DEFAULT_DISPUTE_TYPES)
    assert "北山镇" in _text(admin.get("/admin/townships"))


def test_duplicate_township_name_is_refused_beside_the_field(admin, world):
    response = admin.post("/admin/townships", data={"name": "斜沟乡", "villages": "新村"})
    assert response.status_code == 400
    assert "乡镇“斜沟乡”已存在" in _text(response)
    assert db.session.execute(select(Village).where(Village.name == "新村")).first() is None


def test_repeated_village_in_a_new_township_is_refused_and_nothing_is_saved(admin, world):
    response = admin.post("/admin/townships", data={"name": "北山镇", "villages": "北山村,南坡村,北山村"})
    assert response.status_code == 400
    assert "村名“北山村”重复了" in _text(response)
    assert 'value="北山镇"' in _text(response)  # what was typed is kept
    assert _township_named("北山镇") is None


def test_township_without_a_name_is_refused_with_a_chinese_message(admin, world):
    response = admin.post("/admin/townships", data={"name": "  ", "villages": ""})
    assert response.status_code == 400
    assert "此项为必填项" in _text(response)


def test_admin_saves_township_settings_and_new_cases_use_the_prefix(admin, client, world):
    response = admin.post(f"/admin/townships/{world.township.id}", data={
        "name": "斜沟镇", "case_prefix": "斜沟调字", "committee_name": "斜沟镇人民调解委员会",
        "follow_up_days": "20", "due_soon_days": "5", "collective_threshold": "8", "strict_period_end": "y",
    })
    assert response.status_code == 302
    db.session.expire_all()
    township = db.session.get(Township, world.township.id)
    assert township.name == "斜沟镇"
    assert township.case_prefix == "斜沟调字"
    assert township.committee_name == "斜沟镇人民调解委员会"
    assert [township.setting(k) for k in ("follow_up_days", "due_soon_days", "collective_threshold",
                                          "strict_period_end")] == [20, 5, 8, True]
    assert 'value="斜沟调字"' in _text(admin.get(f"/admin/townships/{world.township.id}"))


def test_choosing_the_strict_reading_recomputes_the_townships_open_limits_with_a_timeline_entry(admin, world):
    from casetrack.models import CaseEvent, Petition
    from tests.petition_factories import make_petition

    # received 2026-09-16 + 15 = 10-01 (国庆) -> 10-08 by default; the strict reading keeps 10-01
    petition = make_petition(world.staff, world.township, received_on=date(2026, 9, 16))
    far = make_petition(world.far_staff, world.other_township, received_on=date(2026, 9, 16))
    db.session.commit()
    assert petition.due_on == far.due_on == date(2026, 10, 8)
    form = {"name": "斜沟乡", "case_prefix": "", "committee_name": "", "follow_up_days": "30", "due_soon_days": "3",
            "collective_threshold": "5"}
    assert admin.post(f"/admin/townships/{world.township.id}", data={**form, "strict_period_end": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).due_on == date(2026, 10, 1)
    assert db.session.get(Petition, far.id).due_on == date(2026, 10, 8)  # another township keeps its rule
    [event] = db.session.query(CaseEvent).filter_by(petition_id=petition.id, action="due_recomputed").all()
    assert chinese_sentence(event) == "因本乡镇期限计算规则变更重新计算期限"
    assert chinese_changes(event) == {"当前期限": ["2026-10-08", "2026-10-01"]}
    assert event.actor_id == world.admin.id  # the timeline says who changed the rule
    # saving again without a change moves nothing and adds no entry
    admin.post(f"/admin/townships/{world.township.id}", data={**form, "strict_period_end": "y"})
    assert db.session.query(CaseEvent).filter_by(petition_id=petition.id, action="due_recomputed").count() == 1


def test_blank_prefix_falls_back_to_the_default(admin, world):
    world.township.settings = {"case_prefix": "旧调字"}
    db.session.commit()
    admin.post(f"/admin/townships/{world.township.id}", data={
        "name": "斜沟乡", "case_prefix": "", "committee_name": "", "follow_up_days": "30", "due_soon_days": "3",
        "collective_threshold": "5",
    })
    db.session.expire_all()
    township = db.session.get(Township, world.township.id)
    assert township.case_prefix == "斜调字"
    assert township.setting("strict_period_end") is False


@pytest.mark.parametrize(("field", "value", "message"), [
    ("follow_up_days", "0", "应在1至365天之间"),
    ("follow_up_days", "abc", "不是有效的整数"),
    ("due_soon_days", "31", "应在0至30天之间"),
    ("collective_threshold", "1", "应在2至1000人之间"),
    ("case_prefix", "斜调字(2)", "只能是1-12个汉字或字母"),
    ("name", "东岭乡", "乡镇“东岭乡”已存在"),
])
def test_bad_township_setting_is_refused_and_nothing_is_saved(admin, world, field, value, message):
    data = {"name": "斜沟镇", "case_prefix": "斜沟调字", "committee_name": "", "follow_up_days": "20",
            "due_soon_days": "3", "collective_threshold": "5", field: value}
    response = admin.post(f"/admin/townships/{world.township.id}", data=data)
    assert response.status_code == 400
    assert message in _text(response)
    db.session.expire_all()
    township = db.session.get(Township, world.township.id)
    assert township.name == "斜沟乡"
    assert township.settings == {}


# --- villages and natural villages --------------------------------------------------------


def test_admin_adds_a_village_to_a_township(admin, world):
    response = admin.post(f"/admin/townships/{world.township.id}/villages", data={"name": "李家湾村"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.name for v in db.session.get(Township, world.township.id).villages] == ["斜沟村", "王家庄村", "李家湾村"]


def test_duplicate_village_in_the_same_township_is_refused(admin, world):
    response = admin.post(f"/admin/townships/{world.township.id}/villages", data={"name": "王家庄村"})
    assert response.status_code == 400
    assert "斜沟乡已有“王家庄村”" in _text(response)
    assert len(db.session.get(Township, world.township.id).villages) == 2


def test_overlong_village_name_is_refused_before_the_database_sees_it(admin, world):
    response = admin.post(f"/admin/townships/{world.township.id}/villages", data={"name": "村" * 61})
    assert response.status_code == 400
    assert "最多60个字" in _text(response)
    assert len(db.session.get(Township, world.township.id).villages) == 2


def test_same_village_name_is_allowed_in_another_township(admin, world):
    response = admin.post(f"/admin/townships/{world.other_township.id}/villages", data={"name": "王家庄村"})
    assert response.status_code == 302


def test_admin_renames_a_village(admin, world):
    response = admin.post(f"/admin/villages/{world.village.id}", data={"rename-name": "斜沟新村"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Village, world.village.id).name == "斜沟新村"


def test_renaming_a_village_to_a_neighbours_name_is_refused(admin, world):
    response = admin.post(f"/admin/villages/{world.village.id}", data={"rename-name": "王家庄村"})
    assert response.status_code == 400
    assert "斜沟乡已有“王家庄村”" in _text(response)
    db.session.expire_all()
    assert db.session.get(Village, world.village.id).name == "斜沟村"


def test_admin_adds_and_renames_a_natural_village(admin, world):
    response = admin.post(f"/admin/villages/{world.village.id}/natural-villages", data={"natural-name": "下斜沟"})
    assert response.status_code == 302
    natural = db.session.execute(select(NaturalVillage).where(NaturalVillage.name == "下斜沟")).scalar_one()
    assert natural.village_id == world.village.id
    assert "下斜沟" in _text(admin.get(f"/admin/villages/{world.village.id}"))
    response = admin.post(f"/admin/natural-villages/{natural.id}", data={"name": "下斜沟组"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(NaturalVillage, natural.id).name == "下斜沟组"


def test_duplicate_natural_village_is_refused_beside_the_field(admin, world):
    response = admin.post(f"/admin/villages/{world.village.id}/natural-villages", data={"natural-name": "上斜沟"})
    assert response.status_code == 400
    assert "斜沟村已有自然村“上斜沟”" in _text(response)
    assert len(db.session.get(Village, world.village.id).natural_villages) == 1


def test_same_natural_village_name_is_allowed_under_another_village(admin, world):
    response = admin.post(f"/admin/villages/{world.other_village.id}/natural-villages", data={"natural-name": "上斜沟"})
    assert response.status_code == 302


def test_renaming_a_natural_village_to_a_sibling_name_is_refused(admin, world):
    places.add_natural_village(world.village, "下斜沟")
    db.session.commit()
    natural = world.village.natural_villages[0]
    response = admin.post(f"/admin/natural-villages/{natural.id}", data={"name": "下斜沟"})
    assert response.status_code == 400
    assert "斜沟村已有自然村“下斜沟”" in _text(response)


# --- dispute types ------------------------------------------------------------------------


def test_admin_adds_a_local_dispute_type_offered_at_intake(admin, client, world):
    response = admin.post(f"/admin/townships/{world.township.id}/dispute-types", data={"name": "村务管理"})
    assert response.status_code == 302
    names = [t.name for t in places.dispute_types(world.township.id)]
    assert names[-1] == "村务管理"
    assert _type_named(world.other_township, "村务管理") is None  # only this township's list grows
    admin.post("/auth/logout")
    login(client, "staff")
    assert "村务管理" in _intake_type_names(client)


def test_duplicate_dispute_type_is_refused(admin, world):
    response = admin.post(f"/admin/townships/{world.township.id}/dispute-types", data={"name": "邻里"})
    assert response.status_code == 400
    assert "纠纷类别“邻里”已存在" in _text(response)


def test_deactivated_type_leaves_intake_but_filed_cases_keep_it(app, admin, world):
    staff = app.test_client()
    login(staff, "staff")
    neighbours = _type_named(world.township, "邻里")
    assert ">邻里<" in _intake_type_names(staff)
    filed = staff.post("/cases/new", data={
        "village_id": world.village.id, "natural_village_id": "", "dispute_type_id": neighbours.id,
        "source": "application", "channel": "peoples", "registered_on": "2026-11-01",
        "applicants-0-name": "张三", "respondents-0-name": "李四", "people_involved": "2",
        "summary": "院墙占道", "risk_level": "general",
    })
    assert filed.status_code == 302, _text(filed)

    response = admin.post(f"/admin/dispute-types/{neighbours.id}/deactivate")
    assert response.status_code == 302
    assert ">邻里<" not in _intake_type_names(staff)
    assert "邻里" in _text(staff.get(filed.headers["Location"]))
    assert "已停用" in _text(admin.get(f"/admin/townships/{world.township.id}/dispute-types"))

    admin.post(f"/admin/dispute-types/{neighbours.id}/activate")
    assert ">邻里<" in _intake_type_names(staff)


# --- accounts -----------------------------------------------------------------------------


def _new_user(**overrides) -> dict:
    return {"username": "mediator9", "full_name": "赵调解", "role": "mediator", "township_id": "",
            "village_id": "", "password": "tea-garden-2024", "confirm": "tea-garden-2024", **overrides}


def test_admin_creates_a_mediator_who_can_log_in(app, admin, world):
    response = admin.post("/admin/users/new", data=_new_user(village_id=world.other_village.id))
    assert response.status_code == 302
    user = _user_named("mediator9")
    assert (user.role, user.village_id, user.township_id, user.full_name) == \
        ("mediator", world.other_village.id, world.township.id, "赵调解")
    assert "mediator9" in _text(admin.get("/admin/users"))
    newcomer = app.test_client()
    assert login(newcomer, "mediator9", "tea-garden-2024").status_code == 302


def test_admin_creates_staff_for_a_township(admin, world):
    response = admin.post("/admin/users/new", data=_new_user(
        username="staff9", role="staff", township_id=world.other_township.id))
    assert response.status_code == 302
    user = _user_named("staff9")
    assert (user.township_id, user.village_id) == (world.other_township.id, None)


def test_duplicate_username_is_refused_beside_the_field(admin, world):
    response = admin.post("/admin/users/new", data=_new_user(username="staff", village_id=world.village.id))
    assert response.status_code == 400
    assert "用户名“staff”已被使用" in _text(response)
    assert len(db.session.execute(select(User).where(User.username == "staff")).all()) == 1


@pytest.mark.parametrize(("password", "message"), [
    ("abc123", "密码至少10位"),
    ("password1", "密码至少10位"),
    ("password123", "这是常见密码"),
    ("mediator9-2026", "密码不能是用户名或乡镇名称"),  # the new account's own username, with digits
])
def test_weak_password_is_refused_with_the_policy_message(admin, world, password, message):
    response = admin.post("/admin/users/new", data=_new_user(
        village_id=world.village.id, password=password, confirm=password))
    assert response.status_code == 400
    assert message in _text(response)
    assert _user_named("mediator9") is None


def test_mismatched_password_confirmation_is_refused(admin, world):
    response = admin.post("/admin/users/new", data=_new_user(village_id=world.village.id, confirm="secret2025"))
    assert response.status_code == 400
    assert "两次输入的密码不一致" in _text(response)
    assert _user_named("mediator9") is None


@pytest.mark.parametrize(("role", "message"), [
    ("mediator", "村调解员必须选择所属村"),
    ("staff", "乡干部和领导必须选择所属乡镇"),
    ("leader", "乡干部和领导必须选择所属乡镇"),
])
def test_account_without_its_required_place_is_refused(admin, world, role, message):
    response = admin.post("/admin/users/new", data=_new_user(role=role))
    assert response.status_code == 400
    assert message in _text(response)
    assert _user_named("mediator9") is None


def test_admin_changes_a_mediator_into_township_staff(admin, world):
    response = admin.post(f"/admin/users/{world.mediator.id}", data={
        "full_name": "王主任", "role": "staff", "township_id": world.township.id, "village_id": ""})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, world.mediator.id)
    assert (user.role, user.township_id, user.village_id, user.full_name) == \
        ("staff", world.township.id, None, "王主任")


def test_moving_a_mediator_to_another_village_moves_their_township(admin, world):
    response = admin.post(f"/admin/users/{world.mediator.id}", data={
        "full_name": "", "role": "mediator", "township_id": "", "village_id": world.far_village.id})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, world.mediator.id)
    assert (user.village_id, user.township_id) == (world.far_village.id, world.other_township.id)


def test_admin_cannot_change_their_own_role(admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}", data={
        "full_name": "", "role": "staff", "township_id": world.township.id, "village_id": ""})
    assert response.status_code == 400
    assert "不能更改自己的角色或所属乡镇" in _text(response)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).role == "admin"


def test_reset_password_replaces_the_old_one_and_lifts_the_lock(app, admin, world):
    other = app.test_client()
    for _attempt in range(5):
        login(other, "staff", "wrong-password1")
    assert login(other, "staff").status_code == 429  # locked
    response = admin.post(f"/admin/users/{world.staff.id}/password",
                          data={"password": "fresh2024pw", "confirm": "fresh2024pw"})
    assert response.status_code == 302
    assert login(other, "staff", PASSWORD).status_code == 401
    assert login(other, "staff", "fresh2024pw").status_code == 302


def test_reset_to_a_weak_password_is_refused(admin, world):
    response = admin.post(f"/admin/users/{world.staff.id}/password", data={"password": "short1", "confirm": "short1"})
    assert response.status_code == 400
    assert "密码至少10位" in _text(response)
    db.session.expire_all()
    assert db.session.get(User, world.staff.id).check_password(PASSWORD)


def test_disabled_user_is_logged_out_at_once_and_cannot_log_in(app, admin, world):
    staff = app.test_client()
    login(staff, "staff")
    assert staff.get("/cases").status_code == 200

    response = admin.post(f"/admin/users/{world.staff.id}/disable")
    assert response.status_code == 302

    next_request = staff.get("/cases")
    assert next_request.status_code == 302
    assert "/auth/login" in next_request.headers["Location"]
    refused = login(staff, "staff")
    assert refused.status_code == 401
    assert "用户名或密码不正确" in _text(refused)
    assert "已停用" in _text(admin.get("/admin/users"))


def test_enabled_user_can_log_in_again(app, admin, world):
    admin.post(f"/admin/users/{world.staff.id}/disable")
    admin.post(f"/admin/users/{world.staff.id}/enable")
    staff = app.test_client()
    assert login(staff, "staff").status_code == 302
    assert staff.get("/cases").status_code == 200


def test_admin_cannot_disable_themselves(admin, world):
    response = admin.post(f"/admin/users/{world.admin.id}/disable", follow_redirects=True)
    assert "不能停用自己的账号" in _text(response)
    db.session.expire_all()
    assert db.session.get(User, world.admin.id).active
    assert admin.get("/admin/").status_code == 200


# --- a township admin stays in their township ---------------------------------------------


def test_township_admin_sees_only_their_township_and_its_users(township_admin, world):
    townships = _text(township_admin.get("/admin/townships"))
    assert "斜沟乡" in townships and "东岭乡" not in townships
    assert "新建乡镇" not in townships
    users = _text(township_admin.get("/admin/users"))
    assert "mediator1" in users
    assert "farstaff" not in users and ">admin<" not in users


def test_township_admin_gets_404_for_another_townships_pages(township_admin, world):
    far_type = places.dispute_types(world.other_township.id)[0]
    places.add_natural_village(world.far_village, "岭下")
    db.session.commit()
    far_natural = world.far_village.natural_villages[0]
    there = world.other_township.id
    for path in (f"/admin/townships/{there}", f"/admin/townships/{there}/villages",
                 f"/admin/townships/{there}/dispute-types", f"/admin/villages/{world.far_village.id}",
                 f"/admin/natural-villages/{far_natural.id}", f"/admin/users/{world.far_staff.id}",
                 f"/admin/users/{world.far_staff.id}/password", f"/admin/users/{world.admin.id}"):
        assert township_admin.get(path).status_code == 404, path
    assert township_admin.post(f"/admin/dispute-types/{far_type.id}/deactivate").status_code == 404
    assert township_admin.post(f"/admin/users/{world.far_staff.id}/disable").status_code == 404
    assert township_admin.post(f"/admin/townships/{world.other_township.id}/villages",
                               data={"name": "越权村"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(DisputeType, far_type.id).active
    assert db.session.get(User, world.far_staff.id).active
    assert len(db.session.get(Township, world.other_township.id).villages) == 1


def test_township_admin_cannot_create_townships(township_admin, world):
    response = township_admin.post("/admin/townships", data={"name": "北山镇", "villages": ""})
    assert response.status_code == 403
    assert _township_named("北山镇") is None


def test_township_admin_cannot_place_a_user_in_another_township(township_admin, world):
    response = township_admin.post("/admin/users/new", data=_new_user(
        username="staff9", role="staff", township_id=world.other_township.id))
    assert response.status_code == 400
    assert "不是有效的选择" in _text(response)
    response = township_admin.post("/admin/users/new", data=_new_user(village_id=world.far_village.id))
    assert response.status_code == 400
    assert _user_named("staff9") is None and _user_named("mediator9") is None


def test_township_admin_manages_their_own_township(township_admin, world):
    assert township_admin.post(f"/admin/townships/{world.township.id}/villages",
                               data={"name": "李家湾村"}).status_code == 302
    response = township_admin.post("/admin/users/new", data=_new_user(
        username="leader9", role="leader", township_id=world.township.id))
    assert response.status_code == 302
    assert _user_named("leader9").township_id == world.township.id
