"""Reads behind the API's case pages (web/api.py): one keyset statement a page, names joined, people by ids.

A page is "the next 100 cases after the cursor, in id order, that pass the filters and lie in the account's
reach". It is read by one statement (the case's township, village and type or category joined by name) and its
people by a second (by the page's ids), both plain Core statements built once per shape of request and run with
the request's values as parameters: no ORM rows, no reach hook on top (the reach is applied here by the same rule,
permissions.reach_of, and the people belong to the cases just read).

Which index walks a page is chosen here, not left to chance (SQLite has no statistics on these databases, see
docs/performance.md): the township's (township, year | status, id) when the page is one township's; else
(year, id) or (status, id); else the changes since `updated_since` by their time; else the primary key. The
other conditions are written so that no index serves them (`+ 0`, `|| ''`): checked row by row on the rows the
chosen index yields, which are already in id order, so a page stops after 101 rows.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, select

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


@lru_cache(maxsize=256)
def _page_statement(kind: str, shape: str, township: bool, year: bool, status: bool, since: bool, size: int):
    """The page's statement for one shape of request, its values left as bound parameters."""
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
    # below walks the page and each name is one primary-key lookup.
    source = t.outerjoin(town, town.c.id == t.c.township_id).outerjoin(
        village, village.c.id == t.c.village_id).outerjoin(named, named_on)
    one_township = township or shape == "township"
    township_column = t.c.township_id if one_township else _unindexed(t.c.township_id)
    # The walking index: the township's with the year or the status; else the year's; else the status'; else
    # the change times (the township's own with its changes when nothing else narrows it); else the primary key.
    walk_year = year
    walk_status = status and not year
    walk_since = since and not (year or status)
    conditions = [t.c.id > bindparam("after", type_=Integer)]
    if shape == "village":
        conditions.append(t.c.village_id == bindparam("reach_village", type_=Integer))
    elif shape == "township":
        conditions.append(township_column == bindparam("reach_township", type_=Integer))
    elif shape == "townships":
        conditions.append(_unindexed(t.c.township_id).in_(bindparam("reach_townships", expanding=True)))
    elif shape == "nowhere":
        conditions.append(t.c.id.is_(None))
    if township:
        conditions.append(township_column == bindparam("township_id", type_=Integer))
    if year:
        conditions.append((t.c.year if walk_year else _unindexed(t.c.year)) == bindparam("year", type_=Integer))
    if status:
        conditions.append((t.c.status if walk_status else _unindexed(t.c.status)) == bindparam("status"))
    if since:
        conditions.append((t.c.updated_at if walk_since else t.c.updated_at + 0)
                          >= bindparam("since", type_=t.c.updated_at.type))
    if kind == "dispute":
        conditions.append(t.c.merged_into_id.is_(None))
    return select(*columns).select_from(source).where(*conditions).order_by(t.c.id).limit(size + 1)


def read_page(kind: str, reach: "permissions.Reach", filters: Filters, size: int) -> list:
    """The page's rows (up to size + 1, in id order) of disputes or petitions in the reach that pass the filters."""
    shape = _reach_shape(reach)
    statement = _page_statement(kind, shape, filters.township_id is not None, filters.year is not None,
                                filters.status is not None, filters.since is not None, size)
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

