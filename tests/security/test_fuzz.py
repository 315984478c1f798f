"""Bad input, fuzzed with hypothesis: the dispute and petition intake forms, the login form and the ledger
parser. Any input gives a page with messages (200/400/401/409/429) or a clean refusal, never a server error,
and a refused input writes nothing at all (every table and stored file as before).

Examples are bounded (EXAMPLES each) so the suite stays quick; run with --hypothesis-show-statistics to see
how many ran.
"""

import csv
import io
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from casetrack import clock
from casetrack.extensions import db
from casetrack.ledger.format import DISPUTE_COLUMNS, PETITION_COLUMNS
from casetrack.ledger.importing import CREATE, ImportRefused, apply_plan, plan_import
from casetrack.models import Dispute, Petition
from tests.factories import intake_form
from tests.ledger.helpers import dispute as dispute_row
from tests.ledger.helpers import petition as petition_row
from tests.security.helpers import client_as, fingerprint

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

EXAMPLES = 60
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
PAGE = {200, 400, 401, 409, 429}
RAN: dict[str, int] = {}
"""Examples run per property, for the report (printed when the module ends)."""

NASTY = [
    "", " ", "\u202e", "\x01\x1b[31m", "\ufeff", "😀" * 3, "0", "-1", "1e9", "NaN", "99999999999999999999",
    "2024-02-30", "0001-01-01", "1900-01-01", "9999-12-31", "<script>alert(1)</script>", "' OR 1=1 --",
    "11010519491231002X", "110105194912310021", "13812345678", "1" * 19, "=cmd|' /C calc'!A0", "%s%s%n",
    "../../etc/passwd", "\r\n", "  张三  ", "x" * 300,
]
TEXT = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))  # NUL: see test_nul_*
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(TEXT, max_size=30),
    st.text(TEXT, min_size=60, max_size=2500),
    st.integers().map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
)


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@st.composite
def mutated(draw, base: dict, extra_keys: list[str]) -> dict:
    """A valid form body with a few fields replaced by odd values, dropped, or added."""
    data = dict(base)
    keys = draw(st.lists(st.sampled_from(sorted(base) + extra_keys), unique=True, min_size=1, max_size=6))
    for key in keys:
        if key in data and draw(st.integers(0, 5)) == 0:
            del data[key]
        else:
            data[key] = draw(VALUES)
    return data


def _has_messages(page: str) -> bool:
    return 'role="alert"' in page or 'class="error"' in page or "flash" in page


def _check_form(client, path: str, data: dict, model, name: str) -> None:
    RAN[name] = RAN.get(name, 0) + 1
    db.session.rollback()
    before, rows_before = fingerprint(), _count(model)
    response = client.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code in PAGE | {302}, (response.status_code, data)
    db.session.rollback()
    if response.status_code == 302:
        assert re.search(r"/\d+$", response.headers["Location"]), response.headers["Location"]
        assert _count(model) == rows_before + 1
    else:
        assert _has_messages(page), (response.status_code, data)
        assert fingerprint() == before, f"a refused {name} wrote something: {data}"


PARTY_EXTRAS = ["applicants-1-name", "applicants-1-id_number", "applicants-1-phone", "respondents-3-name",
                "applicants-25-name", "applicants-x-name", "add_party", "csrf_token", "police_reported"]


def test_dispute_intake_never_fails_and_never_half_registers(app, world):
    client = client_as(app, "staff")
    base = intake_form(world.village)

    @FUZZ
    @given(data=mutated(base, PARTY_EXTRAS))
    def run(data):
        _check_form(client, "/cases/new", data, Dispute, "dispute intake")

    run()


def test_petition_intake_never_fails_and_never_half_registers(app, world):
    from tests.petition_factories import category

    client = client_as(app, "staff")
    base = {
        "received_on": clock.today().replace(day=1).isoformat(), "channel": "visit", "village_id": str(world.village.id),
        "category_id": str(category(world.township).id), "persons": "3", "level": "township",
        "request": "要求公开村集体土地补偿款分配情况", "repeat_of_number": "", "petitioners-0-name": "赵大民",
        "petitioners-0-id_number": "11010519491231002X", "petitioners-0-phone": "13812345678",
        "petitioners-0-address": "斜沟村3号", "petitioners-0-is_representative": "y",
    }
    extras = ["petitioners-1-name", "petitioners-1-is_representative", "petitioners-60-name", "cross_level",
              "disruptive", "add_party"]

    @FUZZ
    @given(data=mutated(base, extras))
    def run(data):
        _check_form(client, "/petitions/new", data, Petition, "petition intake")

    run()


