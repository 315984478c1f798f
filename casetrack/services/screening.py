"""Screening rounds (排查): record them, turn findings into disputes, and build the compliance board."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from casetrack.domain import screening as sc
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.models import IntensifiedPeriod, ScreeningFinding, ScreeningRound, Township, User, Village
from casetrack.services import disputes as dispute_services
from casetrack.services.timeline import record_event

LEVELS = {"village": N_("村级排查"), "township": N_("乡级排查")}
"""The levels' labels, Chinese as the timeline and the files keep them; templates show them with |tr."""


@dataclass
class FindingData:
    description: str
    is_dispute: bool = False
    note: str | None = None


def interval_for(township: Township, level: str) -> str:
    """Return the township's screening interval for a level (week / half_month ...)."""
    return township.setting(f"screening_{level}_interval")


def intensified_periods(township: Township, level: str, start: date, end: date) -> list[sc.IntensePeriod]:
    """Return the named periods demanding more rounds of this level that overlap [start, end]."""
    rows = db.session.execute(
        select(IntensifiedPeriod).where(
            IntensifiedPeriod.township_id == township.id, IntensifiedPeriod.starts_on <= end,
            IntensifiedPeriod.ends_on >= start, IntensifiedPeriod.applies_to.in_([level, "both"]),
        ).order_by(IntensifiedPeriod.starts_on)
    ).scalars()
    return [sc.IntensePeriod(p.name, p.starts_on, p.ends_on, p.interval) for p in rows]


def period_for(township: Township, level: str, held_on: date) -> sc.Period:
    """Return the period a round held on this day covers (intensified periods included)."""
    interval = interval_for(township, level)
    ordinary = sc.period_of(held_on, interval)
    periods = sc.schedule(ordinary.start, ordinary.end, interval,
                          intensified_periods(township, level, ordinary.start, ordinary.end))
    return next(p for p in periods if p.contains(held_on))


class DuplicateRound(DomainError):
    """A unit (a village, or the township) already has a round in this schedule period; existing_id is that round."""

    def __init__(self, template: str, existing_id: int, /, **params: object):
        super().__init__(template, **params)
        self.existing_id = existing_id


def _duplicate(existing: ScreeningRound, unit: str, period: sc.Period) -> DuplicateRound:
    return DuplicateRound(
        "%(unit)s在本排查周期(%(start)s至%(end)s)已于%(held_on)s记录过排查,每个周期只记录一次。", existing.id,
        unit=unit, start=period.start.isoformat(), end=period.end.isoformat(), held_on=existing.held_on.isoformat(),
    )


def round_in_period(township: Township, level: str, village_id: int | None, period: sc.Period
                    ) -> ScreeningRound | None:
    """Return the first round the unit already has in the period: held within it, or recorded for it.

    A round recorded before an intensified period was added keeps the period it was recorded for; a round
    held inside the new period's days still counts, so the unit is not asked twice for the same days.
    """
    unit = (ScreeningRound.village_id == village_id) if level == "village" else (
        ScreeningRound.township_id == township.id)
    return db.session.execute(
        select(ScreeningRound).where(
            ScreeningRound.level == level, unit,
            ((ScreeningRound.held_on >= period.start) & (ScreeningRound.held_on <= period.end))
            | (ScreeningRound.period_start == period.start),
        ).order_by(ScreeningRound.held_on, ScreeningRound.id).limit(1)
    ).scalar_one_or_none()


def record_round(
    actor: User, township: Township, level: str, village_id: int | None, held_on: date, screeners: str,
    findings: list[FindingData], today: date, focus: str | None = None, notes: str | None = None,
) -> ScreeningRound:
    """Record a screening round; with no findings it is a nil report (零上报), a real record.

    One round per unit and schedule period (a village per week, the township per half month, or the shorter
    periods of an intensified period): a second is refused with DuplicateRound naming the first. The database
    keeps the same rule (unique indexes, migration 0023), so two requests at once cannot both save.
    """
    if level not in LEVELS:
        raise DomainError("排查层级应为村级或乡级。")
    if held_on > today:
        raise DomainError("排查日期不能晚于今天。")
    if not screeners.strip():
        raise DomainError("请填写排查人员。")
    village = None
    if level == "village":
        village = db.session.get(Village, village_id) if village_id else None
        if village is None or village.township_id != township.id:
            raise DomainError("村级排查须选择本乡镇的行政村。")
    for finding in findings:
        if not finding.description.strip():
            raise DomainError("排查发现的情况不能为空。")
    period = period_for(township, level, held_on)
    unit = village.name if village else township.name
    if (existing := round_in_period(township, level, village.id if village else None, period)) is not None:
        raise _duplicate(existing, unit, period)
    round_ = ScreeningRound(
        township_id=township.id, village_id=village.id if village else None, level=level, held_on=held_on,
        period_start=period.start, period_end=period.end, screeners=screeners.strip(),
        focus=(focus or "").strip() or period.focus, notes=notes, created_by_id=actor.id,
    )
    for finding in findings:
        round_.findings.append(ScreeningFinding(
            description=finding.description.strip(), is_dispute=finding.is_dispute, note=finding.note,
        ))
    try:
        with db.session.begin_nested():
            db.session.add(round_)
    except IntegrityError:  # another request saved this unit's round for the period meanwhile
        existing = round_in_period(township, level, village.id if village else None, period)
        if existing is None:
            raise
        raise _duplicate(existing, unit, period) from None
    return round_


