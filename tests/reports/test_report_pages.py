"""The report pages: figures with definitions, the report's sentences, links to the cases, freeze and drift,
month and quarter returns, targets and charts."""

import html
import re
from datetime import date

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import statistics as st
from casetrack.domain import workflow as wf
from casetrack.domain.figures import NOT_RECORDED
from casetrack.extensions import db
from casetrack.models import ReportSnapshot
from casetrack.services import disputes as dispute_services

from . import YearData, browse_as, dispute, petition

HEADLINE_2025 = "乡村两级调解组织共调处各类矛盾纠纷4起，调处率达80%（乡村两级受理5起，调处4起）"
NO_PROVINCE = "没有发生一起赴省进京上访案件"
# YearData's 2025 (tests/reports/__init__.py) as the township's report says it, worked out by hand: 7 registered
# (n declined), 6 accepted (h pending), at 村/乡 by 人民调解 on 12-31 a b d e f accepted, a b d e concluded, a b
# succeeded; c concluded at the county; f in mediation; a performed, b partly; y of 2024 is not 2025's.
TEXT_2025 = [
    "2025年，斜沟乡共登记矛盾纠纷7起（另有不予受理1起），受理6起，待受理1起；"
    "乡村两级调解组织共调处各类矛盾纠纷4起，调处率达80%（乡村两级受理5起，调处4起），"
    "其中调解成功2起，调解成功率达40%（乡村两级受理5起，调解成功2起）；"
    "另有1起经县级或行政调解、司法调解调处，其中调解成功1起；尚在调解中1起；"
    "履行情况已知的调解协议中，调后履行率为50%。",
    "坚持人民调解、行政调解、司法调解“三调联动”，登记的矛盾纠纷中人民调解7起、行政调解0起、司法调解0起。",
    "坚持“小事不出村，大事不出乡”，在调解成功的纠纷中，村级化解占33.3%，乡级以内化解占66.7%。",
    "成功防止民转刑1起3人，防止群体性上访1起12人。",
    "坚持各村每周一排查、乡每半月一排查。",
    "全年开展矛盾纠纷排查3次（应排查128次，排查完成率2.3%），其中零上报2次；"
    "排查发现矛盾纠纷1起，其中当场化解1起，登记调处0起。",
    "构建乡、村、自然村三级网格，共有乡级网格1个、村级网格2个、自然村网格2个。",
    "全年收到信访事项4件10人次，受理信访事项4件；其中集体访1批；重复信访1件已关联首次信访、不重复计数；"
    "及时受理率达100%（已作出决定的4件中，15日内作出决定4件）；按期办结率达50%（到期应办结4件，按期办结2件）；"
    "群众满意率达66.7%（参与评价的3件中满意和基本满意2件，参评率100%）；没有发生一起赴省进京上访案件。",
    "全年接待群众来访1批6人次。",
]

FIGURE_KEYS = [k for k in st.DEFINITIONS if k.split(".")[0] in ("disputes", "petitions") and k not in NOT_RECORDED
               and k.split(".")[1] not in ("by_type", "by_village", "by_source", "by_channel", "by_level", "by_month", "by_referral_origin",
                                           "by_category")]


@pytest.fixture
def year(world) -> YearData:
    return YearData(world)


def _page(app, username: str, url: str) -> str:
    response = browse_as(app, username).get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _tree(text: str):
    return lxml_html.fromstring(text)


def _figure(tree, label: str):
    """The <li> of the figure with this label."""
    items = [li for li in tree.xpath("//li[contains(concat(' ', @class, ' '), ' figure ')]")
             if li.xpath("string(.//span[@class='figure-label'])") == label]
    assert len(items) == 1, label
    return items[0]


def _value(tree, label: str) -> str:
    return _figure(tree, label).xpath("string(.//span[@class='figure-value'])")


def _report_text(tree) -> str:
    return "\n".join(p.text_content() for p in tree.xpath("//p[@class='report-text']"))


# ------------------------------------------------------------ the page and its sentences