def test_login_form_never_fails_and_signs_in_only_with_the_right_password(app, world):
    # usernames longer than the 40 characters a stored one may have: test_a_long_username_answers_with_a_page
    usernames = st.one_of(st.sampled_from(["staff", "mediator1", "admin", "nobody", " staff ", "STAFF"]),
                          VALUES.filter(lambda name: len(name) <= 40))
    passwords = st.one_of(st.just("pass1234word"), VALUES)

    @FUZZ
    @given(username=usernames, password=passwords, extra=st.dictionaries(st.sampled_from(["next", "remember"]), VALUES))
    def run(username, password, extra):
        RAN["login"] = RAN.get("login", 0) + 1
        client = app.test_client()
        response = client.post("/auth/login", data={"username": username, "password": password, **extra})
        assert response.status_code in PAGE | {302}, (response.status_code, username, password)
        signed_in = client.get("/").status_code == 200
        if response.status_code == 302:
            assert signed_in
            assert username.strip() in ("staff", "mediator1", "admin") and password == "pass1234word"
        else:
            assert not signed_in
            assert _has_messages(response.get_data(as_text=True))

    run()


@pytest.mark.parametrize("length", [41, 300])
def test_a_long_username_answers_with_a_page(app, world, length):
    """login_throttle.account is a VARCHAR(40): a longer name is refused by the form, not by PostgreSQL."""
    response = app.test_client().post("/auth/login", data={"username": "x" * length, "password": "pass1234word"})
    assert response.status_code in (400, 401)
    assert _has_messages(response.get_data(as_text=True))


def test_a_petitioner_row_without_its_name_field_is_refused_with_a_page(app, world):
    """Found by the fuzz: the name field absent (not blank) was a server error; fixed in casetrack/web/petitions.py."""
    from tests.petition_factories import category

    client = client_as(app, "staff")
    data = {"received_on": clock.today().replace(day=1).isoformat(), "channel": "visit", "village_id": "",
            "category_id": str(category(world.township).id), "persons": "1", "level": "township",
            "request": "要求公开补偿款", "petitioners-0-id_number": "11010519491231002X"}
    _check_form(client, "/petitions/new", data, Petition, "absent name")


# --- the ledger parser: a CSV built from random cells ----------------------------------------------

