"""Every route of the URL map answers below 500 for every role, whatever the path values and query string.

Hypothesis draws, route by route, a role, a value for each path argument (ids near the database's integer
limits and past them, words, nothing) and a query string of the parameters the pages read plus random ones,
with NUL, huge numbers and dates out of range. A route that takes POST is also posted an empty form (CSRF
is off in the tests, so the view itself answers); the forms' own fuzzing is in test_fuzz.py. Signing out
is left out, so that each role's client stays signed in.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.security.helpers import ROLES, client_as, rich_world

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

EXAMPLES = 25  # per route and method; some 120 of them
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
PARAMETERS = ["year", "month", "quarter", "township", "village", "page", "tab", "q", "status", "n", "download",
              "from", "to", "sort", "type", "kind", "level", "risk", "mediator", "period", "figure", "start", "end",
              "before", "after", "next", "format", "registered", "dispute", "petition", "info"]
ODD = ["", "0", "-1", "1", "2020", "99999", "2" * 20, str(2**31), str(2**63), str(2**64), "1e9", "NaN", "\x00",
       "a\x00b", "%00", "9999-12-31", "0001-01-01", "2024-02-30", "q5", "all", "<script>", "../../etc/passwd",
       "\u202e", "😀", "x" * 2000, "13812345678", "11010519491231002X"]
VALUE = st.one_of(st.sampled_from(ODD), st.text(max_size=20), st.integers().map(str))
QUERY = st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8)), VALUE), max_size=5)
INTEGERS = st.one_of(st.integers(0, 12), st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]),
                     st.integers(min_value=0))
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


def _values(rule) -> st.SearchStrategy:
    strategies = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            strategies[name] = INTEGERS.map(str)
        elif isinstance(converter, AnyConverter):
            strategies[name] = st.one_of(st.sampled_from(sorted(converter.items)), st.text(max_size=10))
        else:
            strategies[name] = st.one_of(st.sampled_from(ODD), st.text(min_size=1, max_size=30))
    return st.fixed_dictionaries(strategies)


def _url(rule, values: dict, query: list) -> str:
    path = _ARGUMENT.sub(lambda m: quote(values[m.group(1)], safe=""), rule.rule)
    return path + ("?" + urlencode(query) if query else "")


def _answers_below_500(clients: dict, rule, method: str, requests: list):
    """Return the property of one route and method: whatever Hypothesis draws, the answer is below 500."""

    @FUZZ
    @given(role=st.sampled_from(ROLES), values=_values(rule), query=QUERY)
    def answers(role, values, query):
        url = _url(rule, values, query)
        requests.append(url)
        try:  # TESTING propagates a view's exception instead of answering 500
            status = clients[role].open(url, method=method, data={}).status_code
        except Exception as error:  # noqa: BLE001 - what a server would answer 500 for
            status = f"500 {type(error).__name__}: {str(error)[:80]}"
        if not isinstance(status, int) or status >= 500:
            raise AssertionError(f"{role} {method} {url[:150]} → {status}")

    return answers


@pytest.fixture
def clients(app, world):
    rich_world(world)
    return {role: client_as(app, role) for role in ROLES}


def test_every_route_answers_every_role_below_500_whatever_the_values(app, clients):
    rules = [(rule, method) for rule in app.url_map.iter_rules() for method in ("GET", "POST")
             if method in rule.methods and rule.endpoint != "auth.logout"]
    assert len(rules) > 80  # the whole map, not a part of it
    failures, requests = [], []
    for rule, method in rules:
        try:
            _answers_below_500(clients, rule, method, requests)()
        except AssertionError as failure:  # the simplest failing example, once shrunk; go on with the next route
            failures.append(str(failure))
    assert failures == [], "\n".join(failures)
    assert len(requests) >= len(rules) * 5  # Hypothesis ran the routes, several values each
    print(f"\n{len(requests)} requests over {len(rules)} routes and methods, every one below 500")
