"""The whole case file (卷宗): cover, contents, then every document the case's state allows, in order."""

from io import BytesIO

import docx

from casetrack.documents.content import cn_date
from tests.conftest import login
from tests.documents.conftest import docx_lines, png_bytes, titles
from tests.factories import make_dispute

ORDER = ["人民调解卷宗", "卷内目录", "人民调解申请书", "当事人权利义务告知书", "调查记录", "调解记录", "调解记录",
         "人民调解协议书", "回访记录", "附件清单"]


def test_the_whole_file_comes_in_order_cover_contents_then_documents(client, full_case):
    login(client, "mediator1")
    response = client.get(f"/cases/{full_case.id}/documents/case-file.docx")
    assert response.status_code == 200
    assert titles(response.data) == ORDER

    lines = docx_lines(response.data)
    cover = lines[:lines.index("卷内目录")]
    for label, value in (("卷名", "张三与李四邻里纠纷"), ("卷号", full_case.number), ("调解员", "王调解"),
                         ("调解日期", f"{cn_date(full_case.sessions[0].held_on)}至{cn_date(full_case.closed_on)}"),
                         ("保管期限", "长期")):
        assert f"{label} | {value}" in cover
    assert any(line.startswith("立卷人 | ") for line in cover) and any(line.startswith("立卷日期 | ") for line in cover)

    contents = [line for line in lines if line[:2].rstrip(" |").isdigit() and " | " in line]
    listed = [line.split(" | ")[1] for line in contents]
    assert listed == ["人民调解申请书", "当事人权利义务告知书", "调查记录", "调解记录\uff08第1次\uff09", "调解记录\uff08第2次\uff09",
                      "人民调解协议书", "回访记录", "附件清单"]


def test_each_document_of_the_file_starts_a_new_page_and_the_contents_point_at_it(client, full_case):
    login(client, "mediator1")
    document = docx.Document(BytesIO(client.get(f"/cases/{full_case.id}/documents/case-file.docx").data))
    openings = [p for p in document.paragraphs if p.style.name == "CT Committee"]
    assert len(openings) == len(ORDER)
    assert [p.paragraph_format.page_break_before for p in openings] == [False] + [True] * (len(ORDER) - 1)
    xml = document.element.xml
    for anchor in ("application", "rights_notice", "investigation", "session_1", "session_2", "agreement",
                   "follow_up", "attachments"):
        assert f'w:name="ct_{anchor}"' in xml
        assert f"PAGEREF ct_{anchor} " in xml


def test_the_file_holds_only_what_the_state_allows(client, world):
    case = make_dispute(world.mediator, world.village, state="registered")
    login(client, "mediator1")
    found = titles(client.get(f"/cases/{case.id}/documents/case-file.docx").data)
    assert found == ["人民调解卷宗", "卷内目录", "人民调解申请书", "附件清单"]


def test_an_archived_file_names_who_filed_it_and_when(client, world):
    case = make_dispute(world.mediator, world.village, state="archived")
    login(client, "mediator1")
    lines = docx_lines(client.get(f"/cases/{case.id}/documents/case-file.docx").data)
    assert "立卷人 | 王调解" in lines
    assert f"立卷日期 | {cn_date(case.archived_on)}" in lines


def test_the_file_lists_the_attachments(client, full_case):
    login(client, "mediator1")
    image = png_bytes()
    client.post(f"/cases/{full_case.id}/attachments", data={
        "kind": "evidence", "description": "院墙照片", "file": (BytesIO(image), "院墙.png"),
    }, content_type="multipart/form-data")
    text = "\n".join(docx_lines(client.get(f"/cases/{full_case.id}/documents/case-file.docx").data))
    attachment = full_case.attachments[0]
    assert "院墙.png" in text and "证据照片" in text and attachment.sha256[:16] in text


def test_the_whole_file_prints_too(client, full_case):
    login(client, "mediator1")
    html = client.get(f"/cases/{full_case.id}/documents/case-file").get_data(as_text=True)
    positions = [html.index(f"<h1>{title}</h1>") for title in dict.fromkeys(ORDER)]
    assert positions == sorted(positions)
    assert html.count('class="document ') == len(ORDER)
