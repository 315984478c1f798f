"""Who may see and do what. Every query of cases is scoped here, so no view can forget it.

Besides the predicates and WHERE clauses below, `install(session)` makes the scoping hold by construction:
during a request every ORM query over disputes, petitions and screening rounds and all that belongs to them (parties,
attachments, sessions, notes, return visits, supervisions, timeline entries, petitioners, findings) is limited to the signed-in user's reach (nothing for an anonymous visitor), whatever the view or service
asked. The way out is named and explicit: `county_wide()` for a block, `COUNTY_WIDE` for one statement.
Outside a request (the CLI, migrations, background work, the test code itself) no user is signed in and the
system sees everything. Core statements over a bare Table (`select(Dispute.__table__)`) are not ORM queries and
are not covered, nor are bulk UPDATE/DELETE statements: write ORM selects, or add `dispute_scope()` and its kin.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from flask import has_request_context
from sqlalchemy import and_, event, false, or_, select, true
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from casetrack.domain import workflow as wf
from casetrack.models import (
    Attachment,
    CaseEvent,
    Dispute,
    InvestigationNote,
    MediationSession,
    Party,
    Petition,
    Petitioner,
    ReturnVisit,
    RiskWarning,
    Role,
    ScreeningFinding,
    ScreeningRound,
    Supervision,
    User,
    Village,
)

_CASE_CHILDREN = (Party, Attachment, MediationSession, InvestigationNote, ReturnVisit, Supervision)
SCOPED_MODELS = (Dispute, Petition, ScreeningRound, *_CASE_CHILDREN, Petitioner, ScreeningFinding, CaseEvent,
                 RiskWarning)
"""Every model the reach hook limits during a request."""


def dispute_scope(user: User):
    """Return a WHERE clause limiting disputes to those the user may see."""
    return _within(Dispute, reach_of(user))


def village_scope(user: User):
    """Return a WHERE clause limiting villages to those the user may register cases in."""
    role = user.role
    if role is Role.MEDIATOR:
        return Village.id == user.village_id
    if role is Role.COUNTY:
        return _within(Village, reach_of(user))
    if user.township_id is None:
        return true()
    return Village.township_id == user.township_id


# --- what a role may do at all (pages and menus gated by `web.decorators.allowed_if`) --------------------------

def can_register(user: User) -> bool:
    """Tell whether the user may register new disputes."""
    return user.role in (Role.MEDIATOR, Role.STAFF)


def can_register_petition(user: User) -> bool:
    """Staff register petitions for the township, mediators for their own village."""
    return user.role in (Role.MEDIATOR, Role.STAFF)


def can_register_petition_for(user: User, village_id: int | None) -> bool:
    """Staff register a petition for any village of the township or none; a mediator for their own village only."""
    if user.role is Role.MEDIATOR:
        return village_id is not None and village_id == user.village_id
    return user.role is Role.STAFF


def can_record_screening(user: User) -> bool:
    """Mediators record their village's screening rounds, staff the township's and any village's."""
    return user.role in (Role.MEDIATOR, Role.STAFF)


def can_record_round(user: User, level: str, village_id: int | None) -> bool:
    """Staff record any round of their township; a mediator only their own village's village-level rounds."""
    role = user.role
    if role is Role.STAFF:
        return True
    return role is Role.MEDIATOR and level == "village" and village_id == user.village_id


def can_plan_screening(user: User) -> bool:
    """Township staff name the periods (holidays, sensitive times) that demand more frequent rounds."""
    return user.role is Role.STAFF


def can_act_in_bulk(user: User) -> bool:
    """Township staff apply one action to many cases from the queue."""
    return user.role is Role.STAFF


def can_import_ledger(user: User) -> bool:
    """Township staff import and export the township's ledger (台账)."""
    return user.role is Role.STAFF and user.township_id is not None


def can_administer(user: User) -> bool:
    """Admins keep users, places, settings and the holiday calendar."""
    return user.role is Role.ADMIN


def can_edit_holiday_calendar(user: User) -> bool:
    """The calendar is county-wide (issue 13): only an admin of no single township changes it."""
    return user.role is Role.ADMIN and user.township_id is None


