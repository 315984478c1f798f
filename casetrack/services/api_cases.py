"""Reads behind the API's case pages (web/api.py) that need no second pass of the reach hook."""

from sqlalchemy import select

from casetrack import permissions
from casetrack.extensions import db


def people_of(model, owner_column, owner_ids: list[int], *extra):
    """The parties (or petitioners) of cases already read through the reach hook, in their order.

    The ids come from a scoped query of this request, so the people are read by them alone: the hook's own
    criterion for parties ("the case lies in reach", a subquery over every case of the reach) would be
    evaluated again for a page of 100 cases, and costs more than the page itself on a county's cases.
    """
    if not owner_ids:
        return []
    statement = select(owner_column.label("owner_id"), *extra, model.name, model.id_number, model.phone).where(
        owner_column.in_(owner_ids)).order_by(owner_column, model.position, model.id)
    return db.session.execute(statement.execution_options(**permissions.COUNTY_WIDE)).all()


def _reach_condition(model, reach: "permissions.Reach"):
    """The reach as a WHERE clause that leaves the place indexes alone (`+ 0`), so a page walks the primary key.

    A page is "the next 100 ids": over a county's townships an index on the township would gather every case
    of the reach and sort them all for each page, where walking the ids in order stops after 100.
    """
    from sqlalchemy import false, true

    if reach.everywhere:
        return true()
    if reach.village_id is not None:
        return (model.village_id + 0) == reach.village_id
    if reach.township_ids is not None:
        return (model.township_id + 0).in_(sorted(reach.township_ids))
    if reach.township_id is not None:
        return (model.township_id + 0) == reach.township_id
    return false()


def read_page(statement, model, reach: "permissions.Reach", after: int, size: int):
    """Run a listing of model's rows after the id `after`, limited to the reach, `size` + 1 rows in id order.

    The reach is permissions.reach_of's, applied here in place of the hook's criterion (see _reach_condition).
    """
    statement = statement.where(_reach_condition(model, reach), model.id > after).order_by(model.id).limit(size + 1)
    return db.session.execute(statement.execution_options(**permissions.COUNTY_WIDE)).all()
