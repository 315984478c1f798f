"""Browser tests: the real app served on loopback, driven by Debian's Chromium through Playwright.

One server for the whole e2e package (werkzeug in a thread) on a fresh SQLite file migrated by Alembic and
filled with the demo township 斜沟乡 plus two cases and a petition the journeys work on. Every page a journey
reaches is audited (see `Actor.audit`): no sideways scrolling, 44 px touch targets on the phone, labelled inputs,
headings in order, errors announced, nothing fetched from outside 127.0.0.1, and a full transfer under 150 KB,
measured through the browser's resource timing and written to test-output/e2e/page-weights.json. What the audits
find does not stop a journey: the test fails at its end listing every page found wrong. A failing step, or an
audited page found wrong, leaves a screenshot in test-output/e2e/.
"""

import json
import os
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from casetrack import clock, create_app
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import PetitionCategory, User
from casetrack.services import demo, disputes, petitions, places

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "e2e"
PASSWORD = "e2e-pass-2026"
BUDGET = 150 * 1024
"""Full transfer allowed per page (HTML, CSS, JS, fonts, images): 150 KB."""
TOUCH = 44
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
VALID_ID = "11010519491231002X"  # GB 11643's example: the check digit is right
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests, saying why, where Chromium cannot be had."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


# --- the app, served for real -------------------------------------------------------------------------------------

@dataclass
class Site:
    """The served app and what the journeys need to know about its world."""

    url: str
    year: int
    to_accept: str
    """Number of a registered 斜沟村 case with no mediator: staff accept and assign it."""
    to_escalate: str
    """Number of a registered 王家庄村 case handled at village level: staff escalate it."""
    weights: list[dict] = field(default_factory=list)
    cold_sizes: dict[str, int] = field(default_factory=dict)
    """Full transfer size of each static file, from its first whole download."""


def _fill_world() -> dict:
    """The demo township, two cases registered today for staff, one petition registered a few days ago."""
    made = demo.create_demo(PASSWORD)
    township = made.township
    villages = township.villages
    types = {t.name: t for t in places.dispute_types(township.id)}
    staff = db.session.execute(db.select(User).filter_by(username="staff")).scalar_one()
    today = clock.today()
    numbers = []
    for village, dtype, (a, a_gender), b, summary in [
        (villages[0], "邻里", ("韩立新", wf.Gender.MALE), "韩立军", "韩立新与堂弟韩立军因院墙排水沟走向发生争执,要求调解。"),
        (villages[1], "山林土地", ("郑秋菊", wf.Gender.FEMALE), "郑秋生",
         "郑秋菊与郑秋生因承包地地界争议多次冲突,涉及三户,村调委会难以化解。"),
    ]:
        dispute = disputes.register_dispute(staff, disputes.DisputeIntake(
            village_id=village.id, dispute_type_id=types[dtype].id, source=wf.Source.APPLICATION,
            registered_on=today, summary=summary, parties=[
                disputes.PartyData(wf.PartySide.APPLICANT, a, a_gender, phone="13912345678"),
                disputes.PartyData(wf.PartySide.RESPONDENT, b, wf.Gender.MALE),
            ],
        ), today)
        numbers.append(dispute.number)
    category = db.session.execute(
        db.select(PetitionCategory).filter_by(township_id=township.id, name="村务管理")
    ).scalar_one()
    petitions.register_petition(staff, township, petitions.PetitionIntake(
        received_on=max(today - timedelta(days=3), date(today.year, 1, 1)), channel=pw.Channel.LETTER,
        category_id=category.id, request="反映村集体机动地承包费去向不明,要求公开。", village_id=villages[2].id,
        petitioners=[petitions.PetitionerData("杨桂芳", VALID_ID, "13712345678", "李家湾村")],
    ), today)
    db.session.commit()
    return {"to_accept": numbers[0], "to_escalate": numbers[1], "year": today.year}


@pytest.fixture(scope="package")
def site(tmp_path_factory):
    """Serve the real app on 127.0.0.1 (a werkzeug server in a thread) on a fresh, migrated SQLite file."""
    root = tmp_path_factory.mktemp("e2e")
    shutil.rmtree(OUTPUT, ignore_errors=True)  # this run's screenshots and weights only
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'casetrack.sqlite'}",
        "SECRET_KEY": "e2e-secret",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # cheap hashing for the demo's accounts; logins unchanged
        "SESSION_COOKIE_SECURE": False,
    })
    app.instance_path = str(root / "instance")
    with app.app_context():
        upgrade()
        world = _fill_world()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    served = Site(url=f"http://127.0.0.1:{server.server_port}", **world)
    served.app = app  # read by tests that check pages against the database (test_english_phone.py)
    yield served
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()
    _write_weights(served.weights)


