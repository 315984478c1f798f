"""The review queue: disputes and petitions in one list, with tabs, filters, sorting and keyset paging.

Paging is by keyset (the last row's sort key), so the last page costs what the first does; the cursor is
the sort value, then the kind and id that break ties ("dispute" before "petition" when ascending). Each
table keeps a plain range condition on its own indexed column and the database merges the two.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import (
    Date,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    union_all,
)

from casetrack import permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.deadline_facts import DisputeFacts, PetitionFacts
from casetrack.domain.errors import N_
from casetrack.domain.name_keys import search_fragment
from casetrack.domain.roles import Role
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
from casetrack.services import queue_sql, time_limits

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
    phone: str = ""  # 4 to 11 digits matched against parties' and petitioners' phones (staff only: web/queue.py)
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


def phone_matches(model, digits: str):
    """A party or petitioner whose phone is these 11 digits, or ends with these 4 to 10."""
    return model.phone == digits if len(digits) == 11 else model.phone.like(f"%{digits}")


def _dispute_select(user: User, f: Filters, today: date, soon: date):
    conditions = [permissions.dispute_scope(user), D.not_merged, _dispute_tab(f.tab, today, soon)]
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
                              exists().where(Party.dispute_id == D.id, person_matches(Party, f.text)),
                              *([exists().where(Party.dispute_id == D.id, phone_matches(Party, f.phone))]
                                if f.phone else [])))
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
                              exists().where(Petitioner.petition_id == P.id, person_matches(Petitioner, f.text)),
                              *([exists().where(Petitioner.petition_id == P.id, phone_matches(Petitioner, f.phone))]
                                if f.phone else [])))
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
        """The keys of the rows (kind, id, sort value), as counting and exporting need them."""
        query = select(literal(self.kind).label("kind"), self.id_column.label("id"),
                       self.sorts[sort].label("sort_value")).where(*self.conditions)
        return query.where(extra) if extra is not None else query


PEOPLE_SEPARATOR = "\x1f"
_PEOPLE = {  # a case's parties (or petitioners) in their order, as one text: the same on both databases
    "sqlite": "(SELECT group_concat(name, char(31)) FROM (SELECT name FROM {table} WHERE {key} = {parent}.id "
              "ORDER BY position, id))",
    "postgresql": "(SELECT string_agg(name, chr(31) ORDER BY position, id) FROM {table} WHERE {key} = {parent}.id)",
}


def _rows_statement(keys, dialect: str, direction):
    """The page's rows in one statement: the keyset (kind, id, sort value; LIMIT inside, so only those rows
    are read further) joined to the cases, their village, type or category and their people."""
    k = keys.subquery("k")
    dispute_columns, petition_columns = _dispute_columns(dialect), _petition_columns(dialect)
    columns = [k.c.kind, k.c.id, k.c.sort_value]
    for name in ROW_COLUMNS:
        if name in dispute_columns and name in petition_columns:
            columns.append(case((k.c.kind == "dispute", dispute_columns[name]),
                                else_=petition_columns[name]).label(name))
        else:
            columns.append((dispute_columns.get(name) if name in dispute_columns else petition_columns[name])
                           .label(name))
    joined = (k.outerjoin(D, and_(k.c.kind == "dispute", D.id == k.c.id))
              .outerjoin(P, and_(k.c.kind == "petition", P.id == k.c.id))
              .outerjoin(Village, Village.id == func.coalesce(D.village_id, P.village_id))
              .outerjoin(DisputeType, DisputeType.id == D.dispute_type_id)
              .outerjoin(PetitionCategory, PetitionCategory.id == P.category_id))
    # The keys are scoped by the arms' own conditions; the reach's loader criteria would land in the WHERE of
    # the outer joins (a dispute row has no petition, and the reverse) and drop every row.
    return (select(*columns).select_from(joined).order_by(*(direction(c) for c in (k.c.sort_value, k.c.kind, k.c.id)))
            .execution_options(**permissions.COUNTY_WIDE))


def _dispute_columns(dialect: str) -> dict:
    return {"township_id": D.township_id, "number": D.number, "registered_on": D.registered_on, "status": D.status,
            "risk_level": D.risk_level, "returned": D.returned_note.is_not(None), "due_on": D.due_on,
            "village": Village.name, "category": DisputeType.name,
            "people": literal_column(_PEOPLE[dialect].format(table="parties", key="dispute_id", parent="disputes")),
            **{name: getattr(D, name) for name in DISPUTE_FACTS}}


def _petition_columns(dialect: str) -> dict:
    return {"township_id": P.township_id, "number": P.number, "registered_on": P.received_on, "status": P.status,
            "returned": false(), "due_on": P.due_on, "village": Village.name, "category": PetitionCategory.name,
            "people": literal_column(_PEOPLE[dialect].format(table="petitioners", key="petition_id",
                                                             parent="petitions")),
            **{name: getattr(P, name) for name in PETITION_FACTS}}


DISPUTE_ONLY_TABS = ("mediating", "major", "follow_up", "returned")


def _kinds(f: Filters) -> list[str]:
    """Return the tables the filters can select from; one that can select nothing is left out, not queried."""
    kinds = []
    if f.kind in ("", "dispute") and f.tab != "petitions":
        kinds.append("dispute")
    dispute_only = f.type_id or f.risk or f.level or f.mediator_id or f.tab in DISPUTE_ONLY_TABS
    if f.kind in ("", "petition") and not dispute_only:
        kinds.append("petition")
    return kinds


def _arms(user: User, f: Filters, today: date, soon: date) -> list[Arm]:
    """Return the Core conditions of each table the filters can select from."""
    select_arm = {"dispute": _dispute_select, "petition": _petition_select}
    return [select_arm[kind](user, f, today, soon) for kind in _kinds(f)]


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
    kinds = _kinds(f)
    if not kinds:
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
    _one_process_plans()
    if f.figure is None:
        found = _rows_by_shape(user, f, today, soon, kinds, sort, descending, cursor, size + 1)
    else:  # a statistic's cases: its condition is a Core clause (services.statistics), so the Core statement
        found = _rows_by_core(_arms(user, f, today, soon), sort, descending, cursor, size + 1)
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    objects = [_item(row) for row in found]
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


def _one_process_plans() -> None:
    """On PostgreSQL, plan the rest of this transaction without parallel workers.

    A page reads 51 keys; where the planner guessed a filter matches many cases, it chose to walk an index of the
    whole county in three processes at once (a Gather of a parallel index scan) and spent up to 200 ms of three
    cores for one page, where one process walking it stops in a few milliseconds (docs/performance.md). The
    setting ends with the transaction: other pages keep the server's own."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _rows_by_core(arms: list[Arm], sort: str, descending: bool, cursor: tuple | None, size: int) -> list:
    """Read a page's rows with a statement built with Core from the arms' conditions."""
    parts = [arm.select(sort, _beyond(arm, sort, cursor, descending) if cursor else None) for arm in arms]
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if len(parts) == 1:
        arm = arms[0]
        keys = parts[0].order_by(direction(arm.sorts[sort]), direction(arm.id_column))
    else:  # each arm is ordered by its own index; the database merges them
        keys = union_all(*parts).order_by(*(direction(literal_column(c)) for c in ("sort_value", "kind", "id")))
    query = _rows_statement(keys.limit(size), db.session.get_bind().dialect.name, direction)
    return db.session.execute(query).all()


