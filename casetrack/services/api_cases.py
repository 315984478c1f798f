"""Reads behind the API's case pages (web/api.py): one keyset statement a page, names joined, people by ids.

A page is "the next 100 cases after the cursor, in id order, that pass the filters and lie in the account's
reach". It is read by one statement (the case's township, village and type or category joined by name) and its
people by a second (by the page's ids), both plain Core statements built once per shape of request and run with
the request's values as parameters: no ORM rows, no reach hook on top (the reach is applied here by the same rule,
permissions.reach_of, and the people belong to the cases just read).

Every filter has an index that yields its cases in id order (migration 0027: (township, id), (township, year,
id), (township, status, id), (year, id), (status, id), (village, id)), so a page reads the 101 rows it needs and
sorts nothing;
SQLite and PostgreSQL pick among them by the equalities asked (docs/performance.md shows the plans). Two
conditions are kept away from the indexes: a county account's townships (`township_id + 0 IN (…)`, checked row
by row while the ids are walked: most cases of the database are in it, and an index over 10–30 townships would
gather and sort them all for each page), and the ids and places when `updated_since` comes without a year or a
state and few cases changed since (then the change times' index finds them, at most SINCE_PROBE, and they are
sorted; when many changed, the ids are walked and the time checked row by row).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, func, select

from casetrack import permissions
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    DisputeType,
    Party,
    Petition,
    PetitionCategory,
    Petitioner,
    Township,
    Village,
)


@dataclass(frozen=True)
class Filters:
    """What a page asks for besides the reach: all optional; `after` is the last id of the page before."""

    township_id: int | None = None
    year: int | None = None
    status: str | None = None
    since: datetime | None = None
    after: int = 0


def township_id_named(name: str, reach: "permissions.Reach") -> int | None:
    """The id of the township of that name when it lies in the reach (a mediator: their village's), else None."""
    query = select(Township.id).where(Township.name == name)
    if reach.everywhere:
        pass
    elif reach.village_id is not None:
        query = query.where(Township.id == select(Village.township_id).where(
            Village.id == reach.village_id).scalar_subquery())
    elif reach.township_ids is not None:
        if not reach.township_ids:
            return None
        query = query.where(Township.id.in_(sorted(reach.township_ids)))
    elif reach.township_id is not None:
        query = query.where(Township.id == reach.township_id)
    else:
        return None
    return db.session.execute(query.execution_options(**permissions.COUNTY_WIDE)).scalar_one_or_none()


def _unindexed(column):
    """The column as an expression no index serves (SQLite and PostgreSQL alike), the same value."""
    return column.concat("") if isinstance(column.type, String) else column + 0


def _reach_shape(reach: "permissions.Reach") -> str:
    if reach.everywhere:
        return "everywhere"
    if reach.village_id is not None:
        return "village"
    if reach.township_ids is not None:
        return "townships" if reach.township_ids else "nowhere"
    return "township" if reach.township_id is not None else "nowhere"


SINCE_PROBE = 5000
"""updated_since alone walks the change times when fewer cases than this changed since then, else the ids."""


@lru_cache(maxsize=256)
def _page_statement(kind: str, shape: str, township: bool, year: bool, status: bool, since: str, size: int):
    """The page's statement for one shape of request, its values left as bound parameters.

    since: "" (not asked), "filter" (checked on the rows another index yields) or "walk" (the change times'
    index yields the page's candidates, which are then put in id order: few, see SINCE_PROBE).
    """
    model = Dispute if kind == "dispute" else Petition
    t = model.__table__
    town, village = Township.__table__, Village.__table__
    if kind == "dispute":
        named = DisputeType.__table__
        columns = (t.c.id, t.c.number, town.c.name.label("township"), village.c.name.label("village"),
                   t.c.registered_on, t.c.status, named.c.name.label("type"), t.c.level, t.c.risk_level, t.c.outcome,
                   t.c.closed_on, t.c.updated_at, t.c.township_id, t.c.village_id)
        named_on = named.c.id == t.c.dispute_type_id
    else:
        named = PetitionCategory.__table__
        columns = (t.c.id, t.c.number, town.c.name.label("township"), village.c.name.label("village"),
                   t.c.received_on, t.c.status, t.c.level, t.c.channel, t.c.persons,
                   named.c.name.label("category"), t.c.updated_at, t.c.township_id, t.c.village_id)
        named_on = named.c.id == t.c.category_id
    # LEFT JOINs keep the cases' table the outer loop on SQLite (it does not reorder them), so the index chosen
    # for the cases walks the page and each name is one primary-key lookup.
    source = t.outerjoin(town, town.c.id == t.c.township_id).outerjoin(
        village, village.c.id == t.c.village_id).outerjoin(named, named_on)
    walk_since = since == "walk"  # the change times' index alone yields the candidates (at most SINCE_PROBE)
    order = _unindexed(t.c.id) if walk_since else t.c.id
    place = _unindexed if walk_since else (lambda column: column)
    conditions = [order > bindparam("after", type_=Integer)]
    if shape == "village":
        conditions.append(place(t.c.village_id) == bindparam("reach_village", type_=Integer))
    elif shape == "township":
        conditions.append(place(t.c.township_id) == bindparam("reach_township", type_=Integer))
    elif shape == "townships":  # checked row by row: an index over 10–30 townships would gather and sort them all
        conditions.append(_unindexed(t.c.township_id).in_(bindparam("reach_townships", expanding=True)))
    elif shape == "nowhere":
        conditions.append(t.c.id.is_(None))
    if township:
        conditions.append(place(t.c.township_id) == bindparam("township_id", type_=Integer))
    if year:
        conditions.append(t.c.year == bindparam("year", type_=Integer))
    if status:
        conditions.append(t.c.status == bindparam("status", type_=String))
    if since:
        conditions.append(t.c.updated_at >= bindparam("since", type_=t.c.updated_at.type))
    if kind == "dispute":
        conditions.append(Dispute.not_merged)
    return select(*columns).select_from(source).where(*conditions).order_by(order).limit(size + 1)


@lru_cache(maxsize=4)
def _since_probe(kind: str):
    """How many cases changed since a moment, counted on the change times' index up to SINCE_PROBE."""
    t = (Dispute if kind == "dispute" else Petition).__table__
    changed = select(t.c.id).where(t.c.updated_at >= bindparam("since", type_=t.c.updated_at.type)).limit(SINCE_PROBE)
    return select(func.count()).select_from(changed.subquery())


def read_page(kind: str, reach: "permissions.Reach", filters: Filters, size: int) -> list:
    """The page's rows (up to size + 1, in id order) of disputes or petitions in the reach that pass the filters."""
    shape = _reach_shape(reach)
    since = ""
    if filters.since is not None:
        since = "filter"
        if filters.year is None and filters.status is None:
            # The ids in order (a township's, or all) would be walked past every case not changed since, to find
            # 101; when few changed, the change times' index finds them.
            changed = db.session.connection().execute(_since_probe(kind), {"since": filters.since}).scalar_one()
            since = "walk" if changed < SINCE_PROBE else "filter"
    statement = _page_statement(kind, shape, filters.township_id is not None, filters.year is not None,
                                filters.status is not None, since, size)
    values = {"after": filters.after}
    if shape == "village":
        values["reach_village"] = reach.village_id
    elif shape == "township":
        values["reach_township"] = reach.township_id
    elif shape == "townships":
        values["reach_townships"] = sorted(reach.township_ids)
    for key in ("township_id", "year", "status", "since"):
        if getattr(filters, key) is not None:
            values[key] = getattr(filters, key)
    return db.session.connection().execute(statement, values).all()


@lru_cache(maxsize=8)
def _people_statement(kind: str):
    if kind == "dispute":
        p = Party.__table__
        owner, extra = p.c.dispute_id, (p.c.side,)
    else:
        p = Petitioner.__table__
        owner, extra = p.c.petition_id, ()
    return select(owner.label("owner_id"), *extra, p.c.name, p.c.id_number, p.c.phone).where(
        owner.in_(bindparam("ids", expanding=True))).order_by(owner, p.c.position, p.c.id)


def people_of(kind: str, owner_ids: list[int]) -> dict[int, list]:
    """The parties (or petitioners) of cases already read within the reach, by case id, in their order."""
    people: dict[int, list] = {}
    if owner_ids:
        for row in db.session.connection().execute(_people_statement(kind), {"ids": owner_ids}).all():
            people.setdefault(row[0], []).append(row)
    return people

