"""The review queue at /queue: tabs with counts, filters in the URL, keyset paging, saved views, bulk actions."""

import csv
import io
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from casetrack import clock, permissions
from casetrack.clock import now_utc
from casetrack.domain import identity
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.i18n import domain_message
from casetrack.models import Dispute, SavedView, Township
from casetrack.services import disputes as dispute_services
from casetrack.services import queue as q
from casetrack.services import statistics as stats
from casetrack.services import time_limits
from casetrack.spreadsheet_text import csv_text
from casetrack.web import listing
from casetrack.web.decorators import allowed_if
from casetrack.web.templating import (
    link,
    option_tags,
    render_gettext,
    translate_basis,
    with_query,
)

bp = Blueprint("queue", __name__, url_prefix="/queue")
FILTER_KEYS = ("tab", "kind", "village", "type", "status", "risk", "level", "mediator", "from", "to", "q", "sort",
               "figure", "period", "township")


def _int(name: str, source=None) -> int | None:
    value = (request.args if source is None else source).get(name, "")
    return int(value) if value.isdigit() and len(value) <= 9 else None  # an id; a longer one would overflow SQL


def _day(name: str, source=None) -> date | None:
    try:
        return date.fromisoformat((request.args if source is None else source).get(name, ""))
    except ValueError:
        return None


def _township(source=None) -> Township | None:
    township_id = current_user.township_id or _int("township", source)
    # The user's own township came with the account (the user loader): read from the session, no statement.
    return db.session.get(Township, township_id) if township_id else None


def read_filters(township: Township | None, source=None) -> q.Filters:
    """Read the filters from the URL (or the search form posted); unknown values are ignored, not errors."""
    args = request.args if source is None else source
    filters = q.Filters(
        tab=args.get("tab") if args.get("tab") in q.TABS else "all",
        kind=args.get("kind") if args.get("kind") in ("dispute", "petition") else "",
        village_id=_int("village", args), type_id=_int("type", args), status=args.get("status", "")[:24],
        risk=args.get("risk") if args.get("risk") in [r.value for r in wf.RiskLevel] else "",
        level=args.get("level") if args.get("level") in [lv.value for lv in wf.Level] else "",
        mediator_id=_int("mediator", args), registered_from=_day("from", args), registered_to=_day("to", args),
        text="" if source is not None or listing.refused_search() else listing.search_text(),  # no personal numbers
        sort=args.get("sort") if args.get("sort") in q.SORTS else "registered",
    )
    figure, period_key = args.get("figure"), args.get("period")
    if figure and period_key:
        try:
            period = Period.parse(period_key)
            scope = stats.Scope((township,)) if township else stats.Scope(
                tuple(db.session.execute(select(Township)).scalars()), all_townships=True)
            filters.figure = stats.figure_condition(figure, period, scope, clock.today())
        except DomainError as unknown:
            flash(domain_message(unknown), "info")
    return filters


def _current_args(**changes) -> dict:
    args = {k: v for k, v in request.args.items() if k in FILTER_KEYS and v}
    args.update({k: v for k, v in changes.items() if v is not None})
    return {k: v for k, v in args.items() if v != ""}


@bp.route("")
@login_required
def index():
    """Show the queue for the user's reach: a mediator their village, staff and leaders their township."""
    if listing.refused_search():  # drop it from the address, or every link on the page (tabs, pager, views) repeats it
        return redirect(url_for("queue.index", **_current_args(q="")))
    township = _township()
    today = clock.today()
    filters = read_filters(township)
    return _render(filters, today, township)


@bp.route("/search", methods=["POST"])
@login_required
def search():
    """Take the search form: a term of 4 to 11 digits may be a phone or its last digits, so the page is answered
    here and the term never goes into an address (nor so into access logs or history); anything else goes to
    /queue?q=… as before, so the address can be bookmarked. Staff, leaders and admins find a party or a
    petitioner by phone; a village mediator's digits match case numbers and texts only."""
    form = request.form
    term = (form.get("q") or "").strip()[:60]
    args = {key: form[key][:40] for key in FILTER_KEYS if key != "q" and form.get(key)}
    digits = identity.phone_digits(term)
    staff = permissions.can_search_phones(current_user)
    if digits is None or (not staff and identity.PERSONAL_NUMBER.search(term)):
        if identity.PERSONAL_NUMBER.search(term):  # an ID number, or a mediator's phone: not searched, not passed on
            flash(_("为保护个人信息,请勿在搜索中输入身份证号码或电话号码;请按姓名、编号或案情搜索。"), "info")
            term = ""
        return redirect(url_for("queue.index", **args, **({"q": term} if term else {})))
    township = _township(form)
    filters = read_filters(township, form)
    filters.text, filters.phone = digits, digits if staff else ""
    return _render(filters, clock.today(), township, args=args)