def register_finding_as_dispute(
    finding: ScreeningFinding, actor: User, dispute_type_id: int, applicants: list[str], respondents: list[str],
    summary: str, today: date, village_id: int | None = None,
):
    """Register a finding as a dispute with source 主动调解, linked to its round."""
    if finding.dispute_id:
        raise DomainError("该排查发现已登记为纠纷。")
    round_ = finding.round
    village_id = round_.village_id or village_id
    if not village_id:
        raise DomainError("请选择纠纷所属的行政村。")
    parties = [dispute_services.PartyData(wf.PartySide.APPLICANT, name) for name in applicants if name.strip()]
    parties += [dispute_services.PartyData(wf.PartySide.RESPONDENT, name) for name in respondents if name.strip()]
    intake = dispute_services.DisputeIntake(
        village_id=village_id, dispute_type_id=dispute_type_id, source=wf.Source.INITIATIVE,
        registered_on=round_.held_on, summary=summary, parties=parties,
        people_involved=max(len(parties), 1),
    )
    dispute = dispute_services.register_dispute(actor, intake, today)
    dispute.screening_round_id = round_.id
    finding.dispute_id = dispute.id
    finding.is_dispute = True
    db.session.flush()
    record_event(dispute, actor, "from_screening", {"on": round_.held_on, "screening": round_.level,
                                                     "round_id": round_.id})
    return dispute


@dataclass
class BoardRow:
    """One unit's row on the compliance board."""

    name: str
    village_id: int | None
    cells: list[tuple[sc.Period, str]]
    compliance: sc.Compliance
    due_now: sc.Period | None = None


@dataclass
class Board:
    start: date
    end: date
    village_periods: list[sc.Period]
    township_periods: list[sc.Period]
    village_rows: list[BoardRow] = field(default_factory=list)
    township_row: BoardRow | None = None

    @property
    def overall(self) -> sc.Compliance:
        rows = [*self.village_rows, *([self.township_row] if self.township_row else [])]
        return sc.combine(r.compliance for r in rows)


def _row(name, village_id, periods, rounds, today) -> BoardRow:
    records = [sc.RoundRecord(r.held_on, r.is_nil) for r in rounds]
    cells = [(p, sc.cell_status(p, records, today)) for p in periods]
    due_now = next((p for p, status in cells if status == sc.DUE), None)
    return BoardRow(name, village_id, cells, sc.compliance(s for _p, s in cells), due_now)


def board(township: Township, start: date, end: date, today: date, village_ids: list[int] | None = None) -> Board:
    """Build the board: villages × their periods and the township × its periods, held / nil / missed."""
    if end < start:
        raise DomainError("结束日期不能早于开始日期。")
    if (end - start).days > 400:
        raise DomainError("排查情况表一次最多显示一年。")
    village_periods = sc.schedule(start, end, interval_for(township, "village"),
                                  intensified_periods(township, "village", start, end))
    township_periods = sc.schedule(start, end, interval_for(township, "township"),
                                   intensified_periods(township, "township", start, end))
    window_start = min(p.start for p in [*village_periods, *township_periods])
    window_end = max(p.end for p in [*village_periods, *township_periods])
    rounds = db.session.execute(
        select(ScreeningRound).where(
            ScreeningRound.township_id == township.id, ScreeningRound.held_on >= window_start,
            ScreeningRound.held_on <= window_end,
        ).options(selectinload(ScreeningRound.findings))
    ).scalars().all()
    result = Board(start, end, village_periods, township_periods)
    for village in township.villages:
        if village_ids is not None and village.id not in village_ids:
            continue
        own = [r for r in rounds if r.level == "village" and r.village_id == village.id]
        result.village_rows.append(_row(village.name, village.id, village_periods, own, today))
    if village_ids is None:
        own = [r for r in rounds if r.level == "township"]
        result.township_row = _row(township.name, None, township_periods, own, today)
    return result
