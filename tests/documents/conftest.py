"""Fixtures for the case file: a case with every record, DOCX read back in body order, real PNG and PDF bytes."""

import struct
import zlib
from datetime import timedelta
from io import BytesIO

import docx
import pytest
from docx.table import Table as DocxTable
from flask import g
from sqlalchemy import select

from casetrack import clock, create_app
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, User, Village
from casetrack.services import disputes
from tests.factories import make_dispute


@pytest.fixture(autouse=True)
def user_per_request(request):
    """Load the logged-in user afresh for every request, as production does.

    The app fixture keeps one app context open for the whole test and Flask-Login caches the user in
    g._login_user; without this a second client would act as the first one's user. Tests without an app
    (file types, punctuation, the template) are left alone.
    """
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")

    @app.before_request
    def _forget_cached_user():
        g.pop("_login_user", None)


def make_full_case(actor: User, village: Village, form: str = "written", **kwargs) -> Dispute:
    """A case with an investigation, two sessions, an agreement (written or oral) and a return visit; commits."""
    case = make_dispute(actor, village, state="mediating", **kwargs)
    today, day = clock.today(), case.registered_on
    disputes.record_investigation(case, actor, day + timedelta(days=1), "现场查看院墙位置", today, "上斜沟", "邻居王五")
    disputes.record_session(case, actor, day + timedelta(days=2), "村委会调解室", "王调解", "张三、李四",
                            "第一次调解双方各执己见", today)
    disputes.record_session(case, actor, day + timedelta(days=4), "村委会调解室", "王调解", "张三、李四",
                            "第二次调解双方同意退让", today)
    disputes.conclude(case, actor, disputes.Conclusion(
        outcome=wf.Outcome.SUCCEEDED, closed_on=day + timedelta(days=5), agreement_form=wf.AgreementForm(form),
        agreement_facts="院墙向外占道约一米", agreement_terms="李四于十日内拆除占道院墙\n张三承担拆除费用二百元",
        performance_manner="李四自行拆除", performance_deadline=day + timedelta(days=15), agreement_copies=3,
    ), today)
    disputes.record_return_visit(case, actor, day + timedelta(days=20), wf.Performance.PERFORMED, today,
                                 wf.Satisfaction.SATISFIED)
    db.session.commit()
    return case


@pytest.fixture
def full_case(world) -> Dispute:
    return make_full_case(world.mediator, world.village)


def timeline(case_id: int) -> list[CaseEvent]:
    """A case's timeline entries from the database, oldest first."""
    return list(db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == case_id).order_by(CaseEvent.id)
    ).scalars())


def docx_lines(data: bytes) -> list[str]:
    """Read a DOCX back with python-docx: every paragraph and table row, in body order."""
    document = docx.Document(BytesIO(data))
    lines = []
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    if not cells or cell.text != cells[-1]:  # a merged cell repeats
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
        else:
            lines.append(item.text)
    return lines


def docx_text(data: bytes) -> str:
    return "\n".join(docx_lines(data))


def titles(data: bytes) -> list[str]:
    """The documents' titles in a DOCX, in order (the Title and cover-title paragraphs)."""
    document = docx.Document(BytesIO(data))
    return [p.text for p in document.paragraphs if p.style.name in ("Title", "CT Cover Title")]


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG image: signature, IHDR, one IDAT of grey pixels, IEND."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_bytes() -> bytes:
    """A minimal real PDF of one empty A4 page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.fixture
def strict_client(app, database_url):
    """A client of a second app on the same database with CSRF protection on, as in production."""
    strict = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-strict",
        "WTF_CSRF_ENABLED": True, "SERVER_NAME": None,
    })
    strict.instance_path = app.instance_path
    yield strict.test_client()
    with strict.app_context():
        db.session.remove()
        db.engine.dispose()