def _render(filters: q.Filters, today: date, township: Township | None, args: dict | None = None) -> str:
    """Render the page afresh: one keyset statement for the rows, two tally reads for the tab counts.

    `args` are the filters a page answered to a posted number search links with: never the number itself."""
    private = args is not None
    args = _current_args() if args is None else args
    user = current_user._get_current_object()
    read_at = now_utc()  # before reading: a case changed after this is skipped by the bulk form (see _skip_reason)
    result = q.page(user, filters, today, township, after=request.args.get("after"),
                    before=request.args.get("before"), last=request.args.get("page") == "last")
    counts = q.tab_counts(user, filters, today, township)
    choices = q.choices(user, township)
    words = get_translations().ugettext  # the page's catalogue, looked up once: gettext without variables
    may_bulk = permissions.can_act_in_bulk(user)
    base = link("queue.index")
    return render_template(
        "queue/index.html", page=result, rows_html=_rows_html(result.rows, today, may_bulk, words), filters=filters,
        counts=counts, tabs={key: words(TAB_TITLES[key]) for key in q.TABS}, views=choices.views,
        options=_options(filters, choices, words), args=args, private_search=private,
        may_search_phones=permissions.can_search_phones(user),
        back=with_query(base, args) if private else request.full_path,
        total=counts[filters.tab], may_bulk=may_bulk,
        url_with=lambda **c: with_query(base, {k: v for k, v in {**args, **c}.items() if v}),
        with_query=with_query, read_at=read_at.isoformat(), gettext=render_gettext(words),
    )


def _options(filters: q.Filters, choices: q.Choices, _=_) -> dict:
    """The filter form's and the bulk form's choices as <option> tags, the filters' values selected (`_`: the
    page's gettext)."""
    mediators = [(m.id, m.name) for m in choices.mediators]
    return {
        "village": option_tags(((v.id, v.name) for v in choices.villages), filters.village_id),
        "type": option_tags(((t.id, t.name) for t in choices.types), filters.type_id),
        "status": [(group, option_tags(((value, _(label)) for value, label in states), filters.status))
                   for group, states in _status_groups(_)],
        "risk": option_tags(((r.value, _(r.label)) for r in wf.RiskLevel), filters.risk),
        "level": option_tags(((lv.value, _(lv.label)) for lv in wf.Level), filters.level),
        "mediator": option_tags(mediators, filters.mediator_id),
        "bulk_mediator": option_tags(mediators, None),
        "sort": option_tags(((key, _(title)) for key, title in SORT_TITLES.items()), filters.sort),
    }


TAB_TITLES = {key: N_(title) for key, title in q.TABS.items()}
"""The queue's tabs by name, in the catalogue (N_ marks each for extraction; the page translates them)."""
TAB_TITLES.update(pending=N_("待受理"), mediating=N_("调解中"), due_soon=N_("即将到期"), overdue=N_("已超期"),
                  major=N_("重大"), follow_up=N_("待回访"), petitions=N_("信访办理中"), returned=N_("退回补正"),
                  all=N_("全部"))
SORT_TITLES = dict(q.SORTS)
SORT_TITLES.update(deadline=N_("按期限"), registered=N_("按登记日期"), activity=N_("按最近办理"))


def _status_groups(_=_) -> list[tuple[str, list[tuple[str, str]]]]:
    """The status filter's choices, each state once: a state disputes and petitions share (已登记, 已受理,
    不予受理) filters both and is listed once, in its own group."""
    petition_values = {s.value for s in pw.PetitionState}
    dispute_values = {s.value for s in wf.DisputeState}
    shared = [(s.value, s.label) for s in wf.DisputeState if s.value in petition_values]
    disputes = [(s.value, s.label) for s in wf.DisputeState if s.value not in petition_values]
    petitions = [(s.value, s.label) for s in pw.PetitionState if s.value not in dispute_values]
    return [(_("纠纷和信访"), shared), (_("矛盾纠纷"), disputes), (_("信访"), petitions)]


def _id_url(endpoint: str, key: str):
    """Return a function making endpoint's URL for an id: one url_for per page, not one per row."""
    marker = 2147483647
    before, _sep, after = url_for(endpoint, **{key: marker}).partition(str(marker))
    return lambda row_id: f"{before}{row_id}{after}"


MAJOR = wf.RiskLevel.MAJOR.value


