"""The plain case list pages by ?page=N: PAGE_SIZE rows a page, newest first, a page past the end shows the
last page and a page that is not a number the first."""

import re
from datetime import timedelta

import pytest

from casetrack import clock
from tests.conftest import login
from tests.factories import make_dispute

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _numbers_on(client, query: str) -> list[str]:
    response = client.get(f"/cases{query}")
    assert response.status_code == 200
    return re.findall(r"\(\d{4}\)[^<\s]*字第\d+号", response.get_data(as_text=True))


def test_case_list_pages_by_page_size_and_clamps_past_the_end(app, client, world):
    app.config["PAGE_SIZE"] = 2
    today = clock.today()
    # registered 5, 4 and 3 days ago: newest first, so page 1 holds the two newest and page 2 the oldest
    cases = [make_dispute(world.staff, world.village, registered_on=today - timedelta(days=d)) for d in (5, 4, 3)]
    newest_first = [c.number for c in reversed(cases)]
    login(client, "staff")

    first = _numbers_on(client, "")
    assert sorted(set(first)) == sorted(newest_first[:2])
    second = _numbers_on(client, "?page=2")
    assert set(second) == {newest_first[2]}
    assert set(_numbers_on(client, "?page=9")) == {newest_first[2]}  # past the end: the last page
    assert set(_numbers_on(client, "?page=abc")) == set(first)  # not a number: the first page
    assert set(_numbers_on(client, "?page=-3")) == set(first)
