"""The agreement is issued by the committee that mediated: the village's for a case handled at village level,
the township's once the case went up; the signature block is kept with the last clause in the Word file."""

import io

from docx import Document as WordDocument

from tests.conftest import login
from tests.documents.conftest import make_full_case


def test_a_village_case_agreement_is_issued_and_sealed_by_the_village_committee(client, world):
    case = make_full_case(world.mediator, world.village)
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}/documents/agreement").get_data(as_text=True)
    assert "经斜沟村人民调解委员会调解" in page and "斜沟村人民调解委员会\uff08印\uff09" in page
    assert "斜沟乡人民调解委员会" not in page


def test_a_township_case_agreement_is_issued_by_the_township_committee(client, world):
    case = make_full_case(world.staff, world.village, level="township")
    login(client, "staff")
    page = client.get(f"/cases/{case.id}/documents/agreement").get_data(as_text=True)
    assert "经斜沟乡人民调解委员会调解" in page and "斜沟乡人民调解委员会\uff08印\uff09" in page


def test_the_last_clause_before_the_signatures_is_kept_with_them_in_the_word_file(client, world):
    case = make_full_case(world.mediator, world.village)
    login(client, "mediator1")
    word = WordDocument(io.BytesIO(client.get(f"/cases/{case.id}/documents/agreement.docx").data))
    paragraphs = word.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p.text.startswith("本协议一式"))
    assert paragraphs[index].paragraph_format.keep_with_next is True  # Word moves it with the signature table
    assert paragraphs[0].text == "斜沟村人民调解委员会"  # the issuing committee heads the agreement
    signer_cells = [c for t in word.tables for row in t.rows for c in row.cells if "申请人" in c.text]
    assert signer_cells  # the signature table follows
