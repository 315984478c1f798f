"""The queue page's rows statement as SQL text, written once per shape of question and process.

A shape is what changes the statement's text: the kind of reach, the tab, which filters are set, the sort, where
the cursor stands and which way the page runs; every value (the township, the village, the dates, the cursor) is a
bound parameter. Building the statement with Core on every request and compiling each new shape cost more than
running it (docs/performance.md, "Review queue"). Kept here, per process, are statements, never results.

Each table's part reads its keys (kind, id, sort value) in the order of one index and stops at the page's size; the
parts are merged and only the page's rows are joined to their village, type or category and people. Sorting by
deadline reads the dated cases by `due_on` and the undated (which sort last) by id, as two ranges, so both walk an
index instead of sorting `COALESCE(due_on, …)`; the 重大 tab reads the major cases and the other supervised ones
(督办) as two parts for the same reason.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Boolean, Date, DateTime, Integer, String, bindparam, text

from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf

DS, PS = wf.DisputeState, pw.PetitionState
FAR_FUTURE = date(9999, 12, 31)


def _in(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


OPEN_DISPUTE = [DS.REGISTERED.value, DS.ACCEPTED.value, DS.MEDIATING.value, DS.CONCLUDED.value, DS.VISITED.value]
HANDLING_PETITION = [PS.ACCEPTED.value, PS.ASSIGNED.value, PS.IN_PROGRESS.value, PS.ANSWERED.value,
                     PS.UNDER_REVIEW.value, PS.UNDER_SECOND_REVIEW.value]
MEDIATING = [DS.ACCEPTED.value, DS.MEDIATING.value]

# Each tab's condition per table; a list is parts read separately and merged (they never share a case).
DISPUTE_TABS = {
    "all": [""],
    "pending": [f"x.status = '{DS.REGISTERED.value}'"],
    "mediating": [f"x.status IN ({_in(MEDIATING)})"],
    "due_soon": ["x.due_on >= :today AND x.due_on <= :soon"],
    "overdue": ["x.due_on < :today"],
    "major": [f"x.risk_level = '{wf.RiskLevel.MAJOR.value}' AND x.status IN ({_in(OPEN_DISPUTE)})",
              f"x.id IN (SELECT s.dispute_id FROM supervisions s WHERE s.dispute_id IS NOT NULL) "
              f"AND x.risk_level <> '{wf.RiskLevel.MAJOR.value}' AND x.status IN ({_in(OPEN_DISPUTE)})"],
    "follow_up": [f"x.status = '{DS.CONCLUDED.value}' AND x.outcome = '{wf.Outcome.SUCCEEDED.value}'"],
    "returned": ["x.returned_note IS NOT NULL"],
    "petitions": [],
}
PETITION_TABS = {
    "all": [""],
    "pending": [f"x.status = '{PS.REGISTERED.value}'"],
    "due_soon": ["x.due_on >= :today AND x.due_on <= :soon"],
    "overdue": ["x.due_on < :today"],
    "petitions": [f"x.status IN ({_in(HANDLING_PETITION)})"],
}
STATES = {"dispute": {s.value for s in DS}, "petition": {s.value for s in PS}}
TAB_STATES = {"pending": {DS.REGISTERED.value}, "mediating": set(MEDIATING), "major": set(OPEN_DISPUTE),
              "follow_up": {DS.CONCLUDED.value}, "petitions": set(HANDLING_PETITION)}
"""The states a tab can hold: a status filter outside them selects nothing, and no index is walked to learn it."""


@dataclass(frozen=True)
class Table:
    kind: str
    name: str
    registered: str  # the column the 登记日期 sort reads
    place: dict  # filter name -> column
    people: str  # the table of its parties or petitioners, and their key


DISPUTES = Table("dispute", "disputes", "registered_on",
                 {"village_id": "village_id", "type_id": "dispute_type_id", "status": "status",
                  "risk": "risk_level", "level": "level"}, "parties:dispute_id")
PETITIONS = Table("petition", "petitions", "received_on", {"village_id": "village_id", "status": "status"},
                  "petitioners:petition_id")
TABLES = {"dispute": DISPUTES, "petition": PETITIONS}


def reach_condition(place: str, alias: str = "", village_key: str = "village_id") -> str:
    """The SQL condition keeping a table's rows to a reach of this kind (village, township, townships, everywhere:
    "", nowhere), its ids bound as :reach_village, :reach_township, :reach_townships (services.queue._reach_params).
    `village_key` is the column naming a row's village: "id" for the villages table itself."""
    return {"village": f"{alias}{village_key} = :reach_village", "township": f"{alias}township_id = :reach_township",
            "townships": f"{alias}township_id IN :reach_townships", "everywhere": "", "nowhere": "1 = 0"}[place]


