"""Counties (县): which townships each holds, for the county's accounts and its roll-up (/county)."""

from sqlalchemy import select

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import County, Township
from casetrack.services import places


def add_county(name: str, township_names: list[str] | None = None) -> County:
    """Create a county holding the named townships (each must exist and belong to no other county)."""
    name = name.strip()
    if not name:
        raise DomainError("县名称不能为空。")
    if db.session.execute(select(County.id).where(County.name == name)).first():
        raise DomainError("县“%(name)s”已存在。", name=name)
    townships = [places.find_township(t) for t in township_names or []]
    county = County(name=name)
    db.session.add(county)
    db.session.flush()
    for township in townships:
        assign_township(county, township)
    return county


def assign_township(county: County, township: Township) -> Township:
    """Put a township in the county; one already in another county is refused, not moved silently."""
    if township.county_id not in (None, county.id):
        raise DomainError("乡镇“%(name)s”已属于%(county)s。", name=township.name, county=township.county.name)
    township.county_id = county.id
    db.session.flush()
    return township


def release_township(county: County, township: Township) -> Township:
    """Take a township out of the county (its cases stay where they are)."""
    if township.county_id == county.id:
        township.county_id = None
        db.session.flush()
    return township


def find_county(name: str) -> County:
    """Return the county of that name, or raise DomainError."""
    county = db.session.execute(select(County).where(County.name == name.strip())).scalar_one_or_none()
    if county is None:
        raise DomainError("县“%(name)s”不存在。", name=name)
    return county


def townships_of(county_id: int) -> list[Township]:
    """Return the county's townships in the order they were created."""
    return list(db.session.execute(
        select(Township).where(Township.county_id == county_id).order_by(Township.id)).scalars())


def all_counties() -> list[County]:
    return list(db.session.execute(select(County).order_by(County.id)).scalars())