def can_read_reports(user: User) -> bool:
    """Township staff, leaders, admins and the county read the figures; a village mediator does not."""
    return user.role in (Role.STAFF, Role.LEADER, Role.ADMIN, Role.COUNTY)


def can_freeze_reports(user: User) -> bool:
    """Township staff publish (freeze) a period's figures."""
    return user.role is Role.STAFF and user.township_id is not None


def can_read_county(user: User) -> bool:
    """The county's staff read their county's roll-up (/county); an admin of no single township reads any county's."""
    role = user.role
    return role is Role.COUNTY or (role is Role.ADMIN and user.township_id is None)


def can_submit_returns(user: User) -> bool:
    """Township staff submit their township's monthly return (月报)."""
    return user.role is Role.STAFF and user.township_id is not None


def can_review_return(user: User, monthly_return) -> bool:
    """The county's accounts accept or send back the returns of their county's townships."""
    return user.role is Role.COUNTY and reach_of(user).holds(monthly_return)


def can_read_return(user: User, monthly_return) -> bool:
    """A return is read by its township's staff, leaders and admins, its county and a county-wide admin."""
    if user.role is Role.MEDIATOR:
        return False
    reach = reach_of(user)
    return reach.everywhere or (reach.village_id is None and reach.holds(monthly_return))


def can_list_supervised(user: User) -> bool:
    """A leader, or a county account, keeps a list of the cases they supervise (督办)."""
    return user.role in (Role.LEADER, Role.COUNTY)


# --- what a user may do to one case ------------------------------------------------------------------------

def _handles(user: User, dispute: Dispute) -> bool:
    """Staff handle their whole township; a mediator their own village's cases while handled at village level
    (escalating one to the township hands it over). Leaders and admins read."""
    role = user.role
    if role is Role.STAFF:
        return dispute.township_id == user.township_id
    if role is Role.MEDIATOR:
        return dispute.village_id == user.village_id and dispute.level == wf.Level.VILLAGE.value
    return False


def _reviews(user: User, dispute: Dispute) -> bool:
    """Township staff review their township's cases (send back, merge, look for duplicates)."""
    return user.role is Role.STAFF and dispute.township_id == user.township_id


def _corrects(user: User, dispute: Dispute) -> bool:
    """A case sent back is corrected by whoever handles it, or by the village's mediator who registered it."""
    return _handles(user, dispute) or (user.role is Role.MEDIATOR and dispute.village_id == user.village_id)


def _supervises(user: User, dispute: Dispute) -> bool:
    """A leader of the township supervises (督办) its cases; the county supervises every township of the county."""
    if user.role is Role.COUNTY:
        return reach_of(user).holds(dispute)
    return user.role is Role.LEADER and dispute.township_id == user.township_id


CASE_ACTIONS = {
    # the workflow (web/cases.py ACTIONS and the queue's bulk actions) and the case's own records
    **dict.fromkeys(("accept", "not-accept", "assign", "investigation", "session", "continuation", "conclude",
                     "return-visit", "judicial-confirmation", "court-result", "archive", "escalate",
                     "edit", "attach", "responsibility", "prevention", "objection"), _handles),
    "send_back": _reviews, "merge": _reviews, "see_duplicates": _reviews,
    "corrected": _corrects,
    "supervise": _supervises,
}
"""Who may take each action on a dispute: the one table the case page, the action pages and the queue ask."""


def can_act(user: User, dispute: Dispute, action: str) -> bool:
    """Tell whether the user may take this action (a key of CASE_ACTIONS) on this dispute."""
    try:
        rule = CASE_ACTIONS[action]
    except KeyError:
        raise ValueError(f"no rule for the action {action!r}: add it to CASE_ACTIONS") from None
    return rule(user, dispute)


class Abilities:
    """What one user may do, asked by templates: `{% if can.register %}`, `{% if can.act(case, "merge") %}`.

    `can.<name>` is the predicate `can_<name>(user)` of this module, so a template never compares roles itself.
    """

    def __init__(self, user: User):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        predicate = _USER_PREDICATES.get(name)
        if predicate is None:
            raise AttributeError(f"permissions has no predicate can_{name}(user)")
        return bool(getattr(self._user, "is_authenticated", False)) and predicate(self._user)

    def act(self, dispute: Dispute, action: str) -> bool:
        return bool(getattr(self._user, "is_authenticated", False)) and can_act(self._user, dispute, action)


