"""The English interface: the catalogue covers every message in the code, compiles, and the pages use it.

Message ids are the Chinese texts (docs/README.md), so Chinese needs no catalogue and English is
casetrack/translations/en. The rendering tests compile that .po into a temporary directory and point the
app at it, so they test the catalogue as it stands, whether or not `make translations` has run.
The domain (which must not import Flask) keeps its labels and refusals Chinese; the catalogue holds them
(casetrack/i18n_extract.py) and the web layer translates them where it shows them.
"""

import os
import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_babel import get_babel, get_domain, refresh

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import User
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "casetrack" / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # as `make translations-update` passes
KEPT_CHINESE = {"调字", "人民调解委员会"}
"""Parts of a default value shown as an example; the stored default is Chinese, so the example stays so."""

CJK = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue() -> Catalog:
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


def _extract() -> Catalog:
    """Extract the messages of the current tree with babel.cfg, as `make translations-update` does."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = Catalog()

    def keep(path: str) -> bool:  # like --ignore-dirs='.* __pycache__': templates/_macros is included
        name = os.path.basename(path)
        return not name.startswith(".") and name != "__pycache__"

    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=keep,
    ):
        found.add(message, None, [(filename, lineno)], context=context)
    return found


def _text(response) -> str:
    """The page's visible text: tags dropped, entities decoded, whitespace squeezed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _headings(response) -> list[str]:
    """The text of the page's h1 and h2 headings."""
    html = response.get_data(as_text=True)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", h))).strip()
            for h in re.findall(r"<h[12]\b[^>]*>(.*?)</h[12]>", html, flags=re.S)]


def _h1(response) -> str:
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", response.get_data(as_text=True), flags=re.S)
    assert match, "the page has no h1"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def _choose(client, locale: str, back: str = "/auth/login"):
    response = client.post("/auth/language", data={"locale": locale, "next": back})
    assert response.status_code == 302
    return response


# --- the catalogue ---------------------------------------------------------------------------------------

def test_every_message_in_the_code_is_translated():
    """A new _('...') in a template or in Python fails here until `make translations-update` and a translation."""
    catalogue = _catalogue()
    extracted = _extract()
    assert len(extracted) > 400  # the extraction really ran over templates and code
    missing, empty = [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalogue.get(message.id, message.context)
        where = f"{message.locations[0][0]}:{message.locations[0][1]}"
        if entry is None:
            missing.append(f"{message.id!r} ({where})")
        elif not entry.string or "fuzzy" in entry.flags:
            empty.append(f"{message.id!r} ({where})")
    assert not missing, "not in messages.po, run `make translations-update`: " + "; ".join(missing)
    assert not empty, "untranslated or fuzzy in messages.po: " + "; ".join(empty)


def test_the_macros_directory_is_extracted_too():
    """pybabel skips directories starting with "_" unless told otherwise; the macros' texts must be found."""
    ids = {m.id for m in _extract()}
    assert "请修改标出的内容后再提交。" in ids  # templates/_macros/forms.html
    assert "今天到期" in ids  # templates/_macros/limits.html


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = _catalogue()
    assert str(catalogue.locale) == "en"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"{message.id!r}: empty or fuzzy")
            continue
        if message.id not in KEPT_CHINESE and any(CJK.search(s) and not re.search("[A-Za-z]", s) for s in strings):
            problems.append(f"{message.id!r}: still Chinese")
        if {p for i in ids for p in PLACEHOLDER.findall(i)} != {p for s in strings for p in PLACEHOLDER.findall(s)}:
            problems.append(f"{message.id!r}: placeholders differ in {strings!r}")
    assert not problems, "\n".join(problems)
    assert not list(catalogue.obsolete), "obsolete entries: run `make translations-update`"


def test_the_catalogue_compiles(tmp_path):
    catalogue = _catalogue()
    assert not [(m.id, errors) for m, errors in catalogue.check()]
    target = tmp_path / "messages.mo"
    with target.open("wb") as f:
        write_mo(f, catalogue)
    with target.open("rb") as f:
        compiled = Translations(f)
    assert compiled.gettext("登录") == "Sign in"
    assert compiled.gettext("已登记 %(number)s。") % {"number": "X"} == "Registered X."
    translated = [m for m in catalogue if m.id]
    assert all((compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)) == m.string
               for m in translated if isinstance(m.id, str))