def _rows_by_shape(user: User, f: Filters, today: date, soon: date, kinds: list[str], sort: str, descending: bool,
                   cursor: tuple | None, size: int) -> list:
    """Read a page's rows with the statement of its shape (services.queue_sql), its values bound."""
    if f.status:  # a state the table or the tab never holds: nothing to read there (and no index walked to learn it)
        kinds = [kind for kind in kinds if f.status in queue_sql.STATES[kind]
                 and (f.tab not in queue_sql.TAB_STATES or f.status in queue_sql.TAB_STATES[f.tab])]
    if not kinds:
        return []
    place, params = _reach_params(user)
    values = {"village_id": f.village_id, "type_id": f.type_id, "status": f.status, "risk": f.risk, "level": f.level}
    filters = tuple(name for name, value in values.items() if value)
    params.update((name, values[name]) for name in filters)
    params.update(size=size, today=today, soon=soon, mediator=f.mediator_id, registered_from=f.registered_from,
                  registered_to=f.registered_to)
    search = ()
    if f.text:
        fragment = search_fragment(f.text)
        phone = "" if not f.phone else "exact" if len(f.phone) == 11 else "ending"
        search = (bool(fragment), phone)
        params.update(like=f"%{f.text}%", fragment=f"%{fragment}%",
                      phone=f.phone if phone == "exact" else f"%{f.phone}")
    if cursor:
        params.update(cursor_value=cursor[0], cursor_id=cursor[2])
    shape = queue_sql.Shape(
        db.session.get_bind().dialect.name, place, tuple(kinds), f.tab, filters, bool(f.mediator_id),
        bool(f.registered_from), bool(f.registered_to), search, sort, descending,
        tuple(kind for kind in kinds if f.status in queue_sql.FEW_STATES[kind]),
        (cursor[1], sort == "deadline" and cursor[0] == FAR_FUTURE) if cursor else ())
    found = queue_sql.statement(shape)
    if found is None:
        return []
    statement, names = found
    return db.session.execute(statement, {name: params[name] for name in names}).all()


