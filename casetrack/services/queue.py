"""The review queue: disputes and petitions in one list, with tabs, filters, sorting and keyset paging.

Paging is by keyset (the last row's sort key), so the last page costs what the first does; the cursor is
the sort value, then the kind and id that break ties ("dispute" before "petition" when ascending). Each
table keeps a plain range condition on its own indexed column and the database merges the two.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, case, exists, false, func, literal, literal_column, or_, select, true, union_all

from casetrack import permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_
from casetrack.domain.name_keys import search_fragment
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    DisputeType,
    Party,
    Petition,
    PetitionCategory,
    Petitioner,
    Supervision,
    Township,
    User,
    Village,
    dispute_mediators,
)
from casetrack.services import queue_stamps, time_limits

D, P = Dispute, Petition
DS, PS = wf.DisputeState, pw.PetitionState
OPEN_DISPUTE = [DS.REGISTERED.value, DS.ACCEPTED.value, DS.MEDIATING.value, DS.CONCLUDED.value, DS.VISITED.value]
OPEN_PETITION = [s.value for s in pw.OPEN_STATES]
HANDLING_PETITION = [PS.ACCEPTED.value, PS.ASSIGNED.value, PS.IN_PROGRESS.value, PS.ANSWERED.value,
                     PS.UNDER_REVIEW.value, PS.UNDER_SECOND_REVIEW.value]

TABS = {
    "pending": N_("待受理"), "mediating": N_("调解中"), "due_soon": N_("即将到期"), "overdue": N_("已超期"),
    "major": N_("重大"), "follow_up": N_("待回访"), "petitions": N_("信访办理中"), "returned": N_("退回补正"), "all": N_("全部"),
}
SORTS = {"deadline": N_("按期限"), "registered": N_("按登记日期"), "activity": N_("按最近办理")}
PAGE_SIZE = 50
FAR_FUTURE = date(9999, 12, 31)


@dataclass
class Filters:
    """What the queue is asked for; every field comes from the URL so a view can be bookmarked."""

    tab: str = "all"
    kind: str = ""  # "", "dispute", "petition"
    village_id: int | None = None
    type_id: int | None = None
    status: str = ""
    risk: str = ""
    level: str = ""
    mediator_id: int | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    text: str = ""
    sort: str = "registered"
    figure: object | None = None  # (model, where clause) from services.statistics.figure_condition
    ids: list[int] = field(default_factory=list)


def _soon(today: date, township: Township | None) -> date:
    days = int(township.setting("due_soon_days")) if township else 3
    return today + timedelta(days=days)


def _dispute_tab(tab: str, today: date, soon: date):
    if tab == "pending":
        return D.status == DS.REGISTERED.value
    if tab == "mediating":
        return D.status.in_([DS.ACCEPTED.value, DS.MEDIATING.value])
    if tab == "due_soon":
        return and_(D.due_on >= today, D.due_on <= soon)
    if tab == "overdue":
        return D.due_on < today
    if tab == "major":
        supervised = exists().where(Supervision.dispute_id == D.id)
        return and_(D.status.in_(OPEN_DISPUTE), or_(D.risk_level == wf.RiskLevel.MAJOR.value, supervised))
    if tab == "follow_up":
        return and_(D.status == DS.CONCLUDED.value, D.outcome == wf.Outcome.SUCCEEDED.value)
    if tab == "returned":
        return D.returned_note.is_not(None)
    if tab == "petitions":
        return false()
    return true()


def _petition_tab(tab: str, today: date, soon: date):
    if tab == "pending":
        return P.status == PS.REGISTERED.value
    if tab == "due_soon":
        return and_(P.due_on >= today, P.due_on <= soon)
    if tab == "overdue":
        return P.due_on < today
    if tab == "petitions":
        return P.status.in_(HANDLING_PETITION)
    if tab == "all":
        return true()
    return false()


def person_matches(model, text: str):
    """A party or petitioner whose name holds the text, or whose name's pinyin or initials do ("zhq", "zhaohai")."""
    condition = model.name.like(f"%{text}%")
    fragment = search_fragment(text)
    if fragment:
        condition = or_(condition, model.search_key.like(f"%{fragment}%"))
    return condition