def test_the_year_page_shows_every_figure_with_its_definition_and_value(app, year):
    tree = _tree(_page(app, "staff", "/reports/2025"))

    assert tree.xpath("string(//h1)") == "斜沟乡2025年矛盾纠纷排查调处和信访工作统计"
    for key, label in st.LABELS.items():
        if key.split(".")[1].startswith("by_") or key in NOT_RECORDED:
            continue
        item = _figure(tree, label)
        assert item.xpath("string(.//small[@class='definition'])") == st.DEFINITIONS[key], key
    shown = {"登记纠纷": "7", "受理纠纷": "6", "待受理": "1", "不予受理": "1", "调处": "5", "调解成功": "3",
             "调处率(全部)": "83.3%", "调处率": "80%", "调解成功率": "40%", "乡村两级受理": "5", "乡村两级调处": "4",
             "调后履行率": "50%", "村级化解占比": "33.3%", "乡级以内化解占比": "66.7%", "收到信访(件)": "4",
             "受理信访(件)": "4", "及时受理率": "100%", "参评率": "100%", "重复信访": "1", "按期办结率": "50%",
             "满意率": "66.7%", "赴省进京上访": "0", "应排查": "128", "排查完成率": "2.3%", "排查发现纠纷": "1",
             "当场化解": "1"}
    for label, value in shown.items():
        assert _value(tree, label) == value, label


def test_the_report_text_says_the_contract_sentences_exactly(app, year):
    text = _report_text(_tree(_page(app, "staff", "/reports/2025")))

    assert text == "\n".join(TEXT_2025)
    assert HEADLINE_2025 in text and NO_PROVINCE in text
    assert not set(text) & set(",;:()")  # Chinese punctuation throughout


def test_the_json_text_is_the_paragraph_the_page_shows(app, year):
    client = browse_as(app, "staff")
    body = client.get("/reports/2025.json").get_json()
    page = _report_text(_tree(client.get("/reports/2025").get_data(as_text=True)))

    assert body["text"] == "\n".join(TEXT_2025)  # TEXT_2025 is YearData's 2025 worked out by hand (above)
    assert body["text"] == page

    # with sentences switched off (三调联动, 三级网格), the JSON carries the shorter paragraph the page shows
    year.world.township.settings = {**year.world.township.settings, "report_sentences_off": ["three_channels", "grid"]}
    db.session.commit()
    shorter = client.get("/reports/2025.json").get_json()["text"]
    assert shorter == "\n".join(p for i, p in enumerate(TEXT_2025) if i not in (1, 6))
    assert shorter == _report_text(_tree(client.get("/reports/2025").get_data(as_text=True)))


def test_a_township_switches_sentences_off(app, year):
    year.world.township.settings = {**year.world.township.settings,
                                    "report_sentences_off": ["three_channels", "screening_rule", "grid", "visits"]}
    db.session.commit()
    text = _report_text(_tree(_page(app, "staff", "/reports/2025")))
    assert text == "\n".join(p for i, p in enumerate(TEXT_2025) if i not in (1, 4, 6, 8))


def test_a_year_not_over_says_as_at_the_day_never_the_whole_year(app, world):
    today = clock.today()
    dispute(world.staff, world.village, today.replace(day=1), state="accepted")
    tree = _tree(_page(app, "staff", f"/reports/{today.year}"))
    text = _report_text(tree)
    as_at = f"截至{today.year}年{today.month}月{today.day}日"
    if today < date(today.year, 12, 31):
        assert text.startswith(f"{as_at}，斜沟乡共登记矛盾纠纷1起，受理1起；")
        assert "全年" not in text
        assert as_at in tree.xpath("string(//p[@class='as-at'])")
    else:  # the report made on 31 December covers the whole year
        assert text.startswith(f"{today.year}年，斜沟乡共登记矛盾纠纷1起")


def test_a_whole_rate_is_written_without_decimals(app, world):
    dispute(world.staff, world.village, date(2025, 4, 1), state="concluded", outcome="succeeded",
            closed_on=date(2025, 4, 3))
    text = _report_text(_tree(_page(app, "staff", "/reports/2025")))
    assert "乡村两级调解组织共调处各类矛盾纠纷1起，调处率达100%（乡村两级受理1起，调处1起）" in text


