"""Township review of village cases: send back for correction (退回补正), and merge a duplicate into its original."""

from sqlalchemy import or_, select

from casetrack import permissions
from casetrack.clock import now_utc
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.domain.identity import normalise_id_number
from casetrack.extensions import db
from casetrack.models import Dispute, Party, User, Village
from casetrack.services import notifications
from casetrack.services.disputes import check_version
from casetrack.services.timeline import record_event


def send_back(dispute: Dispute, staff: User, note: str, expected_version: int | None = None) -> None:
    """Return a village's case to its mediator with a note; it stays on their list until corrected."""
    check_version(dispute, expected_version)
    if dispute.state is wf.DisputeState.ARCHIVED:
        raise DomainError("已归档的案件不能退回补正。")
    if dispute.returned_note:
        raise DomainError("该案件已退回补正,尚未补正完毕。")
    if not note.strip():
        raise DomainError("请写明需要补正的内容。")
    dispute.returned_note = note.strip()
    dispute.returned_at = now_utc()
    dispute.returned_by_id = staff.id
    db.session.flush()
    record_event(dispute, staff, "send_back", {"note": note.strip()})
    notifications.announce_send_back(dispute, dispute.returned_at)


def mark_corrected(dispute: Dispute, mediator: User, note: str, expected_version: int | None = None) -> None:
    """Record that the mediator corrected the case; the earlier version stays in the timeline."""
    check_version(dispute, expected_version)
    if not dispute.returned_note:
        raise DomainError("该案件没有待补正的内容。")
    before = dispute.returned_note
    dispute.returned_note = None
    dispute.returned_at = None
    db.session.flush()
    record_event(dispute, mediator, "corrected", {"note": note.strip() or None}, {"returned_note": (before, None)})


def duplicate_candidates(village_id: int, names: list[str], id_numbers: list[str], phones: list[str],
                         exclude_id: int | None = None) -> list[Dispute]:
    """Open cases in the same township naming one of these parties: by name in the same village, ID or phone.

    The search is township-wide whoever asks (a village's party may have a case open in the next village), so
    it looks past the user's reach: the caller shows each match only as far as the user may see it
    (web/cases.py tells a mediator just that a match outside the village exists).
    """
    village = db.session.get(Village, village_id)
    if village is None:
        return []
    ids = [normalise_id_number(n) for n in id_numbers if n]
    phones = [p.strip() for p in phones if p]
    names = [n.strip() for n in names if n and n.strip()]
    matches = []
    if names:
        matches.append((Party.name.in_(names)) & (Dispute.village_id == village.id))
    if ids:
        matches.append(Party.id_number.in_(ids))
    if phones:
        matches.append(Party.phone.in_(phones))
    if not matches:
        return []
    query = (
        select(Dispute).join(Party, Party.dispute_id == Dispute.id)
        .where(Dispute.township_id == village.township_id, Dispute.status.in_(wf.OPEN_STATUSES), Dispute.not_merged,
               or_(*matches))
        .distinct().order_by(Dispute.registered_on.desc()).limit(10)
    )
    if exclude_id:
        query = query.where(Dispute.id != exclude_id)
    return list(db.session.execute(query.execution_options(**permissions.COUNTY_WIDE)).scalars())


def merge(duplicate: Dispute, original: Dispute, staff: User, expected_version: int | None = None) -> None:
    """Merge a duplicate registration into the original: it leaves the queue and the figures; both timelines keep it."""
    check_version(duplicate, expected_version)
    if duplicate.id == original.id:
        raise DomainError("不能把案件合并到它自己。")
    if duplicate.township_id != original.township_id:
        raise DomainError("只能合并本乡镇的案件。")
    if duplicate.merged_into_id:
        raise DomainError("该案件已合并。")
    if duplicate.status not in wf.OPEN_STATUSES:
        raise DomainError("只有尚未调结的案件可以作为重复登记合并。")
    if original.merged_into_id:
        raise DomainError("%(number)s 本身已合并到其他案件,请合并到最初的案件。", number=original.number)
    duplicate.merged_into_id = original.id
    db.session.flush()
    record_event(duplicate, staff, "merged", {"number": original.number, "dispute_id": original.id},
                 {"merged_into": (None, original.number)})
    record_event(original, staff, "merged_in", {"number": duplicate.number, "dispute_id": duplicate.id})