def _dispute_select(user: User, f: Filters, today: date, soon: date):
    conditions = [permissions.dispute_scope(user), D.merged_into_id.is_(None), _dispute_tab(f.tab, today, soon)]
    if f.village_id:
        conditions.append(D.village_id == f.village_id)
    if f.type_id:
        conditions.append(D.dispute_type_id == f.type_id)
    if f.status:
        conditions.append(D.status == f.status)
    if f.risk:
        conditions.append(D.risk_level == f.risk)
    if f.level:
        conditions.append(D.level == f.level)
    if f.mediator_id:
        conditions.append(exists().where(dispute_mediators.c.dispute_id == D.id,
                                         dispute_mediators.c.user_id == f.mediator_id))
    if f.registered_from:
        conditions.append(D.registered_on >= f.registered_from)
    if f.registered_to:
        conditions.append(D.registered_on <= f.registered_to)
    if f.text:
        like = f"%{f.text}%"
        conditions.append(or_(D.number.like(like), D.summary.like(like),
                              exists().where(Party.dispute_id == D.id, person_matches(Party, f.text))))
    if f.figure is not None:
        model, clause = f.figure
        conditions.append(clause if model is Dispute else false())
    return Arm("dispute", D.id, {"registered": D.registered_on, "activity": D.updated_at,
                                 "deadline": func.coalesce(D.due_on, FAR_FUTURE)}, conditions)


def _petition_select(user: User, f: Filters, today: date, soon: date):
    conditions = [permissions.petition_scope(user), _petition_tab(f.tab, today, soon)]
    if f.type_id or f.risk or f.level or f.mediator_id:
        conditions.append(false())  # dispute-only filters
    if f.village_id:
        conditions.append(P.village_id == f.village_id)
    if f.status:
        conditions.append(P.status == f.status)
    if f.registered_from:
        conditions.append(P.received_on >= f.registered_from)
    if f.registered_to:
        conditions.append(P.received_on <= f.registered_to)
    if f.text:
        like = f"%{f.text}%"
        conditions.append(or_(P.number.like(like), P.request.like(like),
                              exists().where(Petitioner.petition_id == P.id, person_matches(Petitioner, f.text))))
    if f.figure is not None:
        model, clause = f.figure
        conditions.append(clause if model is Petition else false())
    return Arm("petition", P.id, {"registered": P.received_on, "activity": P.updated_at,
                                  "deadline": func.coalesce(P.due_on, FAR_FUTURE)}, conditions)


@dataclass
class Arm:
    """One table's part of the queue: its kind, id column, sort expressions and WHERE conditions."""

    kind: str
    id_column: object
    sorts: dict
    conditions: list

    def select(self, sort: str, extra=None):
        query = select(literal(self.kind).label("kind"), self.id_column.label("id"),
                       self.sorts[sort].label("sort_value")).where(*self.conditions)
        return query.where(extra) if extra is not None else query


DISPUTE_ONLY_TABS = ("mediating", "major", "follow_up", "returned")


def _arms(user: User, f: Filters, today: date, soon: date) -> list[Arm]:
    """Return the tables the filters can select from; one that can select nothing is left out, not queried."""
    arms = []
    if f.kind in ("", "dispute") and f.tab != "petitions":
        arms.append(_dispute_select(user, f, today, soon))
    dispute_only = f.type_id or f.risk or f.level or f.mediator_id or f.tab in DISPUTE_ONLY_TABS
    if f.kind in ("", "petition") and not dispute_only:
        arms.append(_petition_select(user, f, today, soon))
    return arms


