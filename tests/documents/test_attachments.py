"""Attachments: PDF, JPEG or PNG judged by content, a size limit, stored outside static, served within reach."""

import hashlib
import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casetrack.extensions import db
from casetrack.models import Attachment
from casetrack.services.timeline import chinese_sentence
from tests.conftest import PASSWORD, login
from tests.documents.conftest import pdf_bytes, png_bytes, timeline
from tests.factories import make_dispute


def _upload(client, case, content: bytes, name: str, kind: str = "evidence", description: str = ""):
    return client.post(f"/cases/{case.id}/attachments", data={
        "kind": kind, "description": description, "file": (BytesIO(content), name),
    }, content_type="multipart/form-data")


def _as(app, username: str):
    """A fresh client logged in as this user."""
    client = app.test_client()
    login(client, username)
    return client


def _stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "attachments"
    return sorted(folder.iterdir()) if folder.exists() else []


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(Attachment)).scalar_one()


def test_a_real_png_is_stored_outside_static_with_its_sha256_and_a_timeline_entry(app, client, world):
    case = make_dispute(world.mediator, world.village, state="mediating")
    image = png_bytes()
    login(client, "mediator1")
    response = _upload(client, case, image, "院墙照片.png", description="东侧院墙")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.id}#documents")

    item = db.session.execute(select(Attachment)).scalar_one()
    assert (item.dispute_id, item.kind, item.filename, item.content_type) == (case.id, "evidence", "院墙照片.png",
                                                                              "image/png")
    assert item.size == len(image) and item.sha256 == hashlib.sha256(image).hexdigest()
    assert item.uploaded_by_id == world.mediator.id
    stored = _stored_files(app)
    assert stored == [Path(app.instance_path) / "attachments" / item.storage_key]
    assert stored[0].read_bytes() == image
    assert "static" not in stored[0].parts and item.storage_key not in item.filename

    assert "上传附件:院墙照片.png(证据照片)" in [chinese_sentence(event) for event in timeline(case.id)]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "院墙照片.png" in page and f"/cases/{case.id}/attachments/{item.id}" in page and "东侧院墙" in page


def test_a_real_pdf_is_accepted_as_a_signed_agreement_scan(client, world):
    case = make_dispute(world.mediator, world.village, state="concluded")
    login(client, "mediator1")
    assert _upload(client, case, pdf_bytes(), "签字协议.pdf", kind="agreement_scan").status_code == 302
    item = db.session.execute(select(Attachment)).scalar_one()
    assert (item.content_type, item.kind) == ("application/pdf", "agreement_scan")


