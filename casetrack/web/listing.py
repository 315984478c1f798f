"""What the plain case and petition lists share: the free-text search and numbered pages."""

from dataclasses import dataclass

from flask import current_app, flash, request
from flask_babel import gettext as _
from sqlalchemy import Select

from casetrack.domain.identity import PERSONAL_NUMBER
from casetrack.domain.text import UNSTORABLE
from casetrack.extensions import db


def refused_search() -> bool:
    """Tell whether ?q= holds an ID number or a phone, and say why it is not used (once, as a flash)."""
    if PERSONAL_NUMBER.search(request.args.get("q") or ""):
        flash(_("为保护个人信息,请勿在搜索中输入身份证号码或电话号码;请按姓名、编号或案情搜索。"), "info")
        return True
    return False


def search_text(limit: int = 60) -> str:
    """The free-text search from ?q=, trimmed and without characters no case holds; call refused_search first,
    personal numbers must not be searched."""
    return UNSTORABLE.sub("", request.args.get("q") or "").strip()[:limit]


def args_without_search(*kept: str) -> dict:
    """The list's own filters (`kept`) from the current address, without q and page: where to send a refused
    search. Only known keys: anything else could steer url_for."""
    return {key: request.args[key] for key in kept if request.args.get(key)}


@dataclass
class Page:
    rows: list
    total: int
    number: int
    count: int


def numbered_page(query: Select, *order_by) -> Page:
    """Run one numbered page (?page=N, PAGE_SIZE rows) of a list query, with the total for the pager."""
    ordered = query.order_by(*order_by)
    size = current_app.config["PAGE_SIZE"]
    asked = min(max(request.args.get("page", 1, type=int), 1), 2**31 // size)  # an offset the database holds
    pagination = db.paginate(ordered, page=asked, per_page=size, max_per_page=size, error_out=False)
    if pagination.page > max(pagination.pages, 1):  # past the end: the last page
        pagination = db.paginate(ordered, page=pagination.pages, per_page=size, max_per_page=size, error_out=False)
    return Page(pagination.items, pagination.total, pagination.page, max(pagination.pages, 1))