def _write_weights(weights: list[dict]) -> None:
    if not weights:
        return
    OUTPUT.mkdir(parents=True, exist_ok=True)
    by_page: dict[str, int] = {}
    for w in weights:
        by_page[w["page"]] = max(by_page.get(w["page"], 0), w["total_bytes"])
    (OUTPUT / "page-weights.json").write_text(json.dumps({
        "budget_bytes": BUDGET,
        "how": "the navigation's and its resources' transferSize (headers + body) from the browser's resource "
               "timing; a file revalidated from the cache (304) counts at the size of its full download: "
               "each figure is the page's transfer with an empty cache",
        "heaviest_by_page": dict(sorted(by_page.items(), key=lambda kv: -kv[1])),
        "visits": weights,
    }, ensure_ascii=False, indent=2))


# --- the browser --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


LAYOUT_CHECKS = r"""
({width, touch}) => {
  const problems = [];
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none';
  };
  const describe = (el) => {
    const text = (el.getAttribute('aria-label') || el.textContent || el.name || el.value || '').trim().replace(/\s+/g, ' ');
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> "${text.slice(0, 30)}"`;
  };
  // A phone zooms out to fit a page wider than its screen, so compare with the screen's width, not innerWidth.
  const root = document.documentElement;
  if (root.scrollWidth > width || window.innerWidth > width) {
    const inScroller = (el) => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') return true;
      }
      return false;
    };
    const wide = [...document.querySelectorAll('body *')].filter(el => visible(el) && !inScroller(el)
      && el.getBoundingClientRect().right > width + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1));
    problems.push(`scrolls sideways: ${root.scrollWidth}px of content on a ${width}px screen (${wide.slice(0, 3).map(describe).join(', ')})`);
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const byFor = el.id && [...document.querySelectorAll('label[for]')].some(l => l.htmlFor === el.id && l.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim()
      || (el.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => id && document.getElementById(id));
    const wrapped = el.closest('label') && el.closest('label').textContent.trim();
    if (!(byFor || byAria || wrapped)) problems.push(`no label: ${describe(el)}`);
  }
  let previous = 0;
  for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const level = Number(h.tagName[1]);
    if (previous === 0 && level !== 1) problems.push(`the first heading is ${describe(h)}, not an h1`);
    else if (level > previous + 1) problems.push(`heading level skipped: h${previous} then ${describe(h)}`);
    previous = level;
  }
  if (previous === 0) problems.push('no heading on the page');
  const describedBy = new Set([...document.querySelectorAll('[aria-describedby]')]
    .flatMap(el => el.getAttribute('aria-describedby').split(/\s+/)));
  for (const el of document.querySelectorAll('.error, .form-errors')) {
    if (!visible(el)) continue;
    const alert = el.closest('[role=alert], [aria-live=assertive], [aria-live=polite]');
    if (!alert && !(el.id && describedBy.has(el.id))) problems.push(`error not announced: ${describe(el)}`);
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    if (!ids.some(id => document.getElementById(id))) problems.push(`invalid field without its error: ${describe(el)}`);
  }
  if (touch) {
    for (const el of document.querySelectorAll('main a[href], main button, main summary, main [role=button], .bottombar a')) {
      if (!visible(el) || el.closest('[hidden], [aria-hidden=true]')) continue;  // out of sight and reach
      const box = el.getBoundingClientRect();
      if (box.height < touch - 0.5 || box.width < touch - 0.5) {
        problems.push(`touch target ${Math.round(box.width)}×${Math.round(box.height)}px: ${describe(el)}`);
      }
    }
  }
  return problems;
}
"""

WEIGHT = r"""
() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.map(e => ({
    url: e.name, kind: e.entryType === 'navigation' ? 'document' : e.initiatorType,
    transfer: e.transferSize || 0, body: e.encodedBodySize || 0,
  }));
}
"""


def _collapse(problems: list[str]) -> list[str]:
    """Say a problem repeated on many like elements once, with how many and an example or two."""
    groups: dict[str, list[str]] = {}
    for problem in problems:
        groups.setdefault(re.sub(r' "[^"]*"$', "", problem), []).append(problem)
    return [found[0] if len(found) == 1 else f"{len(found)} times, e.g. {found[0]}; {found[1]}"
            for found in groups.values()]