def can_search_phones(user: User) -> bool:
    """Township staff, leaders and admins find a party or petitioner by phone in the queue; a village mediator
    does not (issue 18): the search of a village's phone reaches no one's number."""
    return user.role in (Role.STAFF, Role.LEADER, Role.ADMIN)


def sees_personal_data(user: User, dispute: Dispute) -> bool:
    """Tell whether ID numbers and phones are shown whole: only to those who handle the case."""
    return _handles(user, dispute)


def petition_scope(user: User):
    """Return a WHERE clause limiting petitions to those the user may see."""
    return _within(Petition, reach_of(user))


def can_handle_petition(user: User, petition: Petition) -> bool:
    """Only township staff handle petitions once registered."""
    return user.role is Role.STAFF and petition.township_id == user.township_id


def can_approve_extension(user: User, petition: Petition) -> bool:
    """A leader of the township approves extensions of the handling limit (Art. 34)."""
    return user.role is Role.LEADER and petition.township_id == user.township_id


PETITION_ACTIONS = {
    **dict.fromkeys(("decide", "start", "request-extension", "answer", "deliver", "rate", "request-review",
                     "answer-review", "request-second-review", "answer-second-review", "close", "convert",
                     "route", "object", "objection-outcome", "report", "level", "disruptive"),
                    can_handle_petition),
    "approve-extension": can_approve_extension, "decline-extension": can_approve_extension,
    "supervise": can_approve_extension,  # a leader of the township supervises (督办) its petitions too
}
"""Who may take each step of a petition (web/petitions.py ACTIONS): staff handle it, a leader rules on extensions."""


def can_act_on_petition(user: User, petition: Petition, action: str) -> bool:
    """Tell whether the user may take this step (a key of PETITION_ACTIONS) on this petition."""
    try:
        rule = PETITION_ACTIONS[action]
    except KeyError:
        raise ValueError(f"no rule for the petition action {action!r}: add it to PETITION_ACTIONS") from None
    return rule(user, petition)


def sees_petitioner_data(user: User, petition: Petition) -> bool:
    """Tell whether petitioners' ID numbers and phones are shown whole."""
    return can_handle_petition(user, petition)


def round_scope(user: User):
    """Return a WHERE clause limiting screening rounds to those the user may see."""
    return _within(ScreeningRound, reach_of(user))


def can_acknowledge_warning(user: User, warning: RiskWarning) -> bool:
    """Staff and leaders of the township acknowledge its warnings; a mediator their own village's."""
    role = user.role
    if role in (Role.STAFF, Role.LEADER):
        return warning.township_id == user.township_id
    return role is Role.MEDIATOR and warning.village_id is not None and warning.village_id == user.village_id


def can_set_warning_rules(user: User, township) -> bool:
    """An admin sets the warning thresholds and sensitive periods of their township (a county admin: any)."""
    return user.role is Role.ADMIN and user.township_id in (None, township.id)


def warning_scope(user: User):
    """Return a WHERE clause limiting early warnings (预警) to the user's reach: a mediator sees their village's."""
    return _within(RiskWarning, reach_of(user))


_USER_PREDICATES = {
    "register": can_register, "register_petition": can_register_petition, "record_screening": can_record_screening,
    "plan_screening": can_plan_screening, "act_in_bulk": can_act_in_bulk, "import_ledger": can_import_ledger,
    "administer": can_administer, "list_supervised": can_list_supervised,
    "edit_holiday_calendar": can_edit_holiday_calendar, "read_reports": can_read_reports,
    "freeze_reports": can_freeze_reports, "read_county": can_read_county,
    "submit_returns": can_submit_returns,
}


# --- scope by construction -------------------------------------------------------------------------------

REACH_OPTION = "casetrack_reach"
COUNTY_WIDE = {REACH_OPTION: "county_wide"}
"""Execution options of one statement that must see beyond the user's reach: `.execution_options(**COUNTY_WIDE)`."""

_WIDE_DEPTH = "casetrack_county_wide"