def test_a_file_is_named_after_what_it_really_is(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    assert _upload(client, case, pdf_bytes(), "../../扫描件.png").status_code == 302
    item = db.session.execute(select(Attachment)).scalar_one()
    assert (item.filename, item.content_type) == ("扫描件.pdf", "application/pdf")


@pytest.mark.parametrize(("content", "name"), [
    (b"this is plain text, not an image\n", "photo.png"),
    (b"<html><script>alert(1)</script></html>", "letter.pdf"),
    (b"GIF89a\x01\x00\x01\x00", "picture.jpg"),
    (b"", "empty.png"),
])
def test_a_file_whose_content_is_not_pdf_jpeg_or_png_is_refused(app, client, world, content, name):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    response = _upload(client, case, content, name)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert ("只能上传 PDF、JPEG 或 PNG 文件" in text) or ("文件是空的" in text) or ("请选择要上传的文件" in text)
    assert _count() == 0 and _stored_files(app) == []
    assert not any(event.action == "attachment" for event in timeline(case.id))


def test_a_file_over_the_limit_is_refused(app, client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    too_big = png_bytes() + b"\x00" * (10 * 1024 * 1024)
    response = _upload(client, case, too_big, "big.png")
    assert response.status_code == 413
    assert "文件超过 10 MB" in response.get_data(as_text=True)
    assert _count() == 0 and _stored_files(app) == []


def test_the_limit_is_a_setting(app, client, world):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024 * 1024
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    assert _upload(client, case, png_bytes() + b"\x00" * (1024 * 1024), "big.png").status_code == 413
    assert _upload(client, case, png_bytes(), "small.png").status_code == 302


def test_an_attachment_is_served_to_those_who_may_see_the_case(app, client, world):
    case = make_dispute(world.mediator, world.village)
    image = png_bytes()
    login(client, "mediator1")
    _upload(client, case, image, "照片.png")
    item = db.session.execute(select(Attachment)).scalar_one()
    url = f"/cases/{case.id}/attachments/{item.id}"

    for username in ("mediator1", "staff", "leader"):
        response = _as(app, username).get(url)
        assert response.status_code == 200, username
        assert response.data == image and response.mimetype == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "%E7%85%A7%E7%89%87.png" in response.headers["Content-Disposition"]  # 照片.png
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("username", ["mediator2", "farstaff", "farmediator"])
def test_an_attachment_is_not_found_for_users_out_of_reach(app, client, world, username):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    _upload(client, case, png_bytes(), "照片.png")
    item = db.session.execute(select(Attachment)).scalar_one()
    assert _as(app, username).get(f"/cases/{case.id}/attachments/{item.id}").status_code == 404


def test_an_attachment_is_not_found_through_another_case(client, world):
    case = make_dispute(world.mediator, world.village)
    other = make_dispute(world.mediator, world.village, applicant="王五")
    login(client, "mediator1")
    _upload(client, case, png_bytes(), "照片.png")
    item = db.session.execute(select(Attachment)).scalar_one()
    assert client.get(f"/cases/{other.id}/attachments/{item.id}").status_code == 404
    assert client.get(f"/cases/{case.id}/attachments/{item.id + 1}").status_code == 404


def test_a_pdf_is_downloaded_rather_than_opened_in_the_browser(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    _upload(client, case, pdf_bytes(), "协议.pdf")
    item = db.session.execute(select(Attachment)).scalar_one()
    response = client.get(f"/cases/{case.id}/attachments/{item.id}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(("username", "status"), [("leader", 403), ("mediator2", 404), ("farstaff", 404)])
def test_only_those_who_act_on_the_case_may_upload(app, client, world, username, status):
    case = make_dispute(world.mediator, world.village)
    login(client, username)
    assert _upload(client, case, png_bytes(), "照片.png").status_code == status
    assert _count() == 0 and _stored_files(app) == []
    page = client.get(f"/cases/{case.id}")
    if page.status_code == 200:
        assert f'action="/cases/{case.id}/attachments"' not in page.get_data(as_text=True)


def test_an_archived_file_takes_no_more_attachments(client, world):
    case = make_dispute(world.mediator, world.village, state="archived")
    login(client, "mediator1")
    assert _upload(client, case, png_bytes(), "照片.png").status_code == 403
    assert f'action="/cases/{case.id}/attachments"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_upload_form_needs_its_csrf_token(app, strict_client, world):
    case = make_dispute(world.mediator, world.village)
    form = strict_client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    strict_client.post("/auth/login", data={"username": "mediator1", "password": PASSWORD, "csrf_token": token})
    html = strict_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html

    assert _upload(strict_client, case, png_bytes(), "照片.png").status_code == 400
    assert _count() == 0 and _stored_files(app) == []

    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    accepted = strict_client.post(f"/cases/{case.id}/attachments", data={
        "kind": "evidence", "csrf_token": token, "file": (BytesIO(png_bytes()), "照片.png"),
    }, content_type="multipart/form-data")
    assert accepted.status_code == 302 and _count() == 1


def test_the_upload_page_works_without_the_case_page(app, client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}/attachments/new")
    assert page.status_code == 200
    assert 'type="file"' in page.get_data(as_text=True)
    assert _as(app, "leader").get(f"/cases/{case.id}/attachments/new").status_code == 403