@dataclass(frozen=True)
class Shape:
    """What the statement's text depends on (values are parameters)."""

    dialect: str
    place: str  # village, township, townships, everywhere, nowhere
    kinds: tuple  # ("dispute",), ("petition",) or both
    tab: str
    filters: tuple  # names of the place/state filters set: village_id, type_id, status, risk, level
    mediator: bool
    registered_from: bool
    registered_to: bool
    search: tuple  # () or (has a pinyin fragment, phone: "", "exact" or "ending")
    sort: str  # registered, activity, deadline
    descending: bool
    few_states: tuple  # per kind, whether the state filtered on is one few cases are in (see _index)
    cursor: tuple  # () or (kind, whether its value is FAR_FUTURE, i.e. an undated case)


def _search(table: Table, people_table: str, key: str, fragment: bool, phone: str) -> str:
    person = "y.name LIKE :like" + (" OR y.search_key LIKE :fragment" if fragment else "")
    text_column = "summary" if table.kind == "dispute" else "request"
    parts = ["x.number LIKE :like", f"x.{text_column} LIKE :like",
             f"EXISTS (SELECT 1 FROM {people_table} y WHERE y.{key} = x.id AND ({person}))"]
    if phone:
        match = "y.phone = :phone" if phone == "exact" else "y.phone LIKE :phone"
        parts.append(f"EXISTS (SELECT 1 FROM {people_table} y WHERE y.{key} = x.id AND {match})")
    return "(" + " OR ".join(parts) + ")"


def _conditions(table: Table, shape: Shape) -> list[str]:
    """The WHERE conditions of one table's parts but the tab's and the cursor's."""
    found = [reach_condition(shape.place, "x.")]
    if table.kind == "dispute":
        found.append("x.merged_into_id IS NULL")
    for name in shape.filters:
        found.append(f"x.{table.place[name]} = :{name}")
    if shape.mediator:
        found.append("EXISTS (SELECT 1 FROM dispute_mediators m WHERE m.dispute_id = x.id AND m.user_id = :mediator)")
    if shape.registered_from:
        found.append(f"x.{table.registered} >= :registered_from")
    if shape.registered_to:
        found.append(f"x.{table.registered} <= :registered_to")
    if shape.search:
        people_table, key = table.people.split(":")
        found.append(_search(table, people_table, key, *shape.search))
    return [c for c in found if c]


def _beyond(column: str, kind: str, shape: Shape) -> str | None:
    """The rows of one part after the cursor in (sort value, kind, id) order; None: the part has none."""
    if not shape.cursor:
        return ""
    cursor_kind = shape.cursor[0]
    less = shape.descending
    strict, loose = ("<", "<=") if less else (">", ">=")
    if kind == cursor_kind:
        return f"(x.{column} {strict} :cursor_value OR (x.{column} = :cursor_value AND x.id {strict} :cursor_id))"
    later_kind = kind < cursor_kind if less else kind > cursor_kind
    return f"x.{column} {loose if later_kind else strict} :cursor_value"


def _undated_beyond(kind: str, shape: Shape) -> str | None:
    """The undated rows (sorted last, by kind and id) after the cursor; None: none of them."""
    if not shape.cursor:
        return ""
    cursor_kind, undated = shape.cursor
    if not undated:  # the cursor is on a dated case: ascending, every undated one follows; descending, none does
        return None if shape.descending else ""
    strict = "<" if shape.descending else ">"
    if kind == cursor_kind:
        return f"x.id {strict} :cursor_id"
    later_kind = kind < cursor_kind if shape.descending else kind > cursor_kind
    return "" if later_kind else None


FEW_STATES = {"dispute": {DS.REGISTERED.value, DS.ACCEPTED.value, DS.MEDIATING.value, DS.NOT_ACCEPTED.value},
              "petition": {s.value for s in PS if s is not PS.CLOSED}}
"""States few cases are in at any time (a township's past is mostly 已归档, 已回访 or 已终结)."""


