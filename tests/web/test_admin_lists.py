"""Petition matter categories are an editable list like dispute types."""

from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import PetitionCategory
from tests.conftest import login


def _category(world, name):
    return db.session.execute(select(PetitionCategory).where(
        PetitionCategory.township_id == world.township.id, PetitionCategory.name == name)).scalar_one()


def test_admin_adds_a_local_petition_category_offered_at_intake(client, world):
    login(client, "admin")
    response = client.post(f"/admin/townships/{world.township.id}/petition-categories", data={"name": "移民搬迁"})
    assert response.status_code == 302
    client.post("/auth/logout")
    login(client, "staff")
    assert "移民搬迁" in client.get("/petitions/new").get_data(as_text=True)


def test_duplicate_petition_category_is_refused_beside_the_field(client, world):
    login(client, "admin")
    response = client.post(f"/admin/townships/{world.township.id}/petition-categories", data={"name": "劳动社保"})
    assert response.status_code == 400
    assert "信访事项类别“劳动社保”已存在" in response.get_data(as_text=True)


def test_deactivated_petition_category_leaves_the_intake_form(client, world):
    login(client, "admin")
    category = _category(world, "教育卫生")
    assert client.post(f"/admin/petition-categories/{category.id}/deactivate").status_code == 302
    client.post("/auth/logout")
    login(client, "staff")
    assert "教育卫生" not in client.get("/petitions/new").get_data(as_text=True)


def test_staff_cannot_change_petition_categories(client, world):
    login(client, "staff")
    category = _category(world, "其他")
    assert client.get(f"/admin/townships/{world.township.id}/petition-categories").status_code == 403
    assert client.post(f"/admin/petition-categories/{category.id}/deactivate").status_code == 403
    db.session.refresh(category)
    assert category.active
