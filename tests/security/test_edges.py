"""Edges that answered 500 or slipped through: odd paths and query values, limits, masks and files."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.mark.parametrize(("path", "status"), [
    ("/reports/0", 404), ("/reports/99999", 404), ("/reports/0/1", 404), ("/reports/99999.xlsx", 404),
    ("/reports/1948", 404),  # before 1949: no township kept a ledger
    (f"/cases/{2**63}", 404), (f"/cases/{2**31}", 404), (f"/petitions/{2**64}", 404),  # past the ids' integers
    ("/queue/export.csv?q=%E5%BC%A0%00", 400), ("/queue?village=1%00", 400),  # NUL: PostgreSQL cannot compare it
])
def test_odd_paths_and_query_values_answer_4xx_not_500(client, world, path, status):
    login(client, "staff")
    assert client.get(path).status_code == status


def test_reports_with_a_year_in_the_query_go_to_that_years_page(client, world):
    login(client, "staff")
    response = client.get("/reports?year=2020")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/2020")
    response = client.get("/reports?year=abc&township=all")  # not a year: this year's page, the rest kept
    assert response.status_code == 302 and "/reports/20" in response.headers["Location"]
    assert "township=all" in response.headers["Location"]
