"""Which documents a case's state allows now, in the order they are filed (卷内文书顺序)."""

from dataclasses import dataclass

from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_
from casetrack.models import Dispute

KINDS = ("application", "rights-notice", "investigation", "session", "agreement", "oral-agreement", "follow-up")
"""Every document kind, in case-file order; `case-file` is the whole file and not one of them."""

TITLES = {
    "rights-notice": N_("当事人权利义务告知书"),
    "investigation": N_("调查记录"),
    "session": N_("调解记录"),
    "agreement": N_("人民调解协议书"),
    "oral-agreement": N_("人民调解口头协议登记表"),
    "follow-up": N_("回访记录"),
}


@dataclass(frozen=True)
class Available:
    """A document that exists for a case now; sessions carry their number n (第n次调解)."""

    kind: str
    title: str
    n: int | None = None

    @property
    def label(self) -> str:
        return f"{self.title}(第{self.n}次)" if self.n else self.title


def title_of(case: Dispute, kind: str) -> str:
    """Title a document: an applied-for case files the application (申请书), others a registration form."""
    if kind == "application":
        return N_("人民调解申请书") if case.source == wf.Source.APPLICATION.value else N_("人民调解受理登记表")
    return TITLES[kind]


def _written(case: Dispute, form: wf.AgreementForm) -> bool:
    return case.outcome == wf.Outcome.SUCCEEDED.value and case.agreement_form == form.value


def allows(case: Dispute, kind: str, n: int | None = None) -> bool:
    """Tell whether the case's state allows this document now (session n counts from 1)."""
    if kind == "application":
        return True  # registration (登记) is the first record of every case
    if kind == "rights-notice":
        return case.accepted_on is not None  # the parties are told their rights once the case is accepted
    if kind == "investigation":
        return bool(case.investigation_notes)
    if kind == "session":
        return n is not None and 1 <= n <= len(case.sessions)
    if kind == "agreement":
        return _written(case, wf.AgreementForm.WRITTEN)
    if kind == "oral-agreement":
        return _written(case, wf.AgreementForm.ORAL)
    if kind == "follow-up":
        return bool(case.return_visits)
    return False


def available(case: Dispute) -> list[Available]:
    """List the documents the case's state allows now, in case-file order."""
    found = []
    for kind in KINDS:
        if kind == "session":
            found.extend(Available(kind, title_of(case, kind), n) for n in range(1, len(case.sessions) + 1))
        elif allows(case, kind):
            found.append(Available(kind, title_of(case, kind)))
    return found
