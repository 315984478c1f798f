"""The figure catalogue (casetrack/domain/figures.py) is the one place a figure is named: every figure the page,
the JSON and the files show has an entry with a label and a definition, and each shows the catalogue's words."""

import io
import re

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from casetrack.domain import figures as catalogue
from casetrack.domain import statistics as st

from . import YearData, browse_as


@pytest.fixture
def year(world) -> YearData:
    return YearData(world)


def _get(app, url: str):
    response = browse_as(app, "staff").get(url)
    assert response.status_code == 200, url
    return response


def test_every_figure_in_the_json_has_an_entry_with_a_label_and_a_definition(app, year):
    body = _get(app, "/reports/2025.json").get_json()

    flat = st.scalar_figures({s: body[s] for s in st.SECTIONS})
    shown = set(flat)
    breakdowns = {f"{s}.{k}" for s in st.SECTIONS for k in body[s] if k.startswith("by_")}
    assert shown and breakdowns
    for key in shown | breakdowns:
        figure = catalogue.FIGURES[key]
        assert figure.label.strip() and figure.definition.strip(), key
        assert figure.unit in ("起", "件", "批", "人", "人次", "次", "%", "元"), key
    for key, value in flat.items():  # a rate is a fraction (or None), a count a whole number
        if key in catalogue.NOT_RECORDED:  # 督办 of petitions: not recorded yet, null, and its definition says so
            assert value is None and "尚未记录" in catalogue.FIGURES[key].definition, key
        elif catalogue.FIGURES[key].is_rate:
            assert value is None or (isinstance(value, float) and 0 <= value <= 1), key
        elif catalogue.FIGURES[key].unit == "元":  # a sum of money in yuan, to the fen
            assert isinstance(value, int | float) and value >= 0 and round(value * 100) == value * 100, key
        else:
            assert isinstance(value, int), key
    # The JSON's definitions are the catalogue's, word for word, beside the as-at rule.
    assert body["definitions"] == {"as_at": catalogue.AS_AT, **{f.key: f.definition for f in catalogue.CATALOGUE}}
    # No entry is left over that no file shows (the two name lists are not figures).
    assert set(catalogue.FIGURES) == shown | breakdowns


def test_the_page_the_json_and_the_xlsx_give_a_figure_the_same_label_and_definition(app, year):
    tree = lxml_html.fromstring(_get(app, "/reports/2025").get_data(as_text=True))
    page = {li.get("data-figure"): (li.xpath("string(.//span[@class='figure-label'])"),
                                     li.xpath("string(.//small[@class='definition'])"))
            for li in tree.xpath("//li[contains(concat(' ', @class, ' '), ' figure ')]")}
    definitions = _get(app, "/reports/2025.json").get_json()["definitions"]
    book = load_workbook(io.BytesIO(_get(app, "/reports/2025.xlsx").data))
    rows = list(book["统计数字"].iter_rows(values_only=True))[2:]
    xlsx = {code: (label, definition) for label, _value, definition, code in rows}

    assert set(page) == set(xlsx)  # the same figures on the page and in the file
    assert len(page) == len([f for f in catalogue.CATALOGUE if not f.is_breakdown and f.recorded])
    assert "petitions.supervised" in page  # 督办 of petitions is recorded since #19
    for key, (label, definition) in page.items():
        figure = catalogue.FIGURES[key]
        assert label == xlsx[key][0] == figure.label, key
        assert definition == xlsx[key][1] == definitions[key] == figure.definition, key
    # the 调解方式 breakdown keeps its one name on the page, in the workbook and in the Markdown
    title = catalogue.FIGURES["disputes.by_channel"].breakdown_title
    assert title == "按调解方式"
    assert title in tree.xpath("//table[contains(@class, 'breakdown')]/caption/text()")
    assert title in book.sheetnames
    assert f"## {title}\n" in _get(app, "/reports/2025.md").get_data(as_text=True)


def test_every_breakdown_on_the_page_and_in_the_files_carries_its_catalogue_title(app, year):
    tree = lxml_html.fromstring(_get(app, "/reports/2025").get_data(as_text=True))
    captions = tree.xpath("//table[contains(@class, 'breakdown')]/caption/text()")
    book = load_workbook(io.BytesIO(_get(app, "/reports/2025.xlsx").data))
    markdown = _get(app, "/reports/2025.md").get_data(as_text=True)
    titles = catalogue.BREAKDOWN_TITLES

    assert captions and set(captions) <= set(titles.values())
    assert set(captions) <= set(book.sheetnames)
    assert set(captions) == set(re.findall(r"^## (按.+|信访按.+)$", markdown, flags=re.M))
    # the page's charts are titled as their tables are
    assert {"按纠纷类别", "按村"} <= set(tree.xpath("//figure[@class='chart']/figcaption/text()"))


def test_the_queue_behind_a_figure_names_it_by_its_catalogue_label(app, year):
    if "queue" not in app.blueprints:
        pytest.skip("the queue is not built")
    text = _get(app, "/queue?figure=disputes.mediation_rate&period=2025").get_data(as_text=True)
    assert "正在查看统计项“调处率(全部)”(2025)所计入的案件。" in text
