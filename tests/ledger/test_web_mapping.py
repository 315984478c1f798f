"""The preview maps a clerk's unknown headers and values; the mapping is saved for the township's next file."""

from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import Dispute, LedgerMapping
from tests.conftest import login
from tests.ledger.helpers import count, day, write_csv
from tests.ledger.test_web import _token, _upload

HEADERS = ["收到日期", "村别", "纠纷类型", "案件来源", "报案人", "事情经过", "进度", "结果", "经办人电话", "协议形式", "办结时间"]
ROWS = [
    [day(3, 5).isoformat(), "斜沟村", "邻里", "当事人申请", "张三", "因院墙占道发生争执", "已调结", "和解了",
     "13812345678", "书面", day(3, 20).isoformat()],
    [day(4, 2).isoformat(), "斜沟村", "合同", "当事人申请", "王五", "欠款不还", "调解中", "", "", "", ""],
]
MAPPED = {"收到日期": "登记日期", "报案人": "申请人", "事情经过": "简要案情", "进度": "状态"}  # 结果 is a known variant


def _selects(page: str) -> dict[str, str]:
    """Return each mapping select's label → its field name."""
    names = {}
    for chunk in page.split('<label for="')[1:]:
        name, rest = chunk.split('">', 1)
        names[rest.split("</label>")[0]] = name
    return names


def _mapping_form(page: str) -> dict:
    selects = _selects(page)
    data = {"token": _token(page)}
    for header, target in MAPPED.items():
        data[selects[f"工作表“台账.csv”的列“{header}”"]] = target
    data[selects["工作表“台账.csv”的列“经办人电话”"]] = "__ignore__"
    return data


def test_unknown_headers_are_offered_with_sample_values_and_the_saved_mapping_serves_the_next_file(
        client, world, tmp_path):
    login(client, "staff")
    path = write_csv(tmp_path / "台账.csv", [HEADERS, *ROWS])
    page = _upload(client, path)
    assert page.status_code == 200
    assert "工作表“台账.csv”缺少必填列:登记日期、申请人、简要案情、状态" in page.text
    assert "工作表“台账.csv”的列“报案人”" in page.text and "例如:张三 / 王五" in page.text
    assert "13812345678" not in page.text and "例如:138****5678" in page.text  # a phone: masked

    saved = client.post("/ledger/mapping", data=_mapping_form(page.text))
    assert saved.status_code == 200
    assert "已保存列对应" in saved.text
    # the value 和解了 fits no label of 调解结果: offered for mapping on the page now the column is read
    selects = _selects(saved.text)
    value_field = selects["“调解结果”列的值“和解了”"]
    again = client.post("/ledger/mapping", data={"token": _token(saved.text), value_field: "调解成功",
                                                 **{k: v for k, v in _mapping_form(page.text).items() if k != "token"}})
    assert again.status_code == 200 and "错误(共" not in again.text
    assert client.post("/ledger/apply", data={"token": _token(again.text)}).status_code == 302
    db.session.expire_all()
    cases = {d.summary: d for d in db.session.execute(select(Dispute)).scalars()}
    assert cases["因院墙占道发生争执"].outcome == "succeeded"
    assert cases["欠款不还"].status == "mediating"

    # The township's next file, with the same headers: no mapping asked, it imports as it is.
    next_file = write_csv(tmp_path / "下一本.csv", [HEADERS, [day(5, 6).isoformat(), "斜沟村", "邻里", "当事人申请",
                                                          "赵六", "宅基地界线不清", "已调结", "和解了", "", "口头",
                                                          day(5, 9).isoformat()]])
    page = _upload(client, next_file)
    assert "列对应" not in page.text and "错误(共" not in page.text
    assert client.post("/ledger/apply", data={"token": _token(page.text)}).status_code == 302
    assert count(Dispute) == 3


def test_two_headers_mapped_to_one_column_are_refused_and_nothing_is_saved(client, world, tmp_path):
    login(client, "staff")
    page = _upload(client, write_csv(tmp_path / "台账.csv", [HEADERS, *ROWS]))
    data = _mapping_form(page.text)
    selects = _selects(page.text)
    data[selects["工作表“台账.csv”的列“经办人电话”"]] = "申请人"
    response = client.post("/ledger/mapping", data=data)
    assert response.status_code == 400
    assert "“报案人”和“经办人电话”不能对应同一列“申请人”" in response.text
    assert db.session.execute(select(LedgerMapping)).first() is None


def test_a_mapping_to_no_column_of_the_format_is_refused(client, world, tmp_path):
    login(client, "staff")
    page = _upload(client, write_csv(tmp_path / "台账.csv", [HEADERS, *ROWS]))
    data = _mapping_form(page.text)
    data[_selects(page.text)["工作表“台账.csv”的列“报案人”"]] = "身份证号"
    assert client.post("/ledger/mapping", data=data).status_code == 400
    assert db.session.execute(select(LedgerMapping)).first() is None


def test_another_townships_staff_do_not_get_its_mapping(client, world, tmp_path):
    db.session.add(LedgerMapping(township_id=world.township.id, kind="dispute", column="", source="报案人",
                                 target="申请人"))
    db.session.commit()
    login(client, "farstaff")
    page = _upload(client, write_csv(tmp_path / "台账.csv", [HEADERS, *ROWS]))
    assert "工作表“台账.csv”的列“报案人”" in page.text