@dataclass(frozen=True)
class Reach:
    """Where a user's sight ends: one village, one township, the townships of a county, everywhere, or nowhere."""

    village_id: int | None = None
    township_id: int | None = None
    everywhere: bool = False
    township_ids: frozenset[int] | None = None  # a county account: the townships its county holds

    def holds(self, record) -> bool:
        """Tell whether a record placed by village_id and township_id (a dispute, petition, round) lies within."""
        if self.everywhere:
            return True
        if self.village_id is not None:
            return record.village_id == self.village_id
        if self.township_ids is not None:
            return record.township_id in self.township_ids
        return self.township_id is not None and record.township_id == self.township_id


NOWHERE = Reach()


def reach_of(user: User | None) -> Reach:
    """Return the reach of a signed-in user (NOWHERE for nobody): the one rule every scope here follows."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOWHERE
    role = user.role
    if role is Role.MEDIATOR:
        return Reach(village_id=user.village_id) if user.village_id is not None else NOWHERE
    if role in (Role.STAFF, Role.LEADER, Role.ADMIN):
        if user.township_id is None:
            return Reach(everywhere=role is Role.ADMIN)
        return Reach(township_id=user.township_id)
    if role is Role.COUNTY:
        return Reach(township_ids=county_township_ids(user.county_id)) if user.county_id is not None else NOWHERE
    return NOWHERE


def county_township_ids(county_id: int) -> frozenset[int]:
    """Return the ids of the townships a county holds (once per request: every scoped query asks)."""
    from flask import g

    from casetrack.extensions import db
    from casetrack.models import Township

    cache = g.setdefault("casetrack_county_townships", {}) if has_request_context() else {}
    if county_id not in cache:
        ids = db.session.execute(select(Township.id).where(Township.county_id == county_id)
                                 .execution_options(**COUNTY_WIDE)).scalars().all()
        cache[county_id] = frozenset(ids)
    return cache[county_id]


def _within(model, reach: Reach):
    """Return the WHERE clause of a reach over a model placed by village_id and township_id."""
    if reach.everywhere:
        return true()
    if reach.village_id is not None:
        return model.village_id == reach.village_id
    if reach.township_id is not None:
        return model.township_id == reach.township_id
    if reach.township_ids is not None:
        return model.township_id.in_(sorted(reach.township_ids))
    return false()


def reach_criteria(reach: Reach) -> list:
    """Return the loader criteria of a reach (see _reach_criteria), built once per reach and process."""
    return list(_reach_criteria(reach))


@lru_cache(maxsize=1024)
def _reach_criteria(reach: Reach) -> tuple:
    """Return the loader criteria (one per scoped model) that keep queries inside the reach, as _within() does.

    Cases and rounds are limited by their village or township; what belongs to a case (parties, attachments,
    sessions, notes, return visits, supervisions, timeline entries) or to a round (findings) by its parent's.
    They are lambdas, as with_loader_criteria caches them by their code and binds the ids as parameters.
    """
    if reach.everywhere:
        return ()
    if reach.village_id is not None:
        v = reach.village_id
        rules = {
            Dispute: lambda d: d.village_id == v,
            Petition: lambda p: p.village_id == v,
            ScreeningRound: lambda r: r.village_id == v,
            RiskWarning: lambda r: r.village_id == v,
            **dict.fromkeys(_CASE_CHILDREN, lambda c: c.dispute_id.in_(
                select(Dispute.id).where(Dispute.village_id == v))),
            Supervision: lambda s: or_(  # a supervision (督办) is of a dispute or of a petition
                s.dispute_id.in_(select(Dispute.id).where(Dispute.village_id == v)),
                s.petition_id.in_(select(Petition.id).where(Petition.village_id == v))),
            Petitioner: lambda p: p.petition_id.in_(select(Petition.id).where(Petition.village_id == v)),
            ScreeningFinding: lambda f: f.round_id.in_(select(ScreeningRound.id).where(ScreeningRound.village_id == v)),
            CaseEvent: lambda e: or_(
                e.dispute_id.in_(select(Dispute.id).where(Dispute.village_id == v)),
                e.petition_id.in_(select(Petition.id).where(Petition.village_id == v)),
                and_(e.dispute_id.is_(None), e.petition_id.is_(None))),
        }
    elif reach.township_id is not None:
        t = reach.township_id
        rules = {
            Dispute: lambda d: d.township_id == t,
            Petition: lambda p: p.township_id == t,
            ScreeningRound: lambda r: r.township_id == t,
            RiskWarning: lambda r: r.township_id == t,
            **dict.fromkeys(_CASE_CHILDREN, lambda c: c.dispute_id.in_(
                select(Dispute.id).where(Dispute.township_id == t))),
            Supervision: lambda s: or_(
                s.dispute_id.in_(select(Dispute.id).where(Dispute.township_id == t)),
                s.petition_id.in_(select(Petition.id).where(Petition.township_id == t))),
            Petitioner: lambda p: p.petition_id.in_(select(Petition.id).where(Petition.township_id == t)),
            ScreeningFinding: lambda f: f.round_id.in_(
                select(ScreeningRound.id).where(ScreeningRound.township_id == t)),
            CaseEvent: lambda e: or_(
                e.dispute_id.in_(select(Dispute.id).where(Dispute.township_id == t)),
                e.petition_id.in_(select(Petition.id).where(Petition.township_id == t)),
                and_(e.dispute_id.is_(None), e.petition_id.is_(None))),
        }
    elif reach.township_ids is not None:
        ts = sorted(reach.township_ids)
        rules = {
            Dispute: lambda d: d.township_id.in_(ts),
            Petition: lambda p: p.township_id.in_(ts),
            ScreeningRound: lambda r: r.township_id.in_(ts),
            **dict.fromkeys(_CASE_CHILDREN, lambda c: c.dispute_id.in_(
                select(Dispute.id).where(Dispute.township_id.in_(ts)))),
            Petitioner: lambda p: p.petition_id.in_(select(Petition.id).where(Petition.township_id.in_(ts))),
            ScreeningFinding: lambda f: f.round_id.in_(
                select(ScreeningRound.id).where(ScreeningRound.township_id.in_(ts))),
            CaseEvent: lambda e: or_(
                e.dispute_id.in_(select(Dispute.id).where(Dispute.township_id.in_(ts))),
                e.petition_id.in_(select(Petition.id).where(Petition.township_id.in_(ts))),
                and_(e.dispute_id.is_(None), e.petition_id.is_(None))),
        }
    else:
        rules = dict.fromkeys(SCOPED_MODELS, lambda row: row.id.is_(None))  # ids are never NULL: nothing at all
    return tuple(with_loader_criteria(model, rule, include_aliases=True) for model, rule in rules.items())


@contextmanager
def county_wide(session: Session | None = None):
    """Let the queries of this block see beyond the signed-in user's reach (system work, county-wide figures).

    Use it only where what is found is not shown to the user as it is, or the user may see it by another rule.
    """
    if session is None:
        from casetrack.extensions import db

        session = db.session()
    session.info[_WIDE_DEPTH] = session.info.get(_WIDE_DEPTH, 0) + 1
    try:
        yield
    finally:
        session.info[_WIDE_DEPTH] -= 1


def _request_reach() -> Reach | None:
    """Return the reach of this request's user, or None outside a request (the system sees everything)."""
    if not has_request_context():
        return None
    from flask_login import current_user

    return reach_of(current_user._get_current_object())


def _limit_to_reach(state: ORMExecuteState) -> None:
    """Add the request user's reach to an ORM SELECT (refreshes of loaded rows excepted: already in reach)."""
    if not state.is_select or state.is_column_load or state.execution_options.get(REACH_OPTION) == "county_wide":
        return
    session = state.session
    if session.info.get(_WIDE_DEPTH) or session.info.get(_RESOLVING):
        return
    session.info[_RESOLVING] = True  # loading current_user queries users: not scoped, and must not recurse
    try:
        reach = _request_reach()
    finally:
        session.info[_RESOLVING] = False
    if reach is not None:
        criteria = reach_criteria(reach)
        if criteria:
            state.statement = state.statement.options(*criteria)


_RESOLVING = "casetrack_resolving_reach"


def install() -> None:
    """Apply the signed-in user's reach to every ORM query of every session (once per process)."""
    if not event.contains(Session, "do_orm_execute", _limit_to_reach):
        event.listen(Session, "do_orm_execute", _limit_to_reach)