def _text(value: str) -> str:
    """Escape a row's text as markupsafe.escape writes it, without making a Markup of each (five scans in C)."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
            .replace("'", "&#39;"))


def _rows_html(items: list[q.QueueItem], today: date, may_bulk: bool, _=_) -> Markup:
    """Write the page's disputes and petitions as the table's rows: links, badges, names and each one's binding
    time limit, every value escaped (`_`: the page's gettext)."""
    dispute_url, petition_url = _id_url("cases.detail", "case_id"), _id_url("petitions.detail", "petition_id")
    # Translated once per page; gettext without variables returns the pattern to fill in per row.
    overdue, due_today, left, soon = _("已超期%(n)s天"), _("今天到期"), _("剩%(n)s天"), _("即将到期")
    tentative = _("暂定")
    petition_word = _("信访")
    number_label, parties_label, village_label, category_label, state_label, limit_label, date_label = (
        escape(_(label)) for label in ("编号", "当事人", "所属村", "类别", "状态", "期限", "登记日期"))
    select = escape(_("选择"))
    major = f'<span class="badge major">{escape(_("重大"))}</span>'
    returned = f'<span class="badge serious">{escape(_("退回补正"))}</span>'
    words: dict[str, str] = {}  # the domain's labels (states, kinds of limit) in the interface's language

    def tr(label: str) -> str:
        if label not in words:
            words[label] = _(label) if label else ""  # as translate_label, from the page's catalogue
        return words[label]

    bases: dict[str, str] = {}  # a legal basis in the interface's language: most rows of a page share a few

    def basis(text: str) -> str:
        if text not in bases:
            bases[text] = translate_basis(text)
        return bases[text]

    lines = []
    for item, limit in zip(items, q.limits(items, today), strict=True):
        dispute = item.is_dispute
        shown = ""
        if limit is not None:
            days = limit.days_left
            when = overdue % {"n": -days} if days < 0 else due_today if days == 0 else left % {"n": days}
            estimated = f" {tentative}" if limit.deadline.estimated else ""
            text = f"{tr(limit.deadline.label)} {limit.deadline.due}{estimated} · {when}" + (
                f" · {soon}" if limit.status == "due_soon" else "")
            title = f"{tr(limit.deadline.rule_label)};{basis(limit.deadline.basis)}"
            shown = f'<span class="badge limit-{limit.status}" title="{_text(title)}">{_text(text)}</span>'
        number = _text(item.number)
        parties = _text("、".join(item.people))
        choice = ""
        if may_bulk:
            box = (f'<input type="checkbox" name="ids" value="{item.id}" aria-label="{select} {number}">'
                   if dispute else "")
            choice = f'<td data-label="{select}">{box}</td>\n    '
        href = dispute_url(item.id) if dispute else petition_url(item.id)
        category = _text(item.category if dispute else f"{petition_word}·{item.category}")
        state_class = ("state-" if dispute else "pstate-") + item.status
        # The row as queue/index.html showed it: written here, each value escaped, because fifty rows of a dozen
        # template expressions each were a third of the page's time (docs/performance.md).
        lines.append(
            f'  <tr>\n    {choice}<td data-label="{number_label}"><a href="{href}">{number}</a>\n'
            f'      {major if dispute and item.risk_level == MAJOR else ""}\n      {returned if item.returned else ""}</td>\n'
            f'    <td data-label="{parties_label}" class="parties-cell" title="{parties}">{parties}</td>\n'
            f'    <td data-label="{village_label}">{_text(item.village or "—")}</td>\n'
            f'    <td data-label="{category_label}">{category}</td>\n'
            f'    <td data-label="{state_label}"><span class="badge {state_class}">{_text(tr(item.state.label))}</span>'
            f'</td>\n    <td data-label="{limit_label}">{shown}</td>\n'
            f'    <td data-label="{date_label}">{item.registered_on}</td>\n  </tr>\n')
    return Markup("".join(lines))


@bp.route("/export.csv")
@login_required
def export():
    """Download every item the filters select as CSV, however many there are."""
    township = _township()
    today = clock.today()
    filters = read_filters(township)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["类型", "编号", "登记日期", "所属村", "当事人", "状态", "期限", "期限说明"])
        yield "\ufeff" + buffer.getvalue()
        for item in q.iterate_all(current_user, filters, today, township):
            buffer.seek(0)
            buffer.truncate()
            limit = q.limits([item], today)[0]  # which rule gave the date, and 暂定 when estimated
            writer.writerow([csv_text(cell) for cell in (
                "纠纷" if item.is_dispute else "信访", item.number, item.registered_on, item.village or "",
                "、".join(item.people), item.state.label, item.due_on or "",
                time_limits.limit_note(limit.deadline) if limit else "")])
            yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=queue.csv", "Cache-Control": "no-store"})


