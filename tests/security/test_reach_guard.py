"""The reach guard: every GET route of the URL map, as each role, on the records of its own village, another
village of the township and another township, must show nothing of a record outside the role's reach.

The status matrix (test_authorization_matrix.py) proves who may open what; this proves what an opened page
shows. Every record of a place carries words found nowhere else (its number, its parties' and petitioners'
names, its finding, its attachment's file name), and records of the other village are linked from the own
village's records the way real work links them: a repeat petition, a finding registered as a case there, a
petition turned into a case there. A 200 whose body (or a DOCX/XLSX part of it) holds a word of a place the
role may not see fails, naming the route.
"""

import json
import zipfile
from io import BytesIO

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.extensions import db
from casetrack.models import Attachment, Dispute, Petition, ScreeningFinding
from casetrack.services import petitions as petition_services
from tests.petition_factories import category
from tests.security.helpers import PLACES, client_as, rich_world
from tests.security.test_authorization_matrix import MATRIX, _place_bound, _rules, _stored_ledger_upload, _url

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

REACH = {"mediator": {"own"}, "staff": {"own", "other"}, "leader": {"own", "other"}, "admin": {"own", "other"}}
"""The places each role may see: a mediator their village, township staff, leaders and admins their township."""

TAGS = {"own": "自家", "other": "邻村", "far": "外乡"}

MORE_VARIANTS = {
    "queue.index": ({}, {"?": {"tab": "all"}}),
    "queue.export": ({}, {"?": {"tab": "all"}}),
}
"""List pages whose default view leaves records out: ask for everything too."""


@pytest.fixture
def marked(app, world):
    """The rich world with words unique to each place, and own records linked to the other village's."""
    rich = rich_world(world)
    rich.ledger_token = _stored_ledger_upload(app, rich)
    words = {place: set() for place in PLACES}
    for place, tag in TAGS.items():
        dispute = db.session.get(Dispute, rich.arg(place, "case_id"))
        for n, party in enumerate(dispute.parties):
            party.name = f"{'韩魏'[n % 2]}{tag}{n}"
            words[place].add(party.name)
        petition = db.session.get(Petition, rich.arg(place, "petition_id"))
        petition.petitioners[0].name = f"赵{tag}"
        finding = db.session.get(ScreeningFinding, rich.arg(place, "finding_id"))
        finding.description = f"排查发现{tag}"
        attachment = db.session.get(Attachment, rich.arg(place, "attachment_id"))
        attachment.filename = f"照片{tag}.png"
        words[place] |= {dispute.number, petition.number, f"赵{tag}", f"排查发现{tag}", f"照片{tag}.png"}
    db.session.commit()
    own_petition = db.session.get(Petition, rich.arg("own", "petition_id"))
    repeat = petition_services.register_petition(  # numbered apart from the intake form's example number
        rich.base.staff, rich.base.township, petition_services.PetitionIntake(
            received_on=clock.today(), channel=pw.Channel.LETTER, category_id=category(rich.base.township).id,
            request="再次反映补偿款", persons=1, village_id=rich.base.other_village.id,
            repeat_of_number=own_petition.number, petitioners=[petition_services.PetitionerData("钱邻村重复")]),
        clock.today(), number=f"({clock.today().year})斜信字第901号")
    words["other"] |= {repeat.number, "钱邻村重复"}
    other_case = db.session.get(Dispute, rich.arg("other", "case_id"))
    other_case.petition_id = own_petition.id  # the own village's petition, turned into the other village's case
    db.session.get(ScreeningFinding, rich.arg("own", "finding_id")).dispute_id = other_case.id
    db.session.commit()
    rich.words = words
    return rich


def _text(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # DOCX and XLSX: read every XML part
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                           if name.endswith(".xml"))
    return data.decode("utf-8", "replace")


def _leaks(body: str, words: set[str]) -> list[str]:
    return sorted(w for w in words if w in body or json.dumps(w)[1:-1] in body)


@pytest.mark.parametrize("role", sorted(REACH))
def test_no_page_shows_a_record_outside_the_roles_reach(app, marked, role):
    hidden = set().union(*(marked.words[p] for p in PLACES if p not in REACH[role]))
    visible = set().union(*(marked.words[p] for p in REACH[role]))
    client = client_as(app, role)
    problems, pages = [], 0
    seen_visible = set()
    for endpoint, rule in _rules(app).items():
        if "GET" not in rule.methods or endpoint == "auth.logout":
            continue
        row = MATRIX.get(endpoint)
        assert row is not None, f"{endpoint} is not in the authorization matrix"
        places = PLACES if _place_bound(rule, row) else ("own",)
        for place in places:
            for variant in (*row.variants, *MORE_VARIANTS.get(endpoint, ())):
                url = _url(app, marked, endpoint, rule, variant, place)
                response = client.get(url)
                if response.status_code != 200:
                    continue
                pages += 1
                body = _text(response)
                seen_visible |= {w for w in visible if w in body}
                leaked = _leaks(body, hidden)
                if leaked:
                    problems.append(f"{endpoint} {place} {url}: shows {', '.join(leaked)}")
    assert not problems, f"{role} sees beyond reach on {len(problems)} pages:\n" + "\n".join(problems)
    # the walk really reached the records it may see (else it proves nothing): every own word shows somewhere
    assert marked.words["own"] <= seen_visible, sorted(marked.words["own"] - seen_visible)
    assert pages > 20


def test_the_walk_covers_every_get_route(app):
    """A new GET route is walked without being named here: the walk takes the URL map itself."""
    walked = {e for e, rule in _rules(app).items() if "GET" in rule.methods and e != "auth.logout"}
    assert walked and walked <= set(MATRIX)


def test_township_staff_see_the_links_a_mediator_may_not(app, marked):
    """Staff reach both villages: the repeat petition and the finding's case show on the own records' pages."""
    client = client_as(app, "staff")
    petition_page = client.get(f"/petitions/{marked.arg('own', 'petition_id')}").get_data(as_text=True)
    assert "钱邻村重复" not in petition_page  # names of a repeat are on its own page; its number is listed
    repeat_number = db.session.execute(select(Petition.number).where(
        Petition.repeat_of_id == marked.arg("own", "petition_id"))).scalar_one()
    assert repeat_number in petition_page
    other_number = db.session.get(Dispute, marked.arg("other", "case_id")).number
    assert other_number in client.get(f"/screening/{marked.arg('own', 'round_id')}").get_data(as_text=True)
    assert other_number in petition_page
