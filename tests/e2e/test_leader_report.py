"""Journey 3: a leader opens the year's report, follows a figure to its cases and downloads the DOCX."""

import re

import pytest
from docx import Document
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_leader_follows_a_figure_to_its_cases_and_downloads_the_report(crew, site, tmp_path):
    leader = crew.actor("leader", "desktop")
    page = leader.page
    report_path = f"/reports/{site.year}"

    with leader.step("open the year's report"):
        leader.login("leader")
        leader.press(page.locator(".sidenav a", has_text="统计报表"))
        assert page.url.endswith(report_path), page.url
        expect(page.locator("h1")).to_contain_text(f"{site.year}年")
        figure = page.locator(".figure", has=page.locator(".figure-label", has_text=re.compile(r"^登记纠纷$")))
        expect(figure).to_have_count(1)
        registered = int(figure.locator(".figure-value").inner_text())
        assert registered > 0
        expect(figure.locator(".definition")).not_to_be_empty()
        sentence = page.locator(".report-text", has_text=f"矛盾纠纷{registered}起").first
        expect(sentence).to_be_visible()  # the figure, in the report's own words
        sentence = sentence.inner_text().strip()
        second_row = page.locator(".figure").nth(7).bounding_box()  # the report's text and its first eight figures
        leader.picture("year-report", full_page=True,
                       clip={"x": 0, "y": 0, "width": 1366, "height": second_row["y"] + second_row["height"] + 16})

    with leader.step("follow the figure to its cases"):
        leader.press(figure.locator("a.figure-cases", has_text="查看案件"))
        assert "/queue?" in page.url and "figure=disputes.registered" in page.url and f"period={site.year}" in page.url
        expect(page.locator("h1")).to_contain_text(f"共 {registered} 件")
        expect(page.locator(".flash")).to_contain_text("登记纠纷")
        expect(page.locator(".queue-table tbody tr")).to_have_count(min(registered, 50))

    with leader.step("download the DOCX"):
        leader.goto(report_path)
        with page.expect_download() as downloading:
            page.locator(".actions").get_by_role("link", name="下载 Word", exact=True).click()
        download = downloading.value
        assert download.suggested_filename.endswith(".docx"), download.suggested_filename
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        document = Document(str(saved))
        paragraphs = [p.text.strip() for p in document.paragraphs]
        assert sentence in paragraphs, f"{sentence!r} is not in the DOCX"
        cells = [[c.text.strip() for c in row.cells] for table in document.tables for row in table.rows]
        assert any(row[:2] == ["登记纠纷", str(registered)] for row in cells), cells[:5]
