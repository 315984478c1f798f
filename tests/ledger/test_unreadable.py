"""Files that are no ledger at all: damaged, truncated, empty, binary. Each is refused with a Chinese message
saying what to do, by the import command (exit 1) and by the upload page (beside the file field); nothing is
written, and the upload is not kept."""

import io
import random
import zipfile
from pathlib import Path

import pytest

from casetrack.ledger.importing import plan_import
from casetrack.models import Dispute, Petition
from tests.conftest import login
from tests.ledger.helpers import count, dispute, ledger, petition

_NOISE = bytes(random.Random(7).randrange(256) for _ in range(3000))


def _truncated(tmp_path: Path) -> bytes:
    whole = ledger(tmp_path / "whole.xlsx", [dispute() for _ in range(50)], [petition()]).read_bytes()
    return whole[: len(whole) // 2]


def _not_a_workbook(_tmp_path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "这是一个压缩包,不是工作簿")
    return buffer.getvalue()


def _damaged_halfway(tmp_path: Path) -> bytes:
    """A workbook whose sheet XML breaks off after 120 good rows: openpyxl fails while rows stream."""
    path = ledger(tmp_path / "whole.xlsx", [dispute(申请人=f"张{n}") for n in range(300)])
    with zipfile.ZipFile(path) as old:
        parts = {item.filename: old.read(item) for item in old.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: sheet.index(b'<row r="122"')] + b'<row r="122"><c r="A1'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return buffer.getvalue()


BROKEN = "文件已损坏或不是有效的 Excel 工作簿"
FILES = {  # name: (content, what the message says)
    "truncated.xlsx": (_truncated, BROKEN),
    "random-bytes.xlsx": (lambda _p: _NOISE, BROKEN),
    "zip-header-only.xlsx": (lambda _p: b"PK\x03\x04" + b"\x00" * 200, BROKEN),
    "not-a-workbook.xlsx": (_not_a_workbook, BROKEN),
    "damaged-halfway.xlsx": (_damaged_halfway, BROKEN),
    "empty.xlsx": (lambda _p: b"", "文件是空的"),
    "empty.csv": (lambda _p: b"", "文件是空的"),
    "binary.csv": (lambda _p: b"\x89PNG\r\n\x1a\n\x00\x00" + _NOISE, "不是文本格式的 CSV 文件"),
    "old.xls.xlsx": (lambda _p: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "另存为 .xlsx"),
}


@pytest.fixture(params=sorted(FILES))
def broken(request, tmp_path) -> tuple[Path, str]:
    make, message = FILES[request.param]
    path = tmp_path / request.param
    path.write_bytes(make(tmp_path))
    return path, message


def test_an_unreadable_file_plans_nothing_and_says_why(world, broken):
    path, message = broken
    plan = plan_import(path, township=world.township)
    assert plan.unreadable and message in plan.unreadable
    assert [str(e) for e in plan.errors] == [f"工作表“{path.name}”:{plan.unreadable}"]
    assert plan.rows == [] and not any(any(n.values()) for n in plan.counts().values())


def test_the_import_command_refuses_an_unreadable_file_with_a_message(runner, world, broken):
    path, message = broken
    result = runner.invoke(args=["ledger", "import", str(path), "--township", "斜沟乡"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert message in result.output and f"无法读取“{path.name}”" in result.output
    assert "Traceback" not in result.output
    assert count(Dispute) == 0 and count(Petition) == 0


def test_the_upload_page_refuses_an_unreadable_file_beside_the_field_and_keeps_nothing(client, app, world, broken):
    path, message = broken
    login(client, "staff")
    page = client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), path.name)},
                       content_type="multipart/form-data")
    assert page.status_code == 400
    beside_the_field = page.text.split('<p class="error" id="upload-error" role="alert">')[1].split("</p>")[0]
    assert message in beside_the_field
    assert 'name="token"' not in page.text  # no preview, nothing to confirm
    folder = Path(app.instance_path) / "ledger-uploads"
    assert not folder.exists() or list(folder.iterdir()) == []
    assert count(Dispute) == 0 and count(Petition) == 0


def test_a_csv_renamed_xlsx_still_imports_as_csv(world, tmp_path):
    path = tmp_path / "台账.xlsx"
    header = "乡镇,所属村,登记日期,纠纷类别,案件来源,申请人,简要案情,状态"
    row = dispute()
    path.write_text(header + "\n" + ",".join(str(row[h]) for h in header.split(",")) + "\n", "utf-8")
    assert plan_import(path, township=world.township).ok
