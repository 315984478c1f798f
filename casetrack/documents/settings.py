"""Township settings the documents read: committee name, seal text, header, retention period."""

from typing import Any

from casetrack.domain import workflow as wf
from casetrack.models import Dispute, Township

DOCUMENT_SETTING_DEFAULTS: dict[str, Any] = {
    "document_header": None,  # None → the committee's name, printed above every document's title
    "seal_text": None,  # None → the committee's name: the words on the seal line (盖章处)
    "file_retention": "长期",  # 保管期限 on the cover: 永久 / 长期 / 短期
}


def document_setting(township: Township, key: str) -> Any:
    """Return a township's document setting, falling back to this module's default."""
    value = township.setting(key)
    return DOCUMENT_SETTING_DEFAULTS.get(key) if value is None else value


def committee_name(township: Township) -> str:
    """Name the people's mediation committee (人民调解委员会) that issues the documents."""
    return township.committee_name


def document_header(township: Township) -> str:
    """Return the line printed above each document's title."""
    return document_setting(township, "document_header") or committee_name(township)


def seal_text(township: Township) -> str:
    """Return the words printed where the committee's seal goes."""
    return document_setting(township, "seal_text") or committee_name(township)


def file_retention(township: Township) -> str:
    """Return the retention period (保管期限) printed on the case file's cover."""
    return document_setting(township, "file_retention") or DOCUMENT_SETTING_DEFAULTS["file_retention"]


def issuing_committee(case: Dispute) -> str:
    """The committee that mediated the case and issues its agreement: the village's (村人民调解委员会) for a case
    handled at village level, the township's otherwise (小事不出村: the village committee signs its own work)."""
    if case.level == wf.Level.VILLAGE.value and case.village is not None:
        return f"{case.village.name}人民调解委员会"
    return committee_name(case.township)


def issuing_seal(case: Dispute) -> str:
    """The words on the seal line of a document the issuing committee seals."""
    if case.level == wf.Level.VILLAGE.value and case.village is not None:
        return issuing_committee(case)
    return seal_text(case.township)


def issuing_header(case: Dispute) -> str:
    """The line above the title of a document the issuing committee issues."""
    if case.level == wf.Level.VILLAGE.value and case.village is not None:
        return issuing_committee(case)
    return document_header(case.township)