def _sort(f: Filters) -> tuple[str, bool]:
    """Return the sort's name and whether it runs newest first."""
    return (f.sort, f.sort != "deadline") if f.sort in SORTS else ("registered", True)


@dataclass
class Page:
    rows: list  # QueueItem objects, in order
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool
    is_last: bool


def _encode(value, kind: str, row_id: int) -> str:
    return f"{value.isoformat() if hasattr(value, 'isoformat') else value}~{kind}~{row_id}"


def _decode(cursor: str, sort: str):
    """Read a cursor back: (sort value, kind, id); ValueError when damaged."""
    from datetime import datetime

    raw, kind, key = cursor.split("~")
    parse = datetime.fromisoformat if sort == "activity" else date.fromisoformat
    row_id = int(key)
    if kind not in ("dispute", "petition") or not 0 <= row_id < 2**31:  # an id is an SQL integer
        raise ValueError(cursor)
    return parse(raw), kind, row_id


def _beyond(arm: Arm, sort: str, cursor: tuple, descending: bool):
    """The rows of one arm that come after the cursor in (sort value, kind, id) order.

    The kind is a constant per arm, so the comparison is decided here and each arm keeps a plain
    range condition on its own indexed column.
    """
    value, kind, row_id = cursor
    column = arm.sorts[sort]
    before_ties, after_ties = (column < value, column <= value) if descending else (column > value, column >= value)
    if arm.kind == kind:
        tie = arm.id_column < row_id if descending else arm.id_column > row_id
        return or_(before_ties, and_(column == value, tie))
    later_kind = arm.kind < kind if descending else arm.kind > kind
    return after_ties if later_kind else before_ties


def page(user: User, f: Filters, today: date, township: Township | None, after: str | None = None,
         before: str | None = None, last: bool = False, size: int | None = None) -> Page:
    """Return one page by keyset: after a cursor, before one, the first page, or the last."""
    size = size or PAGE_SIZE  # read now, not when the module loaded, so a setting or a test can change it
    soon = _soon(today, township)
    arms = _arms(user, f, today, soon)
    if not arms:
        return Page([], None, None, True, True)
    sort, newest_first = _sort(f)
    cursor = None
    if after or before:
        try:
            cursor = _decode(after or before, sort)
        except ValueError:  # a damaged cursor, or one of another sort: start again from the first page
            after = before = None
    forward = not (before or last)
    descending = newest_first if forward else not newest_first
    parts = [arm.select(sort, _beyond(arm, sort, cursor, descending) if cursor else None) for arm in arms]
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if len(parts) == 1:
        arm = arms[0]
        query = parts[0].order_by(direction(arm.sorts[sort]), direction(arm.id_column))
    else:  # each arm is ordered by its own index; the database merges them
        query = union_all(*parts).order_by(*(direction(literal_column(c)) for c in ("sort_value", "kind", "id")))
    found = db.session.execute(query.limit(size + 1)).all()
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    objects = _load(found)
    if forward:
        is_first, is_last = cursor is None, not more
    else:
        is_first, is_last = not more, last or before is None
    first_row, last_row = (found[0], found[-1]) if found else (None, None)
    return Page(
        rows=objects,
        next_cursor=None if is_last or not found else _encode(last_row.sort_value, last_row.kind, last_row.id),
        prev_cursor=None if is_first or not found else _encode(first_row.sort_value, first_row.kind, first_row.id),
        is_first=is_first, is_last=is_last,
    )


@dataclass(slots=True)
class QueueItem:
    """A dispute or petition as the queue lists it: what a row and the CSV show, and what its limit needs.

    Read with one column query per table rather than as model objects: a case has sixty columns and the
    page shows a dozen of them.
    """

    kind: str  # "dispute" or "petition"
    id: int
    township_id: int
    number: str
    registered_on: date  # a petition's day of receipt
    status: str
    state: object  # wf.DisputeState or pw.PetitionState
    village: str | None  # its name
    category: str  # a dispute's type, a petition's category
    due_on: date | None
    risk_level: str | None = None
    returned: bool = False
    people: tuple = ()  # parties or petitioners, in their order
    facts: dict = field(default_factory=dict)  # the dates a time limit is reckoned from

    @property
    def is_dispute(self) -> bool:
        return self.kind == "dispute"