def test_a_petition_that_reached_the_province_is_counted_in_the_sentence(app, year):
    petition(year.world.staff, year.world.township, date(2025, 9, 1), level="province")

    text = _report_text(_tree(_page(app, "staff", "/reports/2025")))

    assert NO_PROVINCE not in text
    assert "发生赴省进京上访案件1起" in text


def _many_mediated(world, n: int) -> None:
    """n disputes concluded in 2025 plus one still in mediation."""
    for i in range(n):
        dispute(world.staff, world.village, date(2025, 1 + i % 12, 2), state="concluded",
                outcome=["succeeded", "failed", "ended"][i % 3], closed_on=date(2025, 1 + i % 12, 9))
    dispute(world.staff, world.village, date(2025, 12, 1), state="mediating")


def test_rounded_wording_writes_counts_as_the_township_report_does(app, world):
    _many_mediated(world, 12)  # 12 mediated of 13 registered
    exact = _report_text(_tree(_page(app, "staff", "/reports/2025")))
    assert "乡村两级调解组织共调处各类矛盾纠纷12起，调处率达92.3%（乡村两级受理13起，调处12起）" in exact

    world.township.settings = {**world.township.settings, "report_rounded": True}
    db.session.commit()
    rounded = _report_text(_tree(_page(app, "staff", "/reports/2025")))

    # the headline rounded, the rate and the counts in its brackets exact
    assert "乡村两级调解组织共调处各类矛盾纠纷10余起，调处率达92.3%（乡村两级受理13起，调处12起）" in rounded
    assert "共登记矛盾纠纷10余起" in rounded
    assert "其中调解成功4起" in rounded  # below 10: exact
    assert "纠纷12起" not in rounded


def test_the_page_compares_only_with_a_previous_year_casetrack_holds_whole(app, year):
    # 斜沟乡's first record is 2024-12-20: casetrack holds only the end of 2024, so 2025 is compared with nothing
    assert "较上期" not in _tree(_page(app, "staff", "/reports/2025")).text_content()

    petition(year.world.staff, year.world.township, date(2024, 1, 1))  # now casetrack holds all of 2024
    tree = _tree(_page(app, "staff", "/reports/2025"))
    assert "较上期 +6" in _figure(tree, "登记纠纷").text_content()  # 7 against 2024's 1 (y)
    # 2024 as at 12-31: y accepted at 村 by 人民调解, concluded only on 2025-01-06: 0 of 1 = 0%; 2025: 80%
    assert "较上期 +80.0个百分点" in _figure(tree, "调处率").text_content()
    first = _tree(_page(app, "staff", "/reports/2024"))  # 2023 is before 斜沟乡's first record: no comparison
    assert "较上期" not in first.text_content()


# ------------------------------------------------------------ every figure links to its cases

def _links(tree) -> dict[str, str]:
    links = {}
    for anchor in tree.xpath("//a[@class='figure-cases']"):
        href = html.unescape(anchor.get("href"))
        key = re.search(r"figure=([a-z_.]+)", href).group(1)
        assert anchor.text_content() == "查看案件"
        links[key] = href
    return links


def test_every_figure_links_to_the_queue_filtered_to_its_cases(app, year):
    township = year.world.township.id
    links = _links(_tree(_page(app, "staff", "/reports/2025")))

    assert set(links) == set(FIGURE_KEYS)
    for key, href in links.items():
        assert href == f"/queue?figure={key}&period=2025&township={township}", key


@pytest.mark.parametrize("url, period", [("/reports/2025/3", "2025-03"), ("/reports/2025/q1", "2025-q1")])
def test_month_and_quarter_links_name_their_period(app, year, url, period):
    township = year.world.township.id
    links = _links(_tree(_page(app, "leader", url)))
    assert set(links) == set(FIGURE_KEYS)
    assert links["disputes.mediated"] == f"/queue?figure=disputes.mediated&period={period}&township={township}"