SORT_INDEXES = {  # (kind, by village) -> the index holding each sort order (None: the undated, by id)
    ("dispute", False): {"registered_on": "ix_disputes_township_live", "updated_at": "ix_disputes_township_updated",
                         "due_on": "ix_disputes_township_due_live", None: "ix_disputes_api_township"},
    ("dispute", True): {"registered_on": "ix_disputes_village_registered", "updated_at": "ix_disputes_village_updated",
                        "due_on": "ix_disputes_village_due", None: "ix_disputes_api_village"},
    ("petition", False): {"received_on": "ix_petitions_township_received", "updated_at": "ix_petitions_township_updated",
                          "due_on": "ix_petitions_township_due", None: "ix_petitions_api_township"},
    ("petition", True): {"received_on": "ix_petitions_village_received", "updated_at": "ix_petitions_village_updated",
                         "due_on": "ix_petitions_village_due", None: "ix_petitions_api_village"},
}


def _index(table: Table, shape: Shape, tab: str, order: str | None) -> str | None:
    """The index a part is read from: one holding its few cases when the tab or a filter selects few of the
    reach's (they are then sorted), else the one holding the sort order within the reach (see _part).

    PostgreSQL's planner knows from its statistics how many cases each state, risk and mark holds; SQLite's, with
    none, walked the index of the sort order for a rare tab (退回补正 by deadline, 重大 by activity) and tested
    thousands of cases before 51 matched, or sorted a common one's thousands (已超期 by registration).
    """
    if shape.place not in ("township", "village"):
        return None
    village = _by_village(shape)
    few_state = table.kind in shape.few_states
    status = "status" in shape.filters
    dated_tab = shape.tab in ("due_soon", "overdue")
    deadline = shape.sort == "deadline"
    if table.kind == "dispute":
        if tab.startswith("x.id IN"):  # the supervised cases (督办): each read by its id from supervisions
            return ""
        if "returned_note IS NOT NULL" in tab:
            return "ix_disputes_village_returned" if shape.place == "village" else "ix_disputes_returned"
        if shape.place == "township" and ("risk" in shape.filters or tab.startswith("x.risk_level")):
            return "ix_disputes_township_risk"  # a township's 重大 cases are a few hundred, even of all its villages
        if village:
            if dated_tab:  # a village's dated cases are a few hundred
                return "ix_disputes_village_due"
            if shape.tab in ("pending", "mediating", "major", "follow_up") or few_state:
                return "ix_disputes_village_status"
        else:
            if dated_tab and status:
                return "ix_disputes_township_status_due"
            if dated_tab and (deadline or shape.tab == "due_soon"):
                return "ix_disputes_township_due_live" if deadline else "ix_disputes_township_due"
            if deadline and (status or shape.tab in ("pending", "mediating", "follow_up")):
                return "ix_disputes_township_status_due"
            if shape.tab in ("pending", "mediating") or few_state:
                return "ix_disputes_township_status_registered"
    elif village:
        if dated_tab:
            return "ix_petitions_village_due"
        if shape.tab in ("pending", "petitions") or few_state:
            return "ix_petitions_village_status"
    else:
        if dated_tab:  # a township's dated petitions are its open ones: a few hundred, where disputes keep theirs
            return "ix_petitions_township_status_due" if status else "ix_petitions_township_due"
        if deadline and (status or shape.tab in ("pending", "petitions")):
            return "ix_petitions_township_status_due"
        if shape.tab in ("pending", "petitions") or few_state:
            return PETITION_STATE_INDEXES.get(order, "ix_petitions_township_status")
    return SORT_INDEXES[table.kind, village][order]


PETITION_STATE_INDEXES = {"received_on": "ix_petitions_township_status_received",
                          "updated_at": "ix_petitions_township_status_updated"}
"""A township's petitions in one state in each sort order but the deadline's (migration 0033)."""


def _part(table: Table, shape: Shape, where: list[str], order: str | None, value: str, index: str | None) -> str:
    """One part's keys in its order, at most a page of them.

    On SQLite the index is named (`INDEXED BY`; "" reads by rowid, `NOT INDEXED`). PostgreSQL chooses its own by
    its statistics, but where a part selects few cases it guessed too many when two conditions go together (调解中
    cases without a deadline, 已超期 ones already 已归档) and walked the sort order's index through the whole
    table looking for a page of them; there the order is written so that no index holds it, and the few cases are
    found by their own conditions and sorted, as SQLite does from the index named.
    """
    direction = " DESC" if shape.descending else ""
    few = index is not None and index != SORT_INDEXES[table.kind, _by_village(shape)].get(order) and not _in_order(
        index, order, shape)
    if shape.dialect == "sqlite":
        hint = f" INDEXED BY {index}" if index else " NOT INDEXED" if index == "" else ""
        keys = [f"x.{order}", "x.id"] if order else ["x.id"]
    else:
        hint = ""
        unindexed = {"updated_at": "x.updated_at + INTERVAL '0 seconds'", None: "x.id + 0"}
        keys = [f"x.{order}", "x.id"] if order else ["x.id"]
        if few:
            keys = [unindexed.get(order, f"x.{order} + 0"), "x.id + 0"] if order else ["x.id + 0"]
    ordered = ", ".join(f"{key}{direction}" for key in keys)
    return (f"SELECT '{table.kind}' AS kind, x.id AS id, {value} AS sort_value FROM {table.name} x{hint} "
            f"WHERE {' AND '.join(where) or '1 = 1'} ORDER BY {ordered} LIMIT :size")