class Actor:
    """One person in their own browser context (phone or desktop): navigates, audits each page it reaches."""

    def __init__(self, crew: "Crew", name: str, device: str, scripts: bool = True):
        self.crew, self.name, self.device = crew, name, device
        self.phone = device == "phone"
        options = PHONE if self.phone else DESKTOP
        self.context = crew.browser.new_context(
            **options, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=crew.site.url, accept_downloads=True,
            java_script_enabled=scripts,
        )
        self.context.set_default_timeout(15_000)
        self.outside: list[str] = []
        self.context.on("request", self._watch_request)
        self.page = self.context.new_page()
        self.responses = []
        self.page.on("response", lambda response: self.responses.append(response))
        self.step_name = "start"
        self.screenshot_taken = False
        self.keyboard_only = False
        """Only Tab, Enter, Space and the arrow keys: no pointer at all."""

    def _watch_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.outside.append(request.url)

    # navigation -------------------------------------------------------------------------------------------------
    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
        self.audit()

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/auth/login")
        self.fill(self.page.locator("#username"), username)
        self.fill(self.page.locator("#password"), password)
        self.press(self.page.locator("main button.primary"))
        assert "/auth/login" not in self.page.url, f"{username} could not log in"

    @contextmanager
    def step(self, name: str):
        """Name what is being done; a failure inside leaves a screenshot of the page under test-output/e2e/."""
        self.step_name = name
        try:
            yield self.page
        except BaseException:
            self.crew.screenshot(self, name)
            raise

    def picture(self, name: str, **options) -> Path:
        """Save a screenshot for people to look at: test-output/e2e/screens/<name>.png, and docs/images/<name>.png
        when E2E_DOC_IMAGES=1. The phone's fixed bottom bar is drawn where it ends up, below the page."""
        target = OUTPUT / "screens" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), scale="css", style=".bottombar { position: static; }", **options)
        if os.environ.get("E2E_DOC_IMAGES") == "1":
            shutil.copyfile(target, ROOT / "docs" / "images" / f"{name}.png")
        return target

    # the audit --------------------------------------------------------------------------------------------------
    def audit(self) -> dict:
        """Check the page just reached for layout and accessibility problems and measure its weight."""
        page = self.page
        page.wait_for_load_state("load")
        problems = _collapse(page.evaluate(LAYOUT_CHECKS, {
            "width": page.viewport_size["width"], "touch": TOUCH if self.phone else 0,
        }))
        weight = self._weigh()
        path = urlsplit(page.url).path
        self.crew.site.weights.append({
            "journey": self.crew.test_name, "who": f"{self.name} ({self.device})", "step": self.step_name,
            "page": re.sub(r"/\d+", "/<id>", path), "url": page.url.removeprefix(self.crew.site.url), **weight,
        })
        problems += [f"fetched from outside 127.0.0.1: {url}" for url in self.outside]
        self.outside.clear()
        if weight["total_bytes"] > BUDGET:
            problems.append(f"weighs {weight['total_bytes']} bytes in full transfer, over the {BUDGET}-byte "
                            f"budget: {weight['parts']}")
        if problems:  # noted, not raised: the journey goes on and the test fails at its end with every problem
            shot = self.crew.screenshot(self, f"{self.step_name}-audit")
            self.crew.problems.append(f"{self.name} ({self.device}), step “{self.step_name}”, {path}"
                                      f"{f' [{shot.name}]' if shot else ''}:\n    " + "\n    ".join(problems))
        return weight

    def _weigh(self) -> dict:
        """The page's full transfer as on a first visit with an empty cache.

        Resource timing gives each entry's transferSize (headers and body as they came over the wire) and
        encodedBodySize. A stylesheet already in the cache comes back as a 304 with only its headers, so for
        those the size of the full response is taken from an earlier visit, or fetched once to find it.
        """
        entries = self.page.evaluate(WEIGHT)
        parts, source, cold = {}, "resource timing", self.crew.site.cold_sizes
        if entries and any(e["transfer"] or e["body"] for e in entries):
            for e in entries:
                key = "(document)" if e["kind"] == "document" else urlsplit(e["url"]).path
                if e["body"]:  # came whole, over the wire (transfer > body) or from the disk cache (transfer 0)
                    size = max(e["transfer"], e["body"])
                    cold[e["url"]] = max(cold.get(e["url"], 0), size)
                else:  # revalidated (304) or empty
                    size = cold.get(e["url"]) or self._fetch_size(e["url"]) or e["transfer"]
                parts[key] = parts.get(key, 0) + size
        else:  # no resource timing: count the bodies of the responses since the last audit
            source = "response bodies"
            for response in self.responses:
                try:
                    parts[urlsplit(response.url).path] = len(response.body())
                except Exception:  # a redirect has no body
                    continue
        self.responses.clear()
        return {"total_bytes": sum(parts.values()), "measured_by": source, "parts": parts}

    def _fetch_size(self, url: str) -> int:
        response = self.context.request.get(url)
        size = len(response.body()) + sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        self.crew.site.cold_sizes[url] = size
        return size

    # hands: touch (or mouse on the desktop), or the keyboard alone ----------------------------------------------------
    def fill(self, locator, text: str) -> None:
        if self.keyboard_only:
            self.focus(locator)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.press("Backspace")
            self.page.keyboard.type(text)
        else:
            self._point(locator)
            locator.fill(text)
        assert locator.input_value() == text

    def choose(self, locator, label: str) -> None:
        """Pick an option by its words; by keyboard, with the arrow keys on the focused select."""
        if not self.keyboard_only:
            locator.select_option(label=label)
        else:
            self.focus(locator)
            labels = locator.evaluate("s => [...s.options].map(o => o.label.trim())")
            assert label in labels, f"{label!r} is not among {labels}"
            for _ in range(len(labels) + 1):
                chosen = locator.evaluate("s => s.selectedIndex")
                if chosen == labels.index(label):
                    break
                self.page.keyboard.press("ArrowDown" if chosen < labels.index(label) else "ArrowUp")
        chosen = locator.evaluate("s => [...s.selectedOptions].map(o => o.label.trim())")
        assert chosen == [label], f"chose {chosen}, wanted {label!r}"

    def press(self, locator) -> None:
        """Follow a link or press a submit button, and audit the page it leads to.

        By keyboard: Enter follows a link, Space presses a button (as a keyboard user does both).
        """
        with self.page.expect_navigation():
            if self.keyboard_only:
                self.focus(locator)
                is_button = locator.evaluate("el => el.tagName === 'BUTTON'")
                self.page.keyboard.press("Space" if is_button else "Enter")
            else:
                self._point(locator)
        self.audit()

    def _point(self, locator) -> None:
        if self.phone:
            locator.tap()
        else:
            locator.click()

    def focus(self, locator, limit: int = 200) -> None:
        """Press Tab until the element has the focus, and check the focus can be seen."""
        target = locator.element_handle()
        for _ in range(limit):
            if self.page.evaluate("el => document.activeElement === el", target):
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"{limit} presses of Tab never reached {locator}")
        ring = target.evaluate("""el => { const s = getComputedStyle(el);
            return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'; }""")
        assert ring, f"the focus on {locator} cannot be seen (no outline or shadow)"