def test_a_county_admin_links_name_the_township_picked(app, year):
    other = year.world.other_township.id
    links = _links(_tree(_page(app, "admin", f"/reports/2025?township={other}")))
    assert links["petitions.received"] == f"/queue?figure=petitions.received&period=2025&township={other}"

    county = _tree(_page(app, "admin", "/reports/2025?township=all"))
    assert county.xpath("string(//h1)").startswith("全部乡镇")
    assert _value(county, "登记纠纷") == "9"
    assert _links(county)["disputes.registered"] == "/queue?figure=disputes.registered&period=2025"


def test_a_county_admin_picks_a_township_on_the_page(app, year):
    tree = _tree(_page(app, "admin", f"/reports/2025?township={year.world.other_township.id}"))
    options = {o.text_content(): o.get("value") for o in tree.xpath("//select[@name='township']/option")}
    assert options == {"全部乡镇": "all", "斜沟乡": str(year.world.township.id), "东岭乡": str(year.world.other_township.id)}
    assert tree.xpath("string(//h1)").startswith("东岭乡")
    downloads = [a.get("href") for a in tree.xpath("//section[@class='actions']/a")]
    assert f"/reports/2025.docx?township={year.world.other_township.id}" in downloads


def test_staff_get_no_township_picker(app, year):
    tree = _tree(_page(app, "staff", "/reports/2025"))
    assert not tree.xpath("//select[@name='township']")


CASE_NUMBER = re.compile(r"\(\d{4}\)[^()<>\s]{1,12}?第\d+号")


@pytest.mark.parametrize("username, report", [("staff", "/reports/2025"), ("staff", "/reports/2025/3"),
                                              ("admin", "/reports/2025?township=all")])
def test_following_each_link_lists_exactly_the_cases_the_figure_counts(app, year, username, report):
    """End to end: the queue behind every 查看案件 shows the case numbers figure_condition selects, no more."""
    from casetrack.services import statistics as stats

    if "queue" not in app.blueprints:
        pytest.skip("the queue is not built")
    browser = browse_as(app, username)
    links = _links(_tree(browser.get(report).get_data(as_text=True)))
    period = stats.parse_period(re.search(r"period=([0-9q-]+)", next(iter(links.values()))).group(1))
    world = year.world
    scope = stats.Scope((world.township,)) if username == "staff" else \
        stats.Scope((world.township, world.other_township), all_townships=True)
    assert len(links) == len(FIGURE_KEYS)
    for key, href in links.items():
        model, where = stats.figure_condition(key, period, scope, clock.today())
        expected = set(db.session.execute(select(model.number).where(where)).scalars())
        response = browser.get(href)
        assert response.status_code == 200, href
        shown = set(CASE_NUMBER.findall(response.get_data(as_text=True)))
        assert shown == expected, (key, href)


# ------------------------------------------------------------ freeze and drift

def _conclude_f(year: YearData) -> None:
    dispute_services.conclude(year.f, year.world.staff, dispute_services.Conclusion(
        outcome=wf.Outcome.SUCCEEDED, closed_on=date(2025, 5, 20), agreement_form=wf.AgreementForm.ORAL,
        agreement_terms="双方各让一步"), clock.today())
    db.session.commit()