STATE_ORDER_INDEXES = {"status_registered": "registered_on", "status_received": "received_on",
                       "status_updated": "updated_at"}
"""The indexes of (place, state, a date, id) by the end of their name, and the date whose order each holds."""


def _in_order(index: str, order: str | None, shape: Shape) -> bool:
    """Tell whether an index chosen for its few cases also holds them in the part's order (one state asked)."""
    one_state = "status" in shape.filters or shape.tab in ("pending", "follow_up")
    if index.endswith("_due") or index.endswith("_due_live"):
        return order == "due_on" and not index.endswith("status_due") or one_state and order in ("due_on", None)
    for suffix, held in STATE_ORDER_INDEXES.items():
        if index.endswith(suffix):
            return one_state and order == held
    if index == "ix_petitions_township_status":
        return one_state and order is None
    return False


def _by_village(shape: Shape) -> bool:
    return shape.place == "village" or "village_id" in shape.filters


def _parts(table: Table, shape: Shape) -> list[str]:
    """Each part of one table's keys: per tab part and, sorting by deadline, the dated and the undated range."""
    tabs = (DISPUTE_TABS if table.kind == "dispute" else PETITION_TABS)[shape.tab]
    common = _conditions(table, shape)
    far = "'9999-12-31'" if shape.dialect == "sqlite" else "DATE '9999-12-31'"
    found = []
    for tab in tabs:
        where = [*common, *([tab] if tab else [])]
        if shape.sort != "deadline":
            column = {"registered": table.registered, "activity": "updated_at"}[shape.sort]
            beyond = _beyond(column, table.kind, shape)
            found.append(_part(table, shape, [*where, *([beyond] if beyond else [])], column, f"x.{column}",
                               _index(table, shape, tab, column)))
            continue
        dated = None if shape.cursor and shape.cursor[1] and not shape.descending else (
            "" if shape.cursor and shape.cursor[1] else _beyond("due_on", table.kind, shape))
        undated = _undated_beyond(table.kind, shape)
        ranges = [(dated, "x.due_on IS NOT NULL", "due_on", "x.due_on")]
        if shape.tab not in ("due_soon", "overdue"):  # those hold dated cases only
            ranges.append((undated, "x.due_on IS NULL", None, far))
        if shape.descending:
            ranges.reverse()
        for beyond, has_date, order, value in ranges:
            if beyond is not None:
                found.append(_part(table, shape, [*where, has_date, *([beyond] if beyond else [])], order, value,
                                   _index(table, shape, tab, order)))
    return found


def _people(dialect: str, table: str, key: str, parent: str) -> str:
    if dialect == "postgresql":
        return f"(SELECT string_agg(name, chr(31) ORDER BY position, id) FROM {table} WHERE {key} = {parent}.id)"
    return (f"(SELECT group_concat(name, char(31)) FROM (SELECT name FROM {table} WHERE {key} = {parent}.id "
            "ORDER BY position, id))")


DISPUTE_FACTS = ("accepted_on", "continuation_agreed", "continued_until", "outcome", "performance_deadline",
                 "closed_on")
PETITION_FACTS = ("decided_on", "extension_days", "review_requested_on", "second_review_requested_on",
                  "received_on", "source", "assigned_due_on", "completion_report_on")
_TYPES = {"registered_on": Date, "due_on": Date, "returned": Boolean, "continuation_agreed": Boolean,
          "extension_days": Integer, "id": Integer, "township_id": Integer, "kind": String, "number": String,
          "status": String, "risk_level": String, "village": String, "category": String, "people": String,
          "outcome": String, "source": String}
_TYPES.update((name, Date) for name in (*DISPUTE_FACTS, *PETITION_FACTS) if name not in _TYPES)


