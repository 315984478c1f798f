"""Correct what was registered: every fact of the intake, parties included, checked as at intake.

Each correction is one timeline entry listing every field from → to, ID numbers and phones masked. The facts
the period's figures are counted by (登记日期, 所属村) change only while no report covering the case's period
has been frozen (web/reports.py freeze), so a published figure stays reproducible.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from casetrack.clock import now_utc
from casetrack.domain import timeline as tl
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.domain.identity import (
    check_person,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import Dispute, Party, ReportSnapshot, User, Village
from casetrack.services import disputes
from casetrack.services.disputes import DisputeIntake, PartyData, check_version
from casetrack.services.timeline import record_event


@dataclass
class PartyRow:
    """One party row of the correction form: an existing party (party_id) or a new one; remove drops it."""

    party_id: int | None
    data: PartyData | None
    remove: bool = False



def _periods_of(day: date) -> list[str]:
    return [Period.of_year(day.year).key, Period.of_quarter(day.year, (day.month - 1) // 3 + 1).key,
            Period.of_month(day.year, day.month).key]


def frozen_period(dispute: Dispute, *days: date) -> str | None:
    """The label of a frozen report period holding one of these days for the case's township, if any."""
    keys = {key for day in days for key in _periods_of(day)}
    found = db.session.execute(
        select(ReportSnapshot.period).where(
            ReportSnapshot.scope.in_([f"township:{dispute.township_id}", "county"]),
            ReportSnapshot.period.in_(keys)).order_by(ReportSnapshot.period).limit(1)
    ).scalar_one_or_none()
    return Period.parse(found).label if found else None


def _earliest_later_date(dispute: Dispute) -> date | None:
    """The first date recorded after registration: registration cannot move past it."""
    days = [d for d in (dispute.accepted_on, dispute.closed_on) if d]
    days += [s.held_on for s in dispute.sessions] + [n.noted_on for n in dispute.investigation_notes]
    return min(days) if days else None


def _describe(name: str, value):
    """A field's value as the timeline keeps it: raw, a village by its name."""
    if name == "village_id":
        return db.session.get(Village, value).name if value else None
    return disputes._describe(name, value)


def _shown(name: str, value: str | None) -> str | None:
    """A party's value as the timeline keeps it: ID numbers and phones masked, a gender by its value."""
    if not value:
        return None
    if name == "id_number":
        return mask_id_number(value)
    if name == "phone":
        return mask_phone(value)
    return value


def _stored(data: PartyData) -> dict:
    return {
        "name": data.name.strip(),
        "gender": data.gender.value if data.gender else None,
        "id_number": normalise_id_number(data.id_number) if data.id_number else None,
        "phone": normalise_phone(data.phone) if data.phone else None,
        "address": (data.address or "").strip() or None,
    }


def _check_registration(dispute: Dispute, intake: DisputeIntake, today: date) -> None:
    village, natural, dispute_type = disputes._resolve_places(intake)
    if village.township_id != dispute.township_id:
        raise DomainError("所属村只能改为本乡镇的村。")
    if not dispute_type.active and dispute_type.id != dispute.dispute_type_id:
        raise DomainError("纠纷类别“%(name)s”已停用,请选择其他类别。", name=dispute_type.name)
    if intake.registered_on > today:
        raise DomainError("登记日期不能晚于今天。")
    if intake.registered_on.year != dispute.year:
        raise DomainError("登记日期只能在%(year)s年内更正(案号按年度编号)。", year=dispute.year)
    later = _earliest_later_date(dispute)
    if later and intake.registered_on > later:
        raise DomainError("登记日期不能晚于本案已记录的受理、调查或调解日期(%(date)s)。", date=later.isoformat())
    if not intake.summary.strip():
        raise DomainError("请填写简要案情。")
    if intake.registered_on != dispute.registered_on or intake.village_id != dispute.village_id:
        frozen = frozen_period(dispute, dispute.registered_on, intake.registered_on)
        if frozen:
            raise DomainError("%(period)s的统计数字已冻结,登记日期和所属村不能再修改。", period=frozen)