def test_staff_freeze_the_year_then_the_page_keeps_the_frozen_figures_and_shows_drift_apart(app, year):
    staff = browse_as(app, "staff")
    response = staff.post("/reports/2025/freeze")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reports/2025")

    snapshot = db.session.execute(select(ReportSnapshot)).scalar_one()
    assert (snapshot.scope, snapshot.period, snapshot.frozen_by_id) == (f"township:{year.world.township.id}", "2025",
                                                                        year.world.staff.id)
    assert snapshot.frozen_at is not None
    assert snapshot.figures["disputes"]["mediated"] == 5

    _conclude_f(year)  # 6 mediated now, 4 succeeded

    tree = _tree(_page(app, "staff", "/reports/2025"))
    assert _value(tree, "调处") == "5"
    assert _value(tree, "调处率") == "80%"
    assert HEADLINE_2025 in _report_text(tree)
    assert "本期数字已于" in tree.text_content() and "刘明" in tree.text_content()
    assert not tree.xpath("//form[contains(@action, '/freeze')]")  # frozen: no second freeze offered

    drift = tree.xpath("//section[contains(@class, 'drift')]")[0]
    rows = {tr.xpath("string(td[1])"): (tr.xpath("string(td[2])"), tr.xpath("string(td[3])"))
            for tr in drift.xpath(".//tbody/tr")}
    assert rows["调处"] == ("5", "6")
    assert rows["调处率"] == ("80%", "100%")  # 乡村两级: 4 → 5 of 5
    assert rows["调解成功"] == ("3", "4")
    assert rows["调解中"] == ("1", "0")
    assert "受理纠纷" not in rows  # unchanged figures are not drift

    frozen = staff.get("/reports/2025.json").get_json()
    assert (frozen["disputes"]["mediated"], frozen["disputes"]["succeeded"]) == (5, 3)
    assert HEADLINE_2025 in staff.get("/reports/2025.md").get_data(as_text=True)


def test_a_frozen_year_without_changes_shows_no_drift(app, year):
    staff = browse_as(app, "staff")
    staff.post("/reports/2025/freeze")
    tree = _tree(staff.get("/reports/2025").get_data(as_text=True))
    assert not tree.xpath("//section[contains(@class, 'drift')]")


def test_a_second_freeze_is_refused_with_409(app, year):
    staff = browse_as(app, "staff")
    assert staff.post("/reports/2025/freeze").status_code == 302
    _conclude_f(year)
    assert staff.post("/reports/2025/freeze").status_code == 409
    snapshot = db.session.execute(select(ReportSnapshot)).scalar_one()  # still one, still the first figures
    assert snapshot.figures["disputes"]["mediated"] == 5


@pytest.mark.parametrize("username", ["leader", "mediator1", "admin"])
def test_only_staff_may_freeze(app, year, username):
    assert browse_as(app, username).post("/reports/2025/freeze").status_code == 403
    assert db.session.execute(select(ReportSnapshot)).first() is None


def test_leaders_see_no_freeze_button(app, year):
    tree = _tree(_page(app, "leader", "/reports/2025"))
    assert not tree.xpath("//form[contains(@action, '/freeze')]")


def test_freezing_one_township_leaves_the_other_live(app, year):
    browse_as(app, "staff").post("/reports/2025/freeze")
    far = _tree(_page(app, "farstaff", "/reports/2025"))
    assert "本期数字已于" not in far.text_content()
    assert _value(far, "登记纠纷") == "2"


@pytest.mark.parametrize("key, page", [("2025-03", "/reports/2025/3"), ("2025-q1", "/reports/2025/q1")])
def test_a_month_or_quarter_can_be_frozen(app, year, key, page):
    staff = browse_as(app, "staff")
    response = staff.post(f"/reports/{key}/freeze")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert db.session.execute(select(ReportSnapshot.period)).scalar_one() == key
    assert "本期数字已于" in staff.get(page).get_data(as_text=True)


def test_an_invalid_period_cannot_be_frozen(app, year):
    staff = browse_as(app, "staff")
    for key in ("2025-13", "2025-q5", "last-year"):
        assert staff.post(f"/reports/{key}/freeze").status_code == 404


# ------------------------------------------------------------ month and quarter returns, targets, charts

def test_month_and_quarter_pages(app, year):
    march = _tree(_page(app, "staff", "/reports/2025/3"))
    assert march.xpath("string(//h1)") == "斜沟乡2025年3月矛盾纠纷排查调处和信访工作统计"
    assert _value(march, "登记纠纷") == "2"
    assert "2025年3月，斜沟乡共登记矛盾纠纷2起，受理2起；" in _report_text(march)
    # c went to the county: only d is 乡村两级
    assert "乡村两级调解组织共调处各类矛盾纠纷1起，调处率达100%（乡村两级受理1起，调处1起）" in _report_text(march)
    assert "零报告" not in march.text_content()

    q1 = _tree(_page(app, "staff", "/reports/2025/q1"))
    assert q1.xpath("string(//h1)") == "斜沟乡2025年第1季度矛盾纠纷排查调处和信访工作统计"
    assert _value(q1, "登记纠纷") == "4"
    assert "本期收到信访事项2件7人次，受理信访事项2件" in _report_text(q1)