@bp.route("/views", methods=["POST"])
@login_required
def save_view():
    """Save the current filters under a name."""
    name = (request.form.get("name") or "").strip()[:40]
    query = (request.form.get("query") or "").lstrip("?")[:1000]
    if not name:
        flash(_("请填写视图名称。"), "info")
        return redirect(url_for("queue.index") + ("?" + query if query else ""))
    existing = db.session.execute(select(SavedView).where(SavedView.user_id == current_user.id,
                                                          SavedView.name == name)).scalar_one_or_none()
    if existing:
        existing.query = query
    else:
        db.session.add(SavedView(user_id=current_user.id, name=name, query=query))
    db.session.commit()
    flash(_("已保存视图“%(name)s”。", name=name), "success")
    return redirect(url_for("queue.index") + ("?" + query if query else ""))


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@login_required
def delete_view(view_id: int):
    view = db.session.get(SavedView, view_id)
    if view is None or view.user_id != current_user.id:
        abort(404)
    db.session.delete(view)
    db.session.commit()
    return redirect(url_for("queue.index"))


BULK_ACTIONS = {"accept": "受理", "assign": "指派调解员", "escalate": "上报升级"}


@bp.route("/bulk", methods=["POST"])
@allowed_if(permissions.can_act_in_bulk)
def bulk():
    """Apply one action to many disputes; each goes through the same rules, refused ones are listed."""
    action = request.form.get("action")
    if action not in BULK_ACTIONS:
        abort(400)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    today = clock.today()
    read_at = _read_at()
    for attempt in (1, 2):
        try:
            applied, refused = _apply_to_each(action, ids, today, read_at)
            db.session.commit()
            break
        except OperationalError as failure:
            db.session.rollback()
            if attempt == 2 or getattr(failure.orig, "sqlstate", None) != DEADLOCK:
                raise
    return render_template("queue/bulk_result.html", action=BULK_ACTIONS[action], applied=applied, refused=refused,
                           back=request.form.get("back") or url_for("queue.index"))


DEADLOCK = "40P01"
"""PostgreSQL's deadlock_detected. Moving a case moves it between tally groups (migration 0025), whose rows the
transaction keeps locked until it ends, so two bulk actions at once over cases of different villages can wait on
each other; the one PostgreSQL aborts is done again once, from the start, when the other has let go."""


def _apply_to_each(action: str, ids: list[int], today: date, read_at: datetime | None) -> tuple[list, list]:
    """Apply the action to each case in turn, uncommitted; return the numbers applied and (number, reason) refused."""
    applied, refused = [], []
    for case_id in ids:
        dispute = db.session.execute(select(Dispute).where(
            Dispute.id == case_id, permissions.dispute_scope(current_user))).scalar_one_or_none()
        if dispute is None or not permissions.can_act(current_user, dispute, action):
            refused.append((str(case_id), _("无权办理此案件")))
            continue
        skipped = _skip_reason(dispute, action, read_at)
        if skipped:
            refused.append((dispute.number, skipped))
            continue
        try:
            with db.session.begin_nested():
                _apply(action, dispute, today)
            applied.append(dispute.number)
        except DomainError as reason:
            refused.append((dispute.number, domain_message(reason)))
        except StaleDataError:  # another worker saved this case between our read and our write
            refused.append((dispute.number, _("此案件刚被他人修改,未办理;请刷新后核对")))
    return applied, refused


def _read_at() -> datetime | None:
    """When the queue page the bulk form came from was read (UTC), from its hidden field."""
    try:
        return datetime.fromisoformat(request.form.get("read_at", ""))
    except ValueError:
        return None


def _skip_reason(dispute: Dispute, action: str, read_at: datetime | None) -> str | None:
    """Why a selected case is left alone: merged, awaiting correction (for 受理), or changed since the page was
    read — the user chose it as it was then, so it is not acted on blind."""
    if dispute.merged_into_id:
        return _("已作为重复登记合并,不再办理")
    if action == "accept" and dispute.returned_note:
        return _("已退回补正,尚未补正完毕,未受理")
    if read_at is not None and dispute.updated_at and dispute.updated_at > read_at:
        return _("打开页面后此案件已被修改,未办理;请刷新后核对")
    return None


def _apply(action: str, dispute: Dispute, today: date) -> None:
    if action == "accept":
        dispute_services.accept(dispute, current_user, today, today)
    elif action == "assign":
        mediator = request.form.get("mediator_id", "")
        if not mediator.isdigit():
            raise DomainError("请选择调解员。")
        dispute_services.assign_mediators(dispute, current_user, [int(mediator)])
    else:
        dispute_services.escalate(dispute, current_user, request.form.get("reason", ""))