def _outer(shape: Shape, keys: str) -> str:
    """Join the page's keys to their cases and what the row shows of them."""
    direction = " DESC" if shape.descending else ""
    both = len(shape.kinds) == 2
    d, p = ("d", "p")
    columns = ["k.kind", "k.id", "k.sort_value"]
    if both:
        columns += [f"COALESCE(d.{c}, p.{c}) AS {c}" for c in ("township_id", "number", "status", "due_on")]
        columns += ["COALESCE(d.registered_on, p.received_on) AS registered_on",
                    "COALESCE(dt.name, pc.name) AS category"]
    else:
        t = d if shape.kinds == ("dispute",) else p
        columns += [f"{t}.{c} AS {c}" for c in ("township_id", "number", "status", "due_on")]
        columns += [f"{t}.{'registered_on' if t == d else 'received_on'} AS registered_on",
                    f"{'dt' if t == d else 'pc'}.name AS category"]
    has_disputes, has_petitions = "dispute" in shape.kinds, "petition" in shape.kinds
    if has_disputes:
        columns += ["d.risk_level AS risk_level", "CASE WHEN d.returned_note IS NOT NULL THEN 1 ELSE 0 END AS returned"]
        columns += [f"d.{c} AS {c}" for c in DISPUTE_FACTS]
    else:
        columns += ["NULL AS risk_level", "0 AS returned"]
    if has_petitions:
        columns += [f"p.{c} AS {c}" for c in PETITION_FACTS]
    people = []
    if has_disputes:
        people.append(("dispute", _people(shape.dialect, "parties", "dispute_id", "d")))
    if has_petitions:
        people.append(("petition", _people(shape.dialect, "petitioners", "petition_id", "p")))
    columns.append(people[0][1] + " AS people" if len(people) == 1 else
                   f"CASE WHEN k.kind = 'dispute' THEN {people[0][1]} ELSE {people[1][1]} END AS people")
    columns.append("v.name AS village")
    joins = []
    if has_disputes:
        joins.append("LEFT OUTER JOIN disputes d ON k.kind = 'dispute' AND d.id = k.id"
                     " LEFT OUTER JOIN dispute_types dt ON dt.id = d.dispute_type_id")
    if has_petitions:
        joins.append("LEFT OUTER JOIN petitions p ON k.kind = 'petition' AND p.id = k.id"
                     " LEFT OUTER JOIN petition_categories pc ON pc.id = p.category_id")
    village = "COALESCE(d.village_id, p.village_id)" if both else f"{'d' if has_disputes else 'p'}.village_id"
    joins.append(f"LEFT OUTER JOIN villages v ON v.id = {village}")
    order = f"k.sort_value{direction}, k.kind{direction}, k.id{direction}"
    return f"SELECT {', '.join(columns)} FROM ({keys}) k {' '.join(joins)} ORDER BY {order}"


def _statement(shape: Shape):
    parts = [part for kind in shape.kinds for part in _parts(TABLES[kind], shape)]
    if not parts:
        return None
    direction = " DESC" if shape.descending else ""
    merged = " UNION ALL ".join(f"SELECT * FROM ({part}) p{i}" for i, part in enumerate(parts))
    keys = f"{merged} ORDER BY sort_value{direction}, kind{direction}, id{direction} LIMIT :size"
    statement = text(_outer(shape, keys))
    value_type = DateTime if shape.sort == "activity" else Date
    binds = [bindparam("size", type_=Integer), bindparam("today", type_=Date), bindparam("soon", type_=Date),
             bindparam("registered_from", type_=Date), bindparam("registered_to", type_=Date),
             bindparam("cursor_value", type_=value_type), bindparam("cursor_id", type_=Integer)]
    sql = statement.text
    statement = statement.bindparams(*(b for b in binds if f":{b.key}" in sql))
    if shape.place == "townships":
        statement = statement.bindparams(bindparam("reach_townships", expanding=True))
    columns = {"sort_value": value_type, **{name: _TYPES[name] for name in _TYPES if name != "kind"}, "kind": String}
    names = sorted(set(re.findall(r"(?<!:):(\w+)", sql)))  # the parameters to bind
    return statement.columns(**{name: type_ for name, type_ in columns.items() if f" AS {name}" in sql
                                or name in ("kind", "id", "sort_value")}), names


_STATEMENTS: dict = {}


def statement(shape: Shape):
    """Return the rows statement of a shape and the names of its parameters (None when it can select nothing),
    written once per process."""
    if shape not in _STATEMENTS:
        _STATEMENTS[shape] = _statement(shape)
    return _STATEMENTS[shape]