def test_an_empty_month_is_a_nil_return(app, year):
    september = _tree(_page(app, "staff", "/reports/2025/9"))
    assert "零报告" in september.text_content()
    assert "2025年9月，斜沟乡未登记矛盾纠纷。" in _report_text(september)


def test_an_empty_quarter_is_not_called_a_monthly_nil_return(app, year):
    tree = _tree(_page(app, "staff", "/reports/2023/q1"))
    assert "本月" not in tree.text_content()


@pytest.mark.parametrize("url", ["/reports/2025/13", "/reports/2025/0", "/reports/2025/q5", "/reports/2025/13.json"])
def test_an_impossible_month_or_quarter_is_not_found(app, year, url):
    assert browse_as(app, "staff").get(url).status_code == 404


def test_a_figure_below_its_target_is_marked(app, year):
    year.world.township.settings = {**year.world.township.settings,
                                    "targets": {"disputes.village_township.success_rate": 0.95,
                                                "disputes.village_township.mediation_rate": 0.5}}
    db.session.commit()

    tree = _tree(_page(app, "staff", "/reports/2025"))

    below = _figure(tree, "调解成功率")  # 40% < 95%
    assert "below-target" in below.get("class")
    assert "低于目标 95%" in below.text_content()
    met = _figure(tree, "调处率")  # 80% ≥ 50%
    assert "below-target" not in met.get("class") and "低于目标" not in met.text_content()
    assert tree.text_content().count("低于目标") == 1