def _reach_params(user: User) -> tuple[str, dict]:
    """Name the kind of the user's reach (village, township, townships, everywhere, nowhere) and bind its ids."""
    seen = permissions.reach_of(user)
    if seen.everywhere:
        return "everywhere", {}
    if seen.village_id is not None:
        return "village", {"reach_village": seen.village_id}
    if seen.township_id is not None:
        return "township", {"reach_township": seen.township_id}
    if seen.township_ids:
        return "townships", {"reach_townships": sorted(seen.township_ids)}
    return "nowhere", {}


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


ROW_COLUMNS = ("township_id", "number", "registered_on", "status", "risk_level", "returned", "due_on", "village",
               "category", "people", *DISPUTE_FACTS, *PETITION_FACTS)
"""What the keyset statement reads of each row beside its keys; a column the other table lacks is NULL."""


_STATE_OF = {"dispute": {s.value: s for s in DS}, "petition": {s.value: s for s in PS}}
"""Each kind's states by their stored value (a dict read is a tenth of calling the enum)."""


def _item(r) -> QueueItem:
    """Make a queue item of one row of the keyset statement."""
    kind = r.kind
    dispute = kind == "dispute"
    people = tuple(r.people.split(PEOPLE_SEPARATOR)) if r.people else ()
    row = r._mapping
    facts = {name: row[name] for name in (DISPUTE_FACTS if dispute else PETITION_FACTS)}
    if dispute:
        facts["continuation_agreed"] = bool(facts["continuation_agreed"])
    status = r.status
    return QueueItem(kind, r.id, r.township_id, r.number, r.registered_on, status, _STATE_OF[kind][status],
                     r.village, r.category, r.due_on, r.risk_level if dispute else None, bool(r.returned), people,
                     facts)


def limits(items: list[QueueItem], today: date) -> list[time_limits.LimitView | None]:
    """Return each item's binding time limit as pages show it, reckoned by services.time_limits itself (with each
    township's deadline policy read once for the page)."""
    policies = {}
    for township_id in {item.township_id for item in items}:
        township = db.session.get(Township, township_id)
        policies[township_id] = (township, time_limits.policy_for(township))
    found = []
    for item in items:
        township, policy = policies[item.township_id]
        facts = (DisputeFacts if item.is_dispute else PetitionFacts)(item.state, **item.facts)
        found.append(time_limits.limit_of(facts, township, today, policy))
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


def _tallied(f: Filters) -> bool:
    """Tell whether the tallies hold the counts these filters ask for (place, type, state, risk, level, kind)."""
    return not (f.figure is not None or f.ids or f.mediator_id or f.registered_from or f.registered_to or f.text
                or f.phone)


def _tally_sums(typed: bool, place: str, kind: bool, dims: tuple):
    """The statement summing the tabs for one shape of question, built once per shape and process (the statement
    is most of what a count costs in Python): the groups' sums beside the sums of the days from today on."""
    key = (typed, place, kind, dims)
    if key not in _TALLY_SUMS:
        table = "queue_type_tallies" if typed else "queue_tallies"
        where = queue_sql.reach_condition(place) or "1 = 1"
        where += " AND kind = :kind" if kind else ""
        where += "".join(f" AND {column} = :{column}" for column in dims)
        pending = f"status = '{DS.REGISTERED.value}'"
        mediating = f"kind = 'dispute' AND status IN ('{DS.ACCEPTED.value}', '{DS.MEDIATING.value}')"
        major = (f"kind = 'dispute' AND status IN ({', '.join(repr(s) for s in OPEN_DISPUTE)}) "
                 f"AND (risk_level = '{wf.RiskLevel.MAJOR.value}' OR supervised = 1)")
        follow_up = f"kind = 'dispute' AND status = '{DS.CONCLUDED.value}' AND succeeded = 1"
        petitions = f"kind = 'petition' AND status IN ({', '.join(repr(s) for s in HANDLING_PETITION)})"
        sums = ", ".join(f"COALESCE(SUM(CASE WHEN {condition} THEN n ELSE 0 END), 0) AS {name}" for name, condition in (
            ("pending", pending), ("mediating", mediating), ("major", major), ("follow_up", follow_up),
            ("returned", "kind = 'dispute' AND returned = 1"), ("petitions", petitions), ("dated", "dated = 1")))
        groups = f'SELECT COALESCE(SUM(n), 0) AS "all", {sums} FROM {table} WHERE {where}'
        days = ("SELECT COALESCE(SUM(n), 0) AS ahead, COALESCE(SUM(CASE WHEN due_on <= :soon THEN n ELSE 0 END), 0) "
                f"AS due_soon FROM queue_due_tallies WHERE due_on >= :today AND {where}")
        statement = text(f"SELECT * FROM ({groups}) AS g CROSS JOIN ({days}) AS d")  # one row each: one row
        if place == "townships":
            statement = statement.bindparams(bindparam("reach_townships", expanding=True))
        _TALLY_SUMS[key] = statement.bindparams(bindparam("today", type_=Date), bindparam("soon", type_=Date))
    return _TALLY_SUMS[key]