DISPUTE_FACTS = ("accepted_on", "continuation_agreed", "continued_until", "outcome", "performance_deadline",
                 "closed_on")
PETITION_FACTS = ("decided_on", "extension_days", "review_requested_on", "second_review_requested_on",
                  "received_on", "source", "assigned_due_on", "completion_report_on")


def _load(found) -> list[QueueItem]:
    """Read the page's disputes and petitions: one query per table with its names joined, one for the people."""
    dispute_ids = [row.id for row in found if row.kind == "dispute"]
    petition_ids = [row.id for row in found if row.kind == "petition"]
    items = {}
    if dispute_ids:
        people = _people(Party.dispute_id, Party, dispute_ids)
        for r in db.session.execute(
            select(D.id, D.township_id, D.number, D.registered_on, D.status, D.risk_level,
                   D.returned_note.is_not(None).label("returned"), D.due_on, Village.name.label("village"),
                   DisputeType.name.label("category"), *(getattr(D, name) for name in DISPUTE_FACTS))
            .join(Village, Village.id == D.village_id).join(DisputeType, DisputeType.id == D.dispute_type_id)
            .where(D.id.in_(dispute_ids))
        ):
            items["dispute", r.id] = QueueItem(
                "dispute", r.id, r.township_id, r.number, r.registered_on, r.status, DS(r.status), r.village,
                r.category, r.due_on, r.risk_level, bool(r.returned), people.get(r.id, ()),
                {name: getattr(r, name) for name in DISPUTE_FACTS})
    if petition_ids:
        people = _people(Petitioner.petition_id, Petitioner, petition_ids)
        for r in db.session.execute(
            select(P.id, P.township_id, P.number, P.status, P.due_on, Village.name.label("village"),
                   PetitionCategory.name.label("category"), *(getattr(P, name) for name in PETITION_FACTS))
            .outerjoin(Village, Village.id == P.village_id)
            .join(PetitionCategory, PetitionCategory.id == P.category_id)
            .where(P.id.in_(petition_ids))
        ):
            items["petition", r.id] = QueueItem(
                "petition", r.id, r.township_id, r.number, r.received_on, r.status, PS(r.status), r.village,
                r.category, r.due_on, people=people.get(r.id, ()),
                facts={name: getattr(r, name) for name in PETITION_FACTS})
    return [items[row.kind, row.id] for row in found]


def _people(parent_column, model, ids: list[int]) -> dict[int, tuple]:
    """Return the names of the parties (or petitioners) of some cases, in their order, by case id."""
    names: dict[int, list] = {}
    for parent_id, name in db.session.execute(
        select(parent_column, model.name).where(parent_column.in_(ids)).order_by(parent_column, model.position,
                                                                                   model.id)
    ):
        names.setdefault(parent_id, []).append(name)
    return {key: tuple(value) for key, value in names.items()}


def limits(items: list[QueueItem], today: date) -> list[time_limits.LimitView | None]:
    """Return each item's binding time limit as pages show it, reckoned by services.time_limits itself."""
    townships = {township_id: db.session.get(Township, township_id)
                 for township_id in {item.township_id for item in items}}
    found = []
    for item in items:
        record = SimpleNamespace(township=townships[item.township_id], state=item.state, status=item.status,
                                 **item.facts)
        found.append(time_limits.dispute_limit(record, today) if item.is_dispute
                     else time_limits.petition_limit(record, today))
    return found