def test_the_charts_draw_offline_with_chinese_labels(app, year):
    text = _page(app, "staff", "/reports/2025")
    tree = _tree(text)
    captions = [c.text_content() for c in tree.xpath("//figure[@class='chart']/figcaption")]
    assert captions == ["每月登记与调结纠纷数", "按纠纷类别", "按村"]
    titles = {t.text_content() for t in tree.xpath("//*[local-name()='svg']//*[local-name()='title']")}
    assert "1月登记 1" in titles
    assert "1月调结 2" in titles  # y (registered 2024) and a were concluded in January 2025
    assert "3月登记 2" in titles
    assert "邻里 4" in titles and "斜沟村 5" in titles
    assert "<script src" not in text.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_admin_switches_report_sentences_off_and_names_the_issuing_unit(app, year):
    """The township settings page: the sentences left unticked are left out of the report, the 落款 names the unit."""
    admin = browse_as(app, "admin")
    url = f"/admin/townships/{year.world.township.id}"
    page = _tree(admin.get(url).get_data(as_text=True))
    ticked = {box.get("value") for box in page.xpath("//input[@name='report_sentences'][@checked]")}
    assert ticked == {"three_channels", "screening_rule", "major", "legal_aid", "visits", "grid", "disruptive",
                      "quiet_periods"}  # every sentence on by default

    response = admin.post(url, data={
        "name": "斜沟乡", "follow_up_days": "30", "due_soon_days": "3", "collective_threshold": "5",
        "issuing_unit": "斜沟乡综治中心", "report_sentences": ["screening_rule", "major", "legal_aid", "disruptive",
                                                           "quiet_periods"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert year.world.township.setting("report_sentences_off") == ["three_channels", "visits", "grid"]
    text = _report_text(_tree(_page(app, "staff", "/reports/2025")))
    assert text == "\n".join(p for i, p in enumerate(TEXT_2025) if i not in (1, 6, 8))
    import io

    from docx import Document
    document = Document(io.BytesIO(browse_as(app, "staff").get("/reports/2025.docx").data))
    assert [p.text for p in document.paragraphs if p.text][-2] == "斜沟乡综治中心"


def test_a_year_frozen_before_the_new_definitions_still_shows_and_downloads(app, year):
    """A snapshot frozen before issue 14 has none of the new keys: its page and files show what it published."""
    browse_as(app, "staff").post("/reports/2025/freeze")
    snapshot = db.session.execute(select(ReportSnapshot)).scalar_one()
    old = {k: v for k, v in snapshot.figures.items() if k not in ("as_at", "complete", "grid")}
    old["disputes"] = {k: v for k, v in old["disputes"].items()
                       if k not in ("accepted", "pending_decision", "village_township", "major", "major_responsible",
                                    "legal_aid")}
    old["disputes"].update(registered=7, mediated=5, mediation_rate=5 / 7, success_rate=3 / 7)  # the old words
    old["petitions"] = {k: v for k, v in old["petitions"].items()
                        if k in ("received", "persons", "collective", "repeat", "cross_level", "to_province_or_beijing",
                                 "due", "on_time", "on_time_rate", "rated", "satisfied", "satisfaction_rate",
                                 "disruptive", "by_channel", "by_village", "by_category")}
    old["screening"] = {"due": 130, "held": 3, "nil": 2, "found": 1, "rate": 3 / 130}  # then: 1 registered from it
    snapshot.figures = old
    db.session.commit()

    tree = _tree(_page(app, "staff", "/reports/2025"))
    text = _report_text(tree)
    # then 乡村两级 counted every level and channel: 5 mediated of 7 registered
    assert "乡村两级调解组织共调处各类矛盾纠纷5起，调处率达71.4%（乡村两级受理7起，调处5起）" in text
    assert "全年收到信访事项4件10人次，受理信访事项4件；" in text
    # 参评率 was not counted then: the satisfaction clause says nothing of it, nor "当场化解" (3 ÷ 130 = 2.3%)
    assert "群众满意率达66.7%（参与评价的3件中满意和基本满意2件）" in text
    assert "全年开展矛盾纠纷排查3次（应排查130次，排查完成率2.3%），其中零上报2次；排查发现并登记调处矛盾纠纷1起。" in text
    # figures it never counted show "—", not a zero it never stated
    never = {"待受理": "pending_decision", "重大矛盾纠纷": "major", "引导法律援助": "legal_aid", "转送": "forwarded",
             "待定": "undecided", "及时受理": "timely_decided", "来访(批)": "visits", "已答复": "answered",
             "参评率": "rating_rate", "当场化解": "found_resolved", "重点时段加密排查": "intensified_held"}
    for label in never:
        assert _value(tree, label) == "—", label
    assert _value(tree, "赴省进京上访") == "0"  # counted then
    staff = browse_as(app, "staff")
    for fmt in ("docx", "xlsx", "md", "json"):
        assert staff.get(f"/reports/2025.{fmt}").status_code == 200, fmt
    body = staff.get("/reports/2025.json").get_json()
    values = {**body["disputes"], **body["petitions"], **body["screening"]}
    assert all(values[key] is None for key in never.values())
    markdown = staff.get("/reports/2025.md").get_data(as_text=True)
    assert "| 转送 | — |" in markdown and "| 当场化解 | — |" in markdown

    import io

    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(staff.get("/reports/2025.xlsx").data))["统计数字"]
    cells = {row[3]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert cells["petitions.forwarded"] == "—" and cells["disputes.major"] == "—"
    assert cells["petitions.received"] == 4


def test_petition_supervision_is_a_counted_figure_with_its_definition(app, year):
    """督办 of petitions is recorded (#19): the JSON and the file give the count beside its definition."""
    import io

    from openpyxl import load_workbook

    staff = browse_as(app, "staff")
    body = staff.get("/reports/2025.json").get_json()
    assert body["petitions"]["supervised"] == 0
    assert "由领导督办" in body["definitions"]["petitions.supervised"]
    sheet = load_workbook(io.BytesIO(staff.get("/reports/2025.xlsx").data))["统计数字"]
    cells = {row[3]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert cells["petitions.supervised"] == 0