_TALLY_SUMS: dict = {}


def _read_tallies(user: User, f: Filters, today: date, soon: date) -> dict[str, int]:
    """Sum every tab from the tallies the triggers of migration 0025 keep: one statement of two small indexed reads,
    the first over a few hundred rows of the user's reach, the second over the days from today on."""
    place, params = _reach_params(user)
    params.update(today=today, soon=soon)
    if f.kind:
        params["kind"] = f.kind
    asked = {"village_id": f.village_id, "type_id": f.type_id, "status": f.status, "risk_level": f.risk,
             "level": f.level}
    dims = tuple(name for name, value in asked.items() if value)
    params.update((name, asked[name]) for name in dims)
    statement = _tally_sums(bool(f.type_id), place, bool(f.kind), dims)
    counts = {key: int(value) for key, value in db.session.execute(statement, params).one()._mapping.items()}
    counts.update(overdue=counts.pop("dated") - counts.pop("ahead"))
    return counts


def tab_counts(user: User, f: Filters, today: date, township: Township | None) -> dict[str, int]:
    """Count every tab under the other filters, so the tab bar shows where work waits.

    For the filters the tallies hold (kind, village, type, state, risk, level) the counts are sums of
    queue_tallies and queue_due_tallies, which database triggers change in the same statement as any write
    to a case (migration 0025), so they are exact for every reader at once; other filters (mediator, dates,
    search, a figure's cases) count the cases themselves.
    """
    soon = _soon(today, township)
    if _tallied(f):
        return _read_tallies(user, f, today, soon)
    return _count_tabs(user, f, today, soon)


def iterate_all(user: User, f: Filters, today: date, township: Township | None, chunk: int = 500):
    """Yield every item the filters select, in order, a chunk at a time (for exports without a cap)."""
    cursor = None
    while True:
        result = page(user, f, today, township, after=cursor, size=chunk)
        yield from result.rows
        if result.is_last or not result.rows:
            return
        cursor = result.next_cursor


@dataclass(frozen=True, slots=True)
class Choices:
    """What the queue's filter form and saved views offer one user: each a list of rows with .id and .name
    (a saved view also .query), in the order the page lists them."""

    villages: list
    mediators: list
    types: list
    views: list


def choices(user: User, township: Township | None) -> Choices:
    """Read the villages the user may filter by (those of their reach), the township's mediators and active dispute
    types, and the user's saved views in one statement (four lists of a few dozen short rows; four statements cost
    four times as much)."""
    place, params = _reach_params(user)
    params["user_id"] = user.id
    if township is not None:
        params["township_id"] = township.id
    found: dict[str, list] = {"village": [], "mediator": [], "type": [], "view": []}
    for row in db.session.execute(_choices_statement(place, township is not None), params):
        found[row.part].append(row)
    return Choices(found["village"], found["mediator"], found["type"], found["view"])


def _choices_statement(place: str, with_township: bool):
    """The statement of choices() for one kind of reach, with or without a township's mediators and types (built
    once per shape and process). Each part is limited by its own condition: the reach's villages, the user's
    own views, the township's people and types."""
    key = (place, with_township)
    if key not in _CHOICES:
        villages = queue_sql.reach_condition(place, village_key="id") or "1 = 1"
        parts = [f"SELECT 'village' AS part, id, name, NULL AS \"query\", township_id AS first, position AS second, "
                 f"'' AS third FROM villages WHERE {villages}",
                 'SELECT \'view\', id, name, "query", 0, 0, name FROM saved_views WHERE user_id = :user_id']
        if with_township:
            parts += ["SELECT 'mediator', id, CASE WHEN COALESCE(full_name, '') = '' THEN username ELSE full_name END, "
                      f"NULL, 0, 0, username FROM users WHERE role = '{Role.MEDIATOR.value}' "
                      "AND township_id = :township_id",
                      "SELECT 'type', id, name, NULL, 0, position, '' FROM dispute_types "
                      "WHERE township_id = :township_id AND active"]
        statement = text(" UNION ALL ".join(parts) + " ORDER BY part, first, second, third, id")
        if place == "townships":
            statement = statement.bindparams(bindparam("reach_townships", expanding=True))
        _CHOICES[key] = statement
    return _CHOICES[key]


_CHOICES: dict = {}
