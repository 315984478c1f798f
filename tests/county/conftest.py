"""A county (示范县) holding the conftest world's two townships, a third township (南川乡) outside it with a
record of every kind, and a county account (县司法局)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import County, Role, Township, User, Village
from casetrack.services import accounts, counties, places
from casetrack.services import screening as screening_services
from tests.conftest import PASSWORD, World
from tests.factories import make_dispute
from tests.petition_factories import make_petition


@dataclass
class CountyWorld:
    base: World
    county: County
    county_user: User
    outside: Township
    outside_village: Village
    outside_staff: User


@pytest.fixture
def county_world(app, world) -> CountyWorld:
    county = counties.add_county("示范县", [world.township.name, world.other_township.name])
    outside = places.add_township("南川乡", ["南川村"])
    outside_staff = accounts.add_user("nanstaff", PASSWORD, Role.STAFF, township=outside)
    county_user = accounts.add_user("countyuser", PASSWORD, Role.COUNTY, county=county, full_name="县司法局 周平")
    db.session.commit()
    return CountyWorld(world, county, county_user, outside, outside.villages[0], outside_staff)


def records_everywhere(cw: CountyWorld) -> None:
    """A dispute in mediation, one agreed and visited, a petition in progress and a round with a finding in each of the four villages."""
    today = clock.today()
    w = cw.base
    for village, actor in ((w.village, w.staff), (w.other_village, w.staff), (w.far_village, w.far_staff),
                           (cw.outside_village, cw.outside_staff)):
        make_dispute(actor, village, state="mediating", registered_on=today - timedelta(days=10))
        make_dispute(actor, village, state="visited", registered_on=today - timedelta(days=40))
        make_petition(actor, village.township, state="in_progress", village=village,
                      received_on=today - timedelta(days=10))
        screening_services.record_round(actor, village.township, "village", village.id, today - timedelta(days=1),
                                        "刘明", [screening_services.FindingData("两户因宅基地边界争执", True)], today)
    db.session.commit()