def count(user: User, f: Filters, today: date, township: Township | None) -> int:
    """Count the items the filters select."""
    soon = _soon(today, township)
    total = 0
    for arm in _arms(user, f, today, soon):
        model = D if arm.kind == "dispute" else P
        total += db.session.execute(select(func.count()).select_from(model).where(*arm.conditions)).scalar_one()
    return total


DISPUTE_TABS = [tab for tab in TABS if tab not in ("all", "petitions")]
PETITION_TABS = ["pending", "due_soon", "overdue", "petitions"]


def _count_tabs(user: User, f: Filters, today: date, soon: date) -> dict[str, int]:
    """Count every tab with one conditional-aggregate query per table."""
    counts = dict.fromkeys(TABS, 0)
    for arm in _arms(user, Filters(**{**f.__dict__, "tab": "all"}), today, soon):
        dispute = arm.kind == "dispute"
        model, tabs, tab_condition = (D, DISPUTE_TABS, _dispute_tab) if dispute else (P, PETITION_TABS, _petition_tab)
        columns = [func.count().label("all")] + [
            func.coalesce(func.sum(case((tab_condition(tab, today, soon), 1), else_=0)), 0).label(tab)
            for tab in tabs]
        row = db.session.execute(select(*columns).select_from(model).where(*arm.conditions)).one()
        for key, value in row._mapping.items():
            counts[key] += int(value)
    return counts


class StampedCache:
    """Values (tab counts, page bodies) kept in this process, each under the change stamps it was made at."""

    def __init__(self, size: int = 2048):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, stamp):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] != stamp:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key, stamp, counts) -> None:
        with self.lock:
            self.entries[key] = (stamp, counts)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _count_cache() -> StampedCache:
    return current_app.extensions.setdefault("casetrack.queue_counts", StampedCache())


def reach(user: User) -> tuple[tuple, list[int] | None]:
    """Return what the user's reach depends on (for a cache key) and the townships it lies in (None: all).

    The reach itself is permissions.reach_of's; the role stays in the key, as tabs differ by role."""
    seen = permissions.reach_of(user)
    key = (user.role_enum.value, seen)
    if seen.everywhere:
        return key, None
    if seen.village_id is not None:
        return key, [user.village.township_id]
    if seen.township_ids is not None:
        return key, sorted(seen.township_ids)
    return key, [seen.township_id] if seen.township_id is not None else []


def tab_counts(user: User, f: Filters, today: date, township: Township | None) -> dict[str, int]:
    """Count every tab under the other filters, so the tab bar shows where work waits.

    A page that only reads does not count again: the counts are kept in this process under the change
    stamps of the townships in the user's reach (services.queue_stamps), read before counting, so any
    committed write by any process makes the next page count afresh.
    """
    soon = _soon(today, township)
    if f.figure is not None or f.ids:
        return _count_tabs(user, f, today, soon)
    whose, township_ids = reach(user)
    stamp = queue_stamps.tokens(db.session, township_ids)  # before counting: see the docstring
    if queue_stamps.has_uncommitted_changes(db.session):  # this transaction's own writes are not stamped yet
        return _count_tabs(user, f, today, soon)
    asked = tuple(sorted((k, v) for k, v in f.__dict__.items() if k not in ("tab", "sort", "figure", "ids")))
    key = (whose, today, soon, asked)  # every tab is counted at once; the order does not change a count
    cache = _count_cache()
    counts = cache.get(key, stamp)
    if counts is None:
        counts = _count_tabs(user, f, today, soon)
        cache.put(key, stamp, counts)
    return dict(counts)


def iterate_all(user: User, f: Filters, today: date, township: Township | None, chunk: int = 500):
    """Yield every item the filters select, in order, a chunk at a time (for exports without a cap)."""
    cursor = None
    while True:
        result = page(user, f, today, township, after=cursor, size=chunk)
        yield from result.rows
        if result.is_last or not result.rows:
            return
        cursor = result.next_cursor
