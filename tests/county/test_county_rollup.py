"""The county's roll-up (/county/<year>): each township's row equals that township's own report, the total
counts the county by the same definitions, rows sort, targets are marked, cells drill down to the cases, and
the table comes as XLSX and DOCX with a chart per figure."""

import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import statistics as st
from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import county_rollup as cr
from casetrack.services import places
from tests.conftest import login
from tests.county.conftest import records_everywhere
from tests.factories import make_dispute
from tests.petition_factories import make_petition

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

YEAR = clock.today().year


@pytest.fixture
def busy(county_world):
    """Different work in the two townships of the county, and in the one outside it."""
    records_everywhere(county_world)
    w = county_world.base
    today = clock.today()
    start = max(today - timedelta(days=60), today.replace(month=1, day=1))
    for outcome in ("succeeded", "failed", "ended"):
        make_dispute(w.staff, w.village, state="concluded", outcome=outcome, registered_on=start)
    make_dispute(w.far_staff, w.far_village, state="concluded", outcome="succeeded", registered_on=start,
                 level="township")
    make_dispute(w.far_staff, w.far_village, state="accepted", registered_on=start)
    make_petition(w.staff, w.township, state="accepted", village=w.village, received_on=start)
    return county_world


def _as(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _own_report(app, username) -> dict:
    return _as(app, username).get(f"/reports/{YEAR}.json").get_json()


def _county_sheet(client, query: str = "") -> dict[str, dict[str, object]]:
    response = client.get(f"/county/{YEAR}.xlsx{query}")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data))["各乡镇汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[1]
    assert list(head[1:]) == [cr.column_label(k) for k in cr.HEADLINE]
    return {row[0]: dict(zip(cr.HEADLINE, row[1:], strict=True)) for row in rows[2:]}


def _number(value):
    return None if value == "—" else value


def test_each_township_row_equals_its_own_report_and_the_total_counts_the_county(app, busy):
    table = _county_sheet(_as(app, "countyuser"))
    assert set(table) == {"斜沟乡", "东岭乡", "合计"}  # 南川乡 is not of this county
    own = {"斜沟乡": _own_report(app, "staff"), "东岭乡": _own_report(app, "farstaff")}
    for name, report in own.items():
        flat = st.scalar_figures({k: report[k] for k in st.SECTIONS})
        for key in cr.HEADLINE:
            expected = pytest.approx(flat[key], rel=1e-12) if isinstance(flat[key], float) else flat[key]
            assert _number(table[name][key]) == expected, (name, key)  # XLSX keeps 15 significant digits
    flats = [st.scalar_figures({k: r[k] for k in st.SECTIONS}) for r in own.values()]
    total = table["合计"]
    for key in ("disputes.accepted", "disputes.mediated", "petitions.accepted"):
        assert total[key] == sum(f[key] for f in flats), key
    vt_mediated = sum(f["disputes.village_township.mediated"] for f in flats)
    vt_accepted = sum(f["disputes.village_township.accepted"] for f in flats)
    assert total["disputes.village_township.mediation_rate"] == pytest.approx(vt_mediated / vt_accepted)
    assert total["disputes.accepted"] > 0 and flats[0]["disputes.accepted"] != flats[1]["disputes.accepted"]


def test_page_shows_a_row_per_township_with_links_to_its_cases(app, busy):
    client = _as(app, "countyuser")
    page = client.get(f"/county/{YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    w = busy.base
    assert f'data-township="{w.township.id}"' in html and f'data-township="{w.other_township.id}"' in html
    assert "南川乡" not in html
    link = f"/queue?figure=disputes.accepted&amp;period={YEAR}&amp;township={w.other_township.id}"
    assert link in html
    listed = client.get(link.replace("&amp;", "&") + "&tab=all").get_data(as_text=True)
    far_numbers = db.session.execute(select(Dispute.number).where(
        Dispute.township_id == w.other_township.id, Dispute.accepted_on.is_not(None))).scalars().all()
    own_numbers = db.session.execute(select(Dispute.number).where(Dispute.township_id == w.township.id)
                                     ).scalars().all()
    assert far_numbers and all(n in listed for n in far_numbers)
    assert not any(n in listed for n in own_numbers)


def test_rows_sort_by_a_figure_either_way(app, busy):
    client = _as(app, "countyuser")

    def order(query):
        html = client.get(f"/county/{YEAR}{query}").get_data(as_text=True)
        return [name for name in ("斜沟乡", "东岭乡") if name in html and html.index(name)] and sorted(
            ("斜沟乡", "东岭乡"), key=lambda n: html.index(f"<th scope=\"row\" data-label=\"乡镇\">{n}"))

    accepted = {n: v["disputes.accepted"] for n, v in _county_sheet(client).items() if n != "合计"}
    most_first = sorted(accepted, key=accepted.get, reverse=True)
    assert order("?sort=disputes.accepted&order=desc") == most_first
    assert order("?sort=disputes.accepted&order=asc") == most_first[::-1]


def test_a_figure_below_the_township_target_is_marked(app, busy):
    places.update_township_settings(busy.base.township, {"targets": {"disputes.village_township.success_rate": 1.0,
                                                                     "disputes.accepted": 0}})
    db.session.commit()
    html = _as(app, "countyuser").get(f"/county/{YEAR}").get_data(as_text=True)
    row = html[html.index(f'data-township="{busy.base.township.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'below-target" data-label="调解成功率" data-figure="disputes.village_township.success_rate"' in row
    assert "未达目标 100%" in row
    assert row.count("below-target") == 1  # 受理 meets its target of 0


def test_month_and_quarter_count_their_own_period(app, busy):
    client = _as(app, "countyuser")
    today = clock.today()
    month = client.get(f"/county/{YEAR}?month={today.month}")
    assert month.status_code == 200 and f"{YEAR}年{today.month}月" in month.get_data(as_text=True)
    quarter = (today.month - 1) // 3 + 1
    assert client.get(f"/county/{YEAR}?quarter={quarter}").status_code == 200
    assert client.get(f"/county/{YEAR}?month=13").status_code == 404
    monthly = _county_sheet(client, f"?month={today.month}")
    expected = _as(app, "staff").get(f"/reports/{YEAR}/{today.month}.json").get_json()
    assert monthly["斜沟乡"]["disputes.accepted"] == expected["disputes"]["accepted"]


def test_files_carry_the_table_and_a_native_chart_per_figure(app, busy):
    client = _as(app, "countyuser")
    docx = client.get(f"/county/{YEAR}.docx")
    assert docx.status_code == 200
    with zipfile.ZipFile(BytesIO(docx.data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("word/charts/chart")]
        body = archive.read("word/document.xml").decode()
    assert len(charts) == len(cr.HEADLINE)
    assert "斜沟乡" in body and "东岭乡" in body and "合计" in body
    xlsx = load_workbook(BytesIO(client.get(f"/county/{YEAR}.xlsx").data))
    assert len(xlsx["图表"]._charts) == len(cr.HEADLINE)


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1", "townadmin"])
def test_township_accounts_cannot_open_the_county_table(app, county_world, username):
    if username == "townadmin":
        from casetrack.models import Role
        from casetrack.services import accounts
        from tests.conftest import PASSWORD

        accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=county_world.base.township)
        db.session.commit()
    client = _as(app, username)
    assert client.get(f"/county/{YEAR}").status_code == 403
    assert client.get(f"/county/{YEAR}.xlsx").status_code == 403