def test_the_app_reads_this_catalogue(app):
    assert [Path(d) for d in get_babel().translation_directories] == [TRANSLATIONS]


# --- the pages -------------------------------------------------------------------------------------------

@pytest.fixture
def locale_per_request(app):
    """Choose the locale afresh for every request, as in production.

    The app fixture keeps one app context for the whole test, so flask.g, where Flask-Babel keeps the
    locale it chose, would outlive a request here; in production every request has its own.
    """
    app.before_request(refresh)

@pytest.fixture
def english(app, tmp_path, locale_per_request):
    """Point the app at the current .po compiled into tmp_path (not at a .mo that may be stale or missing)."""
    target = tmp_path / "translations" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, _catalogue())
    babel_config = get_babel()
    saved = babel_config.translation_directories
    babel_config.translation_directories = [str(tmp_path / "translations")]
    get_domain().cache.clear()  # Flask-Babel caches loaded catalogues per locale across apps
    yield
    babel_config.translation_directories = saved
    get_domain().cache.clear()


def test_the_default_is_chinese(client, locale_per_request):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert _h1(page) == "登录"
    assert 'lang="zh-CN"' in page.get_data(as_text=True)
    assert ">English</button>" in page.get_data(as_text=True)


def test_the_login_page_and_its_errors_in_english(client, english):
    _choose(client, "en")
    page = client.get("/auth/login")
    assert page.status_code == 200
    text = _text(page)
    assert _h1(page) == "Sign in"
    assert 'lang="en"' in page.get_data(as_text=True)
    for words in ("Username", "Password", "Dispute Mediation", "Skip to content"):
        assert words in text
    assert "登录" not in text
    assert ">中文</button>" in page.get_data(as_text=True)  # the way back is labelled in Chinese

    refused = client.post("/auth/login", data={"username": "", "password": ""})
    text = _text(refused)
    assert "Please correct the marked fields and submit again." in text
    assert "This field is required" in text
    assert "此项为必填项" not in text


