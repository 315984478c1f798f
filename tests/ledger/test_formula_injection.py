"""Formula injection: a party named like a formula stays text in every export and comes back unchanged on import."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.ledger.exporting import csv_paths
from casetrack.models import Dispute, Party, User
from casetrack.spreadsheet_text import csv_text, csv_text_back
from tests.conftest import login
from tests.factories import make_dispute
from tests.ledger.helpers import YEAR, day, remove_all_cases

FORMULA = '=HYPERLINK("http://x","y")'
RISKY = [FORMULA, "+86 138", "-张三", "@SUM(A1)", "'=already quoted", "''-two quotes", "\t=tabbed"]


@pytest.mark.parametrize("value", [*RISKY, "张三", "'plain apostrophe", "", "1+1"])
def test_csv_neutralising_is_undone_exactly(value):
    # every risky value gains exactly one apostrophe, and reading takes exactly that one off
    written = csv_text(value)
    assert csv_text_back(written) == value
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


def _parties(number: str) -> list[str]:
    db.session.expire_all()
    case = db.session.execute(select(Dispute).where(Dispute.number == number)).scalar_one()
    return sorted(p.name for p in db.session.execute(select(Party).where(Party.dispute_id == case.id)).scalars())


def test_a_formula_named_party_exports_as_text_and_imports_back_unchanged(runner, world, tmp_path):
    mediator = db.session.get(User, world.mediator.id)
    mediator.full_name = "Wang Xiao Ming"  # a mediator's name with spaces is one person, not three
    case = make_dispute(world.staff, world.village, state="accepted", registered_on=day(3, 5),
                        applicant=FORMULA, respondent="-李四")
    case.mediators.append(mediator)
    db.session.commit()
    number = case.number
    before = _parties(number)
    assert before == sorted([FORMULA, "-李四"])

    xlsx, csv_out = tmp_path / "out.xlsx", tmp_path / "out.csv"
    for output in (xlsx, csv_out):
        result = runner.invoke(args=["ledger", "export", str(YEAR), "-o", str(output), "--township", "斜沟乡"])
        assert result.exit_code == 0, result.output

    # the XLSX cell is a string cell holding the text, not a formula
    sheet = load_workbook(xlsx)["矛盾纠纷"]
    headers = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("申请人") + 1)
    # a lone name holding a comma ends with 、, so that the comma does not split it (format.join_names)
    assert cell.value == FORMULA + "、" and cell.data_type == "s" and cell.quotePrefix
    assert sheet.cell(row=2, column=headers.index("调解员") + 1).value == "Wang Xiao Ming、"
    with zipfile.ZipFile(xlsx) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    # the CSV cell starts with an apostrophe, so Excel shows it as text
    rows = list(csv.reader(io.StringIO(csv_paths(csv_out)["dispute"].read_text("utf-8-sig"))))
    assert rows[1][rows[0].index("申请人")] == "'" + FORMULA + "、"
    assert rows[1][rows[0].index("被申请人")] == "'-李四"

    files = [xlsx, csv_paths(csv_out)["dispute"]]
    for file in files:  # what export wrote imports again as no change at all
        result = runner.invoke(args=["ledger", "import", str(file), "--township", "斜沟乡", "--dry-run"])
        assert result.exit_code == 0 and "新建 0 件,更新 0 件" in result.output, result.output
    for file in files:
        remove_all_cases()
        result = runner.invoke(args=["ledger", "import", str(file), "--township", "斜沟乡"])
        assert result.exit_code == 0, result.output
        assert _parties(number) == before
        imported = db.session.execute(select(Dispute).where(Dispute.number == number)).scalar_one()
        assert [m.full_name for m in imported.mediators] == ["Wang Xiao Ming"]


def test_template_report_and_queue_csv_write_formula_like_names_as_text(client, world):
    make_dispute(world.staff, world.village, state="registered", applicant="=1+1", registered_on=day(3, 5))
    world.village.name = "=斜沟村"  # a village renamed by hand: its name is still a name
    db.session.commit()
    login(client, "staff")

    template = load_workbook(io.BytesIO(client.get("/ledger/template").data))
    cells = [c for sheet in template.worksheets for row in sheet.iter_rows() for c in row if c.value == "=斜沟村"]
    assert cells and all(c.data_type == "s" for c in cells)

    response = client.get("/queue/export.csv")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert any("'=斜沟村" in row and "'=1+1、李四" in row for row in rows[1:]), rows

    report = client.get(f"/reports/{YEAR}.xlsx")
    assert report.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(report.data))
    listed = [c for row in workbook["纠纷案件清单"].iter_rows() for c in row if c.value == "=斜沟村"]
    assert listed and all(c.data_type == "s" for c in listed)
