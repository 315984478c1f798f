"""Pieces of the documents that need no database: file types from content, names, punctuation, terms."""

import pytest

from casetrack.documents.agreement import term_lines
from casetrack.documents.attachments import clean_filename, sniff_content_type
from casetrack.documents.content import Section, numbered, typeset
from tests.documents.conftest import pdf_bytes, png_bytes


@pytest.mark.parametrize(("head", "expected"), [
    (png_bytes()[:16], "image/png"),
    (pdf_bytes()[:16], "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, None),  # a PNG signature without its IHDR chunk
    (b"GIF89a", None),
    (b"<svg xmlns=", None),
    (b"", None),
])
def test_the_type_is_read_from_the_first_bytes(head, expected):
    assert sniff_content_type(head) == expected


@pytest.mark.parametrize(("name", "content_type", "expected"), [
    ("scan.png", "image/png", "scan.png"),
    ("照片.JPEG", "image/jpeg", "照片.JPEG"),
    ("letter.png", "application/pdf", "letter.pdf"),
    ("C:\\Users\\王\\协议.pdf", "application/pdf", "协议.pdf"),
    ("../../etc/passwd", "image/png", "passwd.png"),
    ("", "image/png", "附件.png"),
    ("a\x00b.png", "image/png", "ab.png"),
])
def test_a_stored_name_keeps_the_users_words_and_tells_the_real_type(name, content_type, expected):
    assert clean_filename(name, content_type) == expected


def test_punctuation_beside_chinese_becomes_full_width_but_the_case_number_is_kept_as_stored():
    text = "申请人:张三,男(签名);金额1,000元 (2026)斜调字第1号"
    assert typeset(text, keep="(2026)斜调字第1号") == \
        "申请人\uff1a张三\uff0c男\uff08签名\uff09\uff1b金额1,000元 (2026)斜调字第1号"


def test_agreed_terms_are_numbered_unless_the_mediator_numbered_them():
    assert term_lines("甲付款\n乙拆墙") == ["1. 甲付款", "2. 乙拆墙"]
    assert term_lines("1.甲付款\n2.乙拆墙") == ["1.甲付款", "2.乙拆墙"]
    assert term_lines("一、甲付款\n二、乙拆墙") == ["一、甲付款", "二、乙拆墙"]
    assert term_lines("甲付款") == ["1. 甲付款"]
    assert term_lines("") == []


def test_sections_are_numbered_in_chinese_and_untitled_ones_are_skipped():
    sections = numbered([Section("当事人"), Section(None), Section("协议内容")])
    assert [s.title for s in sections] == ["一、当事人", None, "二、协议内容"]
