"""Workbooks too big to read (zip bombs) are refused from their declared sizes, before any reader inflates them;
a CSV field past the csv module's limit is refused as well; a refused upload leaves nothing on disk."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from casetrack.ledger import xlsx
from casetrack.ledger.importing import plan_import
from tests.conftest import login
from tests.ledger.helpers import DISPUTE_HEADERS, dispute, ledger, table, write_csv


def _rewrite_sheet(path: Path, change) -> Path:
    with zipfile.ZipFile(path) as old:
        parts = {item.filename: old.read(item) for item in old.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for part, data in parts.items():
            new.writestr(part, data)
    return path


def _bomb(tmp_path: Path) -> Path:
    """A valid ledger whose sheet holds 60 MB of spaces between its rows: some 60 KB once compressed."""
    path = ledger(tmp_path / "台账.xlsx", [dispute()])
    return _rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", b" " * (60 * 1024 * 1024) + b"</sheetData>"))


def _wide_rows(tmp_path: Path) -> Path:
    """1,000 rows each with a cell in XFD: a tiny file that openpyxl would hand over as 16 million cells."""
    rows = b"".join(b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
                    for n in range(3, 1003))
    return _rewrite_sheet(ledger(tmp_path / "台账.xlsx", [dispute()]), lambda xml: xml.replace(
        b"</sheetData>", rows + b"</sheetData>"))


def _many_sheets(tmp_path: Path) -> Path:
    workbook = Workbook()
    for n in range(xlsx.MAX_SHEETS + 1):
        workbook.create_sheet(f"表{n}")
    workbook.save(tmp_path / "台账.xlsx")
    return tmp_path / "台账.xlsx"


@pytest.fixture(params=[_bomb, _wide_rows, _many_sheets])
def oversized(request, tmp_path) -> Path:
    return request.param(tmp_path)


def test_the_crafted_bomb_is_small_and_declares_a_huge_sheet(tmp_path):
    path = _bomb(tmp_path)
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    # 60 MiB of spaces deflate about 1000 to 1: far past the 100 to 1 a real workbook's XML never nears (13 to 1)
    assert os.path.getsize(path) < 200 * 1024 and sheet.file_size > 60 * 1024 * 1024
    assert sheet.file_size > xlsx.MAX_RATIO * sheet.compress_size


def test_an_oversized_workbook_is_refused_before_it_is_read(world, oversized, monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("a reader was started on a workbook too big to read")

    monkeypatch.setattr(xlsx, "_calamine_sheets", never)
    monkeypatch.setattr("openpyxl.load_workbook", never)
    plan = plan_import(oversized, township=world.township)
    assert plan.unreadable == xlsx.TOO_BIG and not plan.rows


def test_the_import_command_refuses_an_oversized_workbook(runner, world, oversized):
    result = runner.invoke(args=["ledger", "import", str(oversized), "--township", "斜沟乡"])
    assert result.exit_code != 0 and "工作簿过大或压缩异常" in result.output


def test_the_upload_page_refuses_an_oversized_workbook_beside_the_field_and_keeps_nothing(client, app, world,
                                                                                          oversized):
    login(client, "staff")
    response = client.post("/ledger/upload", data={"upload": (io.BytesIO(oversized.read_bytes()), "台账.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "工作簿过大或压缩异常" in response.text
    assert list((Path(app.instance_path) / "ledger-uploads").iterdir()) == []


def test_the_cell_limit_counts_the_rows_of_every_sheet(world, tmp_path, monkeypatch):
    path = ledger(tmp_path / "台账.xlsx", [dispute() for _ in range(9)])
    # 10 rows (header and 9) × 26 columns = 260 cells, plus the column number of each header cell beyond Z (the
    # rows' own cells all lie within A…Z)
    cells = 260 + sum(range(27, len(DISPUTE_HEADERS) + 1))
    monkeypatch.setattr(xlsx, "MAX_CELLS", cells)
    assert plan_import(path, township=world.township).ok
    monkeypatch.setattr(xlsx, "MAX_CELLS", cells - 1)
    assert plan_import(path, township=world.township).unreadable == xlsx.TOO_BIG


def test_a_csv_field_over_128_kb_is_refused_and_the_upload_is_not_kept(client, app, world, tmp_path):
    rows = table(DISPUTE_HEADERS, [dispute(简要案情="争执" * 70_000)])  # 140,000 characters in one field
    path = write_csv(tmp_path / "台账.csv", rows)
    plan = plan_import(path, township=world.township)
    assert "128 KB" in plan.unreadable
    login(client, "staff")
    response = client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), "台账.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "128 KB" in response.text
    assert list((Path(app.instance_path) / "ledger-uploads").iterdir()) == []