def _register_a_case(client, world) -> str:
    from casetrack.services.places import dispute_types

    response = client.post("/cases/new", data={
        "village_id": world.village.id, "natural_village_id": "",
        "dispute_type_id": dispute_types(world.township.id)[0].id,
        "source": "application", "channel": "peoples", "registered_on": clock.today().isoformat(),
        "applicants-0-name": "张三", "applicants-0-gender": "male", "applicants-0-id_number": "",
        "applicants-0-phone": "13812345678", "applicants-0-address": "",
        "respondents-0-name": "李四", "people_involved": "2", "summary": "院墙占道", "risk_level": "general",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_the_working_pages_in_english(client, world, english):
    login(client, "staff")
    _choose(client, "en", back="/")
    case_url = _register_a_case(client, world)

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    text = _text(dashboard)
    assert _h1(dashboard).startswith("Dashboard")
    for words in ("Case queue", "Register dispute", "Petitions", "Screening", "Due today and this week",
                  "This month", "Disputes resolved", "Sign out"):
        assert words in text, words
    assert "工作台" not in text and "今天和本周要办" not in text

    queue = client.get("/queue")
    assert queue.status_code == 200
    text = _text(queue)
    assert _h1(queue).startswith("Case queue")
    for words in ("Filter", "Search", "Disputes and petitions", "Risk level", "Handling level", "Registered on",
                  "Save this view", "Export CSV", "Time limit"):
        assert words in text, words
    assert "案件队列" not in text and "筛选" not in text

    case = client.get(case_url)
    assert case.status_code == 200
    text = _text(case)
    for words in ("Details", "Dispute type", "Case source", "Handling level", "Parties", "Case summary",
                  "Edit details", "History"):
        assert words in text, words
    assert 'aria-label="Available actions"' in case.get_data(as_text=True)
    for heading in _headings(case)[1:]:  # the h1 is the case number, e.g. 斜调字第1号
        assert not CJK.search(heading), heading

    refused = client.post("/cases/new", data={"village_id": world.village.id})
    assert refused.status_code in (200, 400)
    text = _text(refused)
    assert _h1(refused) == "Register dispute"
    assert "Please correct the marked fields and submit again." in text
    assert "This field is required" in text
    assert "此项为必填项" not in text


def test_the_domain_labels_in_english_and_the_files_stay_chinese(client, world, english):
    """States, sources and roles come from the domain's enums: the English interface shows them in English,
    while what leaves as a document (the ledger) keeps the Chinese words the format defines."""
    login(client, "staff")
    _choose(client, "en", back="/")
    _register_a_case(client, world)
    cases = _text(client.get("/cases"))
    assert "Registered" in cases and "已登记" not in cases
    intake = client.get("/cases/new").get_data(as_text=True)
    assert ">Party application</option>" in intake and ">Written</option>" not in intake
    assert ">People&#39;s mediation</option>" in intake or ">People's mediation</option>" in intake
    assert "Township staff" in _text(client.get("/"))  # the role beside the user's name
    ledger = client.get("/ledger/export", query_string={"year": clock.today().year, "format": "dispute"})
    assert ledger.status_code == 200
    assert "已登记" in ledger.get_data(as_text=True) and "Registered" not in ledger.get_data(as_text=True)


def test_switching_back_gives_chinese(client, world, english):
    login(client, "staff")
    _choose(client, "en", back="/")
    assert _h1(client.get("/")).startswith("Dashboard")
    _choose(client, "zh_Hans_CN", back="/")
    page = client.get("/")
    assert _h1(page).startswith("工作台")
    assert "今天和本周要办" in _text(page)
    assert 'lang="zh-CN"' in page.get_data(as_text=True)
    queue = client.get("/queue")
    assert _h1(queue).startswith("案件队列")


def test_an_unknown_locale_is_ignored(client, english):
    _choose(client, "fr")
    assert _h1(client.get("/auth/login")) == "登录"


# --- the domain's refusals ---------------------------------------------------------------------------------
# A DomainError carries a Chinese template and its parameters; casetrack/i18n.py looks the template up
# in the catalogue and translates the labels among the parameters (a state, the name of a date).

def test_every_domain_refusal_is_a_constant_template_in_the_catalogue():
    """An f-string message could not be looked up: each DomainError-family call passes a constant template."""
    import ast

    from casetrack.i18n_extract import domain_error_names

    names = domain_error_names()
    assert {"DomainError", "InvalidTransition", "EditConflict", "WindowClosed", "AccountLocked"} <= names
    catalogue, built, calls = _catalogue(), [], 0
    for path in sorted((ROOT / "casetrack").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if callee not in names:
                continue
            calls += 1
            template = node.args[0]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
                if callee != "UnknownCalendarYear":  # UnknownCalendarYear(year) builds its own template
                    built.append(where)
            elif not (entry := catalogue.get(template.value)) or not entry.string:
                built.append(f"{where}: not translated")
    assert calls > 150
    assert not built, "write DomainError(\"…%(name)s…\", name=value), then `make translations-update`: " + "; ".join(built)


def _refused_text(response) -> str:
    assert response.status_code == 409, response.get_data(as_text=True)
    return _text(response)


def test_an_invalid_transition_is_refused_in_english_and_in_chinese(client, world, english):
    from tests.factories import make_dispute

    case = make_dispute(world.staff, world.village)
    login(client, "staff")
    body = {"archived_on": clock.today().isoformat(), "version": str(case.version)}

    _choose(client, "en", back="/")
    text = _refused_text(client.post(f"/cases/{case.id}/archive", data=body))
    assert 'The case is "Registered"; "Archive" is not possible now.' in text
    assert "当前状态为" not in text and "已登记" not in text

    _choose(client, "zh_Hans_CN", back="/")
    assert "当前状态为“已登记”,不能“归档”。" in _refused_text(client.post(f"/cases/{case.id}/archive", data=body))


def test_a_petition_step_the_workflow_refuses_gives_its_reason_in_english(client, world, english):
    from datetime import timedelta

    from tests.petition_factories import make_petition

    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(5))
    login(client, "staff")
    _choose(client, "en", back="/")
    response = client.post(f"/petitions/{petition.id}/answer", data={
        "version": str(petition.version), "opinion": "support", "opinion_text": "支持",
        "answered_on": clock.today().isoformat()})
    text = _refused_text(response)
    assert 'The case is "Registered": it has not been accepted, so no handling opinion can be issued.' in text
    assert "尚未受理" not in text


def test_a_date_before_an_earlier_step_is_refused_in_english_with_the_dates_name(client, world, english):
    """The service names the date (开始办理日期) and the limit; both the sentence and the name are translated."""
    from datetime import timedelta

    from tests.petition_factories import make_petition

    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(10))
    too_early = petition.decided_on - timedelta(days=1)
    assert too_early >= petition.received_on  # past the form's own check, so the service refuses it
    body = {"version": str(petition.version), "started_on": too_early.isoformat()}
    login(client, "staff")

    _choose(client, "en", back="/")
    text = _refused_text(client.post(f"/petitions/{petition.id}/start", data=body))
    assert f"Handling started on: the date cannot be earlier than {petition.decided_on.isoformat()}." in text
    assert "不能早于" not in text

    _choose(client, "zh_Hans_CN", back="/")
    text = _refused_text(client.post(f"/petitions/{petition.id}/start", data=body))
    assert f"开始办理日期不能早于{petition.decided_on.isoformat()}。" in text


def test_a_save_from_a_stale_page_is_refused_in_english(app, client, world, english):
    from tests.factories import make_dispute

    case = make_dispute(world.staff, world.village)
    login(client, "staff")
    _choose(client, "en", back="/")
    stale = {"accepted_on": clock.today().isoformat(), "version": str(case.version - 1)}
    text = _refused_text(client.post(f"/cases/{case.id}/accept", data=stale))
    assert "Someone else changed this case, so your changes were not saved." in text
    assert "已被他人修改" not in text


def test_domain_message_translates_the_template_and_the_labels_but_not_names(app, english):
    from flask_babel import force_locale

    from casetrack.domain.errors import DomainError
    from casetrack.i18n import domain_message

    missing = DomainError("请填写%(fields)s。", fields=["责任单位", "责任人员"])
    taken = DomainError("%(township)s已有“%(name)s”。", township="斜沟乡", name="东村")
    with app.test_request_context(), force_locale("en"):
        assert domain_message(missing) == "Please fill in: Responsible unit, Responsible officer."
        assert domain_message(taken) == '斜沟乡 already has "东村".'
    with app.test_request_context():
        assert domain_message(missing) == str(missing) == "请填写责任单位、责任人员。"


def test_the_forms_own_date_id_and_password_checks_speak_english(client, world, english):
    """Messages beside a field built from the domain's words or a date are translated like the fixed ones."""
    from datetime import timedelta

    from tests.factories import intake_form, make_dispute

    case = make_dispute(world.staff, world.village)
    too_early = (case.registered_on - timedelta(days=1)).isoformat()
    login(client, "staff")
    _choose(client, "en", back="/")
    response = client.post(f"/cases/{case.id}/accept", data={"accepted_on": too_early, "version": str(case.version)})
    assert response.status_code == 400
    text = _text(response)
    assert f"Must be on or after {case.registered_on.isoformat()} (Registered on)" in text
    assert "不能早于" not in text

    response = client.post("/cases/new", data=intake_form(world.village, **{
        "applicants-0-id_number": "110105194912310021"}))
    assert response.status_code == 400
    text = _text(response)
    assert "The ID number's check digit is wrong; check the number" in text and "身份证号码" not in text

    client.post("/auth/logout")
    login(client, "admin")
    _choose(client, "en", back="/")
    response = client.post("/admin/users/new", data={
        "username": "mediator9", "full_name": "赵调解", "role": "mediator", "township_id": "",
        "village_id": str(world.village.id), "password": "abc123", "confirm": "abc123"})
    assert response.status_code == 400
    text = _text(response)
    assert "A password needs at least 10 characters" in text and "密码" not in text

    _choose(client, "zh_Hans_CN", back="/")
    response = client.post("/admin/users/new", data={
        "username": "mediator9", "full_name": "赵调解", "role": "mediator", "township_id": "",
        "village_id": str(world.village.id), "password": "abc123", "confirm": "abc123"})
    assert "密码至少10位" in _text(response)


# --- the ledger's (台账) problems ---------------------------------------------------------------------------
# A reason is a BadValue (casetrack/ledger/format.py) with a Chinese template and parameters; the LedgerError
# keeps message (the Chinese the CLI and the reports print) and the parts; the preview page translates them.

def test_every_ledger_reason_is_a_constant_template_in_the_catalogue():
    """An f-string reason could not be looked up: BadValue takes a template, LedgerError a constant message."""
    import ast

    from casetrack.i18n_extract import bad_value_names

    catalogue, built, calls = _catalogue(), [], 0
    for path in sorted((ROOT / "casetrack").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if callee in bad_value_names():
                given = node.args[0] if node.args else None
            elif callee == "LedgerError" and len(node.args) > 4:
                given = node.args[4]
            else:
                continue
            calls += 1
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                if not (entry := catalogue.get(given.value)) or not entry.string:
                    built.append(f"{where}: not translated")
            elif not (isinstance(given, ast.Name) and given.id == "template"  # format.py's unpickling
                      or isinstance(given, ast.Attribute) and given.attr == "unreadable"):  # reading.py's N_ texts
                built.append(where)
    assert calls > 50
    assert not built, "write BadValue(\"…%(name)s…\", name=value), then `make translations-update`: " + "; ".join(built)


def _problems(response) -> str:
    """The text of the preview page's table of errors."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True).split('id="errors"')[1].split(">", 1)[1].split("</table>")[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_ledger_problems_are_shown_in_english_and_stay_chinese_in_chinese(client, world, english, tmp_path):
    """Bad cells and an update the workflow refuses: English reasons, Chinese headers, values and file words."""
    import io
    from datetime import timedelta

    from tests.ledger.helpers import YEAR, dispute, ledger

    def upload(path):
        return client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), path.name)},
                           content_type="multipart/form-data")

    login(client, "staff")
    number = f"({YEAR})斜调字第5号"
    first = upload(ledger(tmp_path / "a.xlsx", [dispute(编号=number, 状态="已受理")]))
    token = first.get_data(as_text=True).split('name="token" value="')[1].split('"')[0]
    assert client.post("/ledger/apply", data={"token": token}).status_code == 302

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    bad = ledger(tmp_path / "b.xlsx", [
        dispute(编号=number, 状态="已登记"), dispute(登记日期=tomorrow), dispute(所属村="月亮村"),
        dispute(涉及人数="很多"), dispute(风险等级="天大"),
    ])
    _choose(client, "en", back="/")
    english_text = _problems(upload(bad))
    today = clock.today().isoformat()
    for reason in (
        'The case is now "Accepted" and cannot go back to "Registered"',
        f"The date cannot be later than today ({today})",
        "斜沟乡 has no such village (there are: 斜沟村, 王家庄村)",
        "Should be a whole number",
        "Should be one of 一般 / 较大 / 重大",  # the labels the cell must hold stay as the file needs them
    ):
        assert reason in english_text, (reason, english_text)
    assert "登记日期" in english_text and "所属村" in english_text and "月亮村" in english_text  # the file's words
    assert "不能" not in english_text and "应为" not in english_text and "没有这个" not in english_text

    _choose(client, "zh_Hans_CN", back="/")
    chinese_text = _problems(upload(bad))
    for reason in (
        "案件当前为“已受理”,不能改回“已登记”", f"日期不能晚于今天({today})",
        "斜沟乡没有这个行政村(现有:斜沟村、王家庄村)", "应为整数", "应为 一般 / 较大 / 重大 之一",
    ):
        assert reason in chinese_text, (reason, chinese_text)


def test_an_unreadable_ledger_is_refused_in_english(client, world, english):
    import io

    login(client, "staff")
    _choose(client, "en", back="/")
    response = client.post("/ledger/upload", data={"upload": (io.BytesIO(b""), "empty.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "The file is empty (0 bytes); choose a filled-in ledger file" in _text(response)


def test_ledger_message_translates_the_template_and_the_labels_but_not_the_files_words(app, english):
    from flask_babel import force_locale

    from casetrack.i18n import ledger_message
    from casetrack.ledger.format import BadValue, Label, LedgerError

    state = LedgerError.because("矛盾纠纷", 3, "状态", "已登记", BadValue(
        "案件当前为“%(current)s”,不能改回“%(wanted)s”", current=Label("已受理"), wanted=Label("已登记")))
    choice = LedgerError.because("矛盾纠纷", 4, "案件来源", "路边", BadValue(
        "应为 %(labels)s 之一", labels="当事人申请 / 人民调解"))
    plain = LedgerError("矛盾纠纷", None, "编号", None, "表头重复出现,请只保留一列")
    assert state.message == "案件当前为“已受理”,不能改回“已登记”" and str(state).endswith(state.message)
    with app.test_request_context(), force_locale("en"):
        assert ledger_message(state) == 'The case is now "Accepted" and cannot go back to "Registered"'
        assert ledger_message(choice) == "Should be one of 当事人申请 / 人民调解"
        assert ledger_message(plain) == "The header appears more than once; keep only one such column"
    with app.test_request_context():
        assert [ledger_message(e) for e in (state, choice, plain)] == [e.message for e in (state, choice, plain)]


def test_ledger_notices_and_the_import_summary_are_shown_in_english(client, world, english, tmp_path):
    """How the sheet was read (its header row, a column ignored, a footer skipped) and what was imported."""
    import io

    from tests.ledger.helpers import DISPUTE_HEADERS, dispute, table, write_xlsx

    rows = table([*DISPUTE_HEADERS, "备用"], [dispute()])
    path = write_xlsx(tmp_path / "台账.xlsx", {"矛盾纠纷": [*rows, ["合计", None, "1 件"]]})
    login(client, "staff")
    _choose(client, "en", back="/")
    preview = client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), path.name)},
                          content_type="multipart/form-data")
    assert preview.status_code == 200
    text = _text(preview)
    for notice in ('Sheet "矛盾纠纷": Disputes ledger, header in row 1.',
                   'Sheet "矛盾纠纷": unknown column "备用", ignored.',
                   'Sheet "矛盾纠纷", row 3 is a footer note and was skipped.'):
        assert notice in text, (notice, text)
    assert "工作表" not in text and "已跳过" not in text

    token = preview.get_data(as_text=True).split('name="token" value="')[1].split('"')[0]
    done = client.post("/ledger/apply", data={"token": token}, follow_redirects=True)
    assert "Disputes: 1 new, 0 updated, 0 unchanged" in _text(done)
    assert "新建" not in _text(done)


def test_the_language_chosen_is_kept_on_the_account_for_the_next_sign_in(app, client, world, english):
    login(client, "staff")
    _choose(client, "en", back="/")
    db.session.expire_all()
    assert db.session.get(User, world.staff.id).locale == "en"
    elsewhere = app.test_client()  # another device: no choice made there
    login(elsewhere, "staff")
    assert _h1(elsewhere.get("/")).startswith("Dashboard")
    stranger = app.test_client()
    login(stranger, "leader")  # nobody else's language changes
    assert _h1(stranger.get("/")).startswith("工作台")


def test_a_language_chosen_on_the_login_page_becomes_the_accounts(app, client, world, english):
    _choose(client, "en")
    login(client, "mediator1")
    db.session.expire_all()
    assert db.session.get(User, world.mediator.id).locale == "en"
    _choose(client, "zh_Hans_CN", back="/")
    db.session.expire_all()
    assert db.session.get(User, world.mediator.id).locale == "zh_Hans_CN"