def _cell(column, valid: dict):
    """A strategy of one cell: the valid value, a label of its column, a date or number in odd forms, or junk."""
    options = [st.just(valid.get(column.header)), VALUES, st.none()]
    if column.labels:
        options.append(st.sampled_from(column.labels))
    if column.kind == "date":
        options.append(st.tuples(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
                                 st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d"]))
                       .map(lambda pair: pair[0].strftime(pair[1])))
    if column.kind in ("int", "number"):
        options.append(st.integers(-10, 200000).map(str))
    return st.one_of(options)


@st.composite
def ledger_csv(draw) -> tuple[bytes, str]:
    """A CSV ledger of one kind: its headers in any order (some missing, an odd one added), rows of random
    cells, title rows above and footer notes below, comma or tab separated, in any of the usual encodings."""
    kind = draw(st.sampled_from(["dispute", "petition"]))
    valid = dispute_row() if kind == "dispute" else petition_row()
    columns = draw(st.permutations(DISPUTE_COLUMNS if kind == "dispute" else PETITION_COLUMNS))
    columns = columns[draw(st.integers(0, 2)):]  # now and then a column missing, a required one too
    pairs = [(column.header, _cell(column, valid)) for column in columns]
    if draw(st.booleans()):
        extra = draw(st.sampled_from(["序号", "未知列", "", pairs[0][0]]))  # a row number, junk, blank, a repeat
        pairs.insert(draw(st.integers(0, len(pairs))), (extra, VALUES))
    headers = [header for header, _strategy in pairs]
    rows = draw(st.lists(st.tuples(*(strategy for _header, strategy in pairs)), max_size=5))
    above = draw(st.lists(st.lists(VALUES, max_size=3), max_size=2))  # title and note rows above the header
    below = draw(st.lists(st.sampled_from([["合计", "3"], ["填表人:刘明"], ["注:以上为手工台账"]]), max_size=2))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", "\t"])))
    for row in [*above, headers, *rows, *below]:
        writer.writerow(["" if v is None else v for v in row])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return buffer.getvalue().encode(encoding, errors="replace"), kind


def test_ledger_parser_refuses_bad_cells_cleanly_and_imports_all_or_nothing(app, world, tmp_path):
    path = tmp_path / "台账.csv"

    @FUZZ
    @given(made=ledger_csv())
    def run(made):
        content, kind = made
        RAN["ledger csv"] = RAN.get("ledger csv", 0) + 1
        path.write_bytes(content)
        db.session.rollback()
        before = fingerprint()
        model = Dispute if kind == "dispute" else Petition
        rows_before = _count(model)
        plan = plan_import(path, township=world.township)  # never raises: bad cells become errors
        db.session.rollback()
        if plan.errors:
            assert all(str(error) for error in plan.errors)
            with pytest.raises(ImportRefused):
                apply_plan(plan)
            db.session.rollback()
            assert fingerprint() == before, "a refused ledger wrote something"
        else:
            created = plan.counts()[kind][CREATE]
            apply_plan(plan)
            db.session.commit()
            assert _count(model) == rows_before + created

    run()


def test_ledger_upload_of_any_bytes_answers_with_a_page(app, world):
    client = client_as(app, "staff")
    names = st.sampled_from(["台账.csv", "台账.xlsx", "台账.CSV", "台账.xls", "台账"])
    heads = st.sampled_from([b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", "编号,乡镇".encode()])
    # content beginning "PK" (a broken .xlsx) is left to test_a_broken_xlsx_upload_is_refused_with_a_message
    contents = st.tuples(heads, st.binary(max_size=2000)).map(b"".join).filter(lambda c: not c.startswith(b"PK"))

    @FUZZ
    @given(content=contents, name=names)
    def run(content, name):
        RAN["ledger upload"] = RAN.get("ledger upload", 0) + 1
        db.session.rollback()
        before = fingerprint(include_files=False)
        response = client.post("/ledger/upload", data={"upload": (io.BytesIO(content), name)},
                               content_type="multipart/form-data")
        assert response.status_code in (200, 400), (response.status_code, name, content[:40])
        assert fingerprint(include_files=False) == before  # an upload is only previewed: nothing imported

    run()


@pytest.mark.parametrize("content", [b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 200, b"PK,not a zip\n"])
def test_a_broken_xlsx_upload_is_refused_with_a_message(app, world, content):
    client = client_as(app, "staff")
    response = client.post("/ledger/upload", data={"upload": (io.BytesIO(content), "台账.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert _has_messages(response.get_data(as_text=True))


def test_a_broken_xlsx_given_to_the_import_command_is_refused_with_a_message(runner, world, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    rows_before = _count(Dispute)
    result = runner.invoke(args=["ledger", "import", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert _count(Dispute) == rows_before


# --- NUL characters: PostgreSQL refuses them in text, SQLite stores them --------------------------

@pytest.mark.parametrize("field", ["applicants-0-name", "summary", "applicants-0-address"])
def test_nul_in_the_dispute_intake_answers_with_a_page(app, world, field):
    client = client_as(app, "staff")
    before = _count(Dispute)
    _check_form(client, "/cases/new", intake_form(world.village, **{field: "张\x00三"}), Dispute, "NUL")
    assert _count(Dispute) == before  # refused on both databases, not stored where SQLite could


@pytest.mark.parametrize("field", ["petitioners-0-name", "request"])
def test_nul_in_the_petition_intake_answers_with_a_page(app, world, field):
    from tests.petition_factories import category

    client = client_as(app, "staff")
    data = {"received_on": clock.today().replace(day=1).isoformat(), "channel": "visit", "village_id": "",
            "category_id": str(category(world.township).id), "persons": "1", "level": "township",
            "request": "要求公开补偿款", "petitioners-0-name": "赵大民", field: "赵\x00大民"}
    before = _count(Petition)
    _check_form(client, "/petitions/new", data, Petition, "NUL")
    assert _count(Petition) == before


def test_nul_in_the_login_form_answers_with_a_page(app, world):
    response = app.test_client().post("/auth/login", data={"username": "st\x00aff", "password": "x"})
    assert response.status_code in (400, 401)


def test_nul_in_a_ledger_cell_is_a_ledger_error(app, world, tmp_path):
    path = tmp_path / "台账.csv"
    row = dispute_row(申请人="张\x00三")
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([list(row), list(row.values())])
    rows_before = _count(Dispute)
    plan = plan_import(path, township=world.township)
    db.session.rollback()
    if not plan.errors:
        apply_plan(plan)
        db.session.commit()
        assert _count(Dispute) == rows_before + 1


@pytest.fixture(scope="module", autouse=True)
def _say_how_many_examples_ran():
    """Print how many examples each property ran, once the module is done (visible with -s)."""
    yield
    print("\nfuzz examples run:", RAN, "total", sum(RAN.values()))