def _party_changes(dispute: Dispute, rows: list[PartyRow], today: date) -> tuple[dict, list]:
    """Check the party rows and return the timeline's changes and the work to apply them."""
    own = {p.id: p for p in dispute.parties}
    concluded = dispute.outcome is not None or dispute.state not in (
        wf.DisputeState.REGISTERED, wf.DisputeState.ACCEPTED, wf.DisputeState.MEDIATING)
    diff: dict = {}
    work: list = []
    kept_sides = []
    for row in rows:
        party = own.get(row.party_id) if row.party_id else None
        if row.party_id and party is None:
            raise DomainError("当事人不属于本案,请刷新页面后重新填写。")
        if row.remove or row.data is None:
            if party is None:
                continue
            if concluded:
                raise DomainError("调解已有结果的案件不能增删当事人,只能更正其信息。")
            diff[tl.party_key(party.side, party.name, "removed")] = (party.name, None)
            work.append(("remove", party, None))
            continue
        data = row.data
        check_person(data.name, data.id_number, data.phone, "当事人", today)
        values = _stored(data)
        kept_sides.append(data.side)
        if party is None:
            if concluded:
                raise DomainError("调解已有结果的案件不能增删当事人,只能更正其信息。")
            diff[tl.party_key(data.side.value, values["name"], "added")] = (
                None, {k: _shown(k, v) for k, v in values.items() if v})
            work.append(("add", None, (data.side, values)))
            continue
        if data.side.value != party.side:
            raise DomainError("当事人不属于本案,请刷新页面后重新填写。")
        for name, value in values.items():
            old = getattr(party, name)
            if (old or None) != value:
                diff[tl.party_key(data.side.value, party.name, name)] = (_shown(name, old), _shown(name, value))
                work.append(("set", party, (name, value)))
    posted = {row.party_id for row in rows if row.party_id}
    for party in dispute.parties:  # a row missing from the form is kept: only a ticked 删除 removes a party
        if party.id not in posted:
            kept_sides.append(wf.PartySide(party.side))
    if wf.PartySide.APPLICANT not in kept_sides:
        raise DomainError("至少需要一名申请人。")
    return diff, work


def correct_registration(
    dispute: Dispute, actor: User, intake: DisputeIntake, rows: list[PartyRow] | None, today: date,
    expected_version: int | None = None,
) -> dict:
    """Correct every registered fact and the parties (None: leave them); return the changes (label → from, to)."""
    check_version(dispute, expected_version)
    if dispute.state is wf.DisputeState.ARCHIVED:
        raise DomainError("已归档的案件不能修改。")
    if dispute.merged_into_id:
        raise DomainError("该案件已作为重复登记合并,不能再修改。")
    _check_registration(dispute, intake, today)
    party_diff, work = _party_changes(dispute, rows, today) if rows is not None else ({}, [])
    values = {
        "village_id": intake.village_id, "registered_on": intake.registered_on, "source": intake.source.value,
        "dispute_type_id": intake.dispute_type_id, "natural_village_id": intake.natural_village_id,
        "summary": intake.summary.strip(), "people_involved": intake.people_involved,
        "risk_level": intake.risk_level.value, "police_reported": intake.police_reported,
        "channel": intake.channel.value, "group_dispute": intake.group_dispute,
    }
    if intake.source is wf.Source.REFERRAL:  # a 委托移送 case's origin (one registered before origins may keep it unknown)
        disputes.check_referral(intake.source, intake.referral_origin, intake.referral_body,
                                intake.referral_received_on, intake.registered_on,
                                required=dispute.source != wf.Source.REFERRAL.value or dispute.referral_origin is not None)
        values.update(referral_origin=intake.referral_origin.value if intake.referral_origin else None,
                      referral_body=(intake.referral_body or "").strip() or None,
                      referral_received_on=intake.referral_received_on)
    else:
        values.update(referral_origin=None, referral_body=None, referral_received_on=None)
    diff = {}
    for name, value in values.items():
        old = getattr(dispute, name)
        if old != value:
            diff[name] = (_describe(name, old), _describe(name, value))
            setattr(dispute, name, value)
    position = max((p.position for p in dispute.parties), default=-1)
    for kind, party, detail in work:
        if kind == "remove":
            dispute.parties.remove(party)
            db.session.delete(party)
        elif kind == "set":
            setattr(party, *detail)
        else:
            side, stored = detail
            position += 1
            dispute.parties.append(Party(side=side.value, position=position, **stored))
    diff.update(party_diff)
    if diff:
        dispute.updated_at = now_utc()  # a change to the parties alone must move the case's version too
        db.session.flush()
        record_event(dispute, actor, "edit", {}, diff)
    return diff