class Crew:
    """The actors of one test; closes their contexts and screenshots their pages when the test fails."""

    def __init__(self, browser, site: Site, test_name: str):
        self.browser, self.site, self.test_name = browser, site, test_name
        self.actors: list[Actor] = []
        self.problems: list[str] = []
        """What the audits found on the pages reached; the test fails at its end if there is any."""

    def actor(self, name: str, device: str, scripts: bool = True) -> Actor:
        """A person on a phone or a desktop; scripts=False is a browser with JavaScript off (the pages work without)."""
        made = Actor(self, name, device, scripts)
        self.actors.append(made)
        return made

    def screenshot(self, actor: Actor, step: str) -> Path | None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "-", f"{self.test_name}--{actor.name}--{step}").strip("-")
        target = OUTPUT / f"{safe}.png"
        try:
            actor.page.screenshot(path=str(target), full_page=True, scale="css")
        except Exception:  # the page may be gone; the failure itself is what matters
            return None
        actor.screenshot_taken = True
        return target

    def close(self) -> None:
        for actor in self.actors:
            actor.context.close()


@pytest.fixture
def crew(browser, site, request):
    made = Crew(browser, site, request.node.name)
    request.node.e2e_crew = made
    yield made
    made.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a journey that went through but reached pages the audits found wrong, listing them all."""
    result = yield
    made = getattr(item, "e2e_crew", None)
    if made is not None and made.problems:
        raise AssertionError(f"{len(made.problems)} page(s) failed the layout, weight or origin checks:\n  "
                             + "\n  ".join(made.problems))
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure outside a named step, still save a screenshot of every actor's page."""
    outcome = yield
    report = outcome.get_result()
    made = getattr(item, "e2e_crew", None)
    if made is None or report.when != "call" or not report.failed:
        return
    for actor in made.actors:
        if not actor.screenshot_taken:
            made.screenshot(actor, actor.step_name)
