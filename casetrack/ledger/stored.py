"""Read stored cases as ledger values, in bulk, for comparing with a ledger and for exporting.

Two ledger columns are kept on the case for the ledger alone: 备注 (remarks) and the 调解员 who have no
account (unlinked_mediators; mediators with an account are users). Revision 0024 filled them from the
latest ledger timeline entries, where they lived before.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.ledger.format import DisputeValues, PetitionValues, ground_value, split_names
from casetrack.ledger.lookups import TownshipBook
from casetrack.models import Dispute, Party, Petition, Petitioner, dispute_mediators

MEDIATORS = "调解员"  # the ledger's header
CHUNK = 1000  # ids per IN (...) query


@dataclass(frozen=True, slots=True)
class StoredCase:
    """A stored case as the ledger sees it, with what time limits need beyond the ledger's columns."""

    id: int
    status: str
    values: object
    accepted_on: object = None
    continuation_agreed: bool = False
    continued_until: object = None


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def disputes(book: TownshipBook, ids: list[int]) -> Iterator[StoredCase]:
    """Yield the disputes with these ids as ledger values, in the order of ids."""
    for chunk in _chunks(ids):
        cases = {row.id: row for row in db.session.execute(
            select(Dispute.id, Dispute.number, Dispute.township_id, Dispute.village_id, Dispute.natural_village_id,
                   Dispute.registered_on, Dispute.dispute_type_id, Dispute.source, Dispute.channel,
                   Dispute.people_involved, Dispute.summary, Dispute.risk_level, Dispute.level, Dispute.status,
                   Dispute.outcome, Dispute.agreement_form, Dispute.closed_on, Dispute.performance,
                   Dispute.prevented_criminal, Dispute.prevented_group_petition, Dispute.accepted_on,
                   Dispute.continuation_agreed, Dispute.continued_until, Dispute.referral_origin,
                   Dispute.referral_body, Dispute.referral_received_on, Dispute.not_accepted_ground,
                   Dispute.not_accepted_reason, Dispute.channels_told, Dispute.agreement_amount_fen,
                   Dispute.remarks, Dispute.unlinked_mediators)
            .where(Dispute.id.in_(chunk))
        )}
        sides: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for case_id, side, name in db.session.execute(
            select(Party.dispute_id, Party.side, Party.name).where(Party.dispute_id.in_(chunk))
            .order_by(Party.dispute_id, Party.position, Party.id)
        ):
            sides[case_id][side].append(name)
        mediators: dict[int, list[str]] = defaultdict(list)
        for case_id, user_id in db.session.execute(
            select(dispute_mediators.c.dispute_id, dispute_mediators.c.user_id)
            .where(dispute_mediators.c.dispute_id.in_(chunk)).order_by(dispute_mediators.c.user_id)
        ):
            mediators[case_id].append(book.user_names.get(user_id, ""))
        for case_id in chunk:
            c = cases.get(case_id)
            if c is None:
                continue
            names = mediators[case_id]
            names += [n for n in split_names(c.unlinked_mediators or "") if n not in names]
            values = DisputeValues(
                number=c.number, township=c.township_id, village=c.village_id, natural_village=c.natural_village_id,
                registered_on=c.registered_on, dispute_type=c.dispute_type_id, source=c.source, channel=c.channel,
                applicants=tuple(sides[case_id][wf.PartySide.APPLICANT.value]),
                respondents=tuple(sides[case_id][wf.PartySide.RESPONDENT.value]),
                people_involved=c.people_involved, summary=c.summary, risk_level=c.risk_level, level=c.level,
                status=c.status, outcome=c.outcome, agreement_form=c.agreement_form, closed_on=c.closed_on,
                performance=c.performance, mediators=tuple(names), prevented_criminal=c.prevented_criminal,
                prevented_group_petition=c.prevented_group_petition, remarks=c.remarks or None,
                referral_origin=c.referral_origin, referral_body=c.referral_body,
                referral_received_on=c.referral_received_on,
                not_accepted_ground=ground_value(c.not_accepted_ground, c.not_accepted_reason),
                channels_told=tuple(part for part in (c.channels_told or "").split("、") if part) or None,
                agreement_amount=c.agreement_amount_fen,
            )
            yield StoredCase(case_id, c.status, values, c.accepted_on, c.continuation_agreed, c.continued_until)


def petitions(book: TownshipBook, ids: list[int]) -> Iterator[StoredCase]:
    """Yield the petitions with these ids as ledger values, in the order of ids."""
    first = aliased(Petition)
    for chunk in _chunks(ids):
        cases = {row.id: row for row in db.session.execute(
            select(Petition.id, Petition.number, Petition.township_id, Petition.village_id, Petition.received_on,
                   Petition.channel, Petition.persons, Petition.category_id, Petition.request, Petition.decision,
                   Petition.decided_on, Petition.level, Petition.cross_level, first.number.label("repeat_number"),
                   Petition.extension_days, Petition.extension_approved_by_id, Petition.answered_on,
                   Petition.opinion, Petition.satisfaction, Petition.disruptive, Petition.status,
                   Petition.source, Petition.source_body, Petition.source_reference, Petition.assigned_due_on,
                   Petition.completion_report_on, Petition.leader_received_by, Petition.police_referred_on,
                   Petition.remarks)
            .outerjoin(first, Petition.repeat_of_id == first.id)
            .where(Petition.id.in_(chunk))
        )}
        people: dict[int, list[str]] = defaultdict(list)
        for case_id, name in db.session.execute(
            select(Petitioner.petition_id, Petitioner.name).where(Petitioner.petition_id.in_(chunk))
            .order_by(Petitioner.petition_id, Petitioner.position, Petitioner.id)
        ):
            people[case_id].append(name)
        for case_id in chunk:
            p = cases.get(case_id)
            if p is None:
                continue
            values = PetitionValues(
                number=p.number, township=p.township_id, village=p.village_id, received_on=p.received_on,
                channel=p.channel, petitioners=tuple(people[case_id]), persons=p.persons, category=p.category_id,
                request=p.request, decision=p.decision, decided_on=p.decided_on, level=p.level,
                cross_level=p.cross_level, repeat_of=p.repeat_number, extension_days=p.extension_days,
                extension_approver=p.extension_approved_by_id if p.extension_days else None,
                answered_on=p.answered_on, opinion=p.opinion, satisfaction=p.satisfaction, disruptive=p.disruptive,
                source=p.source, source_body=p.source_body, source_reference=p.source_reference,
                assigned_due_on=p.assigned_due_on, completion_report_on=p.completion_report_on,
                leader_received_by=p.leader_received_by, police_referred_on=p.police_referred_on,
                remarks=p.remarks or None,
            )
            yield StoredCase(case_id, p.status, values)


READERS = {"dispute": disputes, "petition": petitions}
