from tests.conftest import login


def test_login_page_renders_in_chinese(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_mediator_registers_a_dispute_and_sees_its_page(client, world):
    login(client, "mediator1")
    page = client.get("/cases/new")
    assert page.status_code == 200
    from casetrack.services.places import dispute_types

    type_id = dispute_types(world.township.id)[1].id
    response = client.post("/cases/new", data={
        "village_id": world.village.id, "natural_village_id": "", "dispute_type_id": type_id,
        "source": "application", "channel": "peoples", "registered_on": "2026-11-01",
        "applicants-0-name": "张三", "applicants-0-gender": "male", "applicants-0-id_number": "",
        "applicants-0-phone": "13812345678", "applicants-0-address": "",
        "respondents-0-name": "李四", "people_involved": "2", "summary": "院墙占道",
        "risk_level": "general",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"])
    text = detail.get_data(as_text=True)
    assert "斜调字第1号" in text
    assert "138****5678" not in text  # the mediator handles the case, so sees the phone whole
    assert "13812345678" in text
