"""Read the State Council's holiday notice (国务院办公厅关于…年部分节假日安排的通知) as published.

Pure Python.  The notice lists, festival by festival, the days off ("1月1日（周五）至3日（周日）放假调休，
共3天。") and the make-up workdays ("2月14日（周六）、2月28日（周六）上班。").  Full- and half-width
punctuation are read alike.  The result is a whole year's plan: rows of (date, "holiday" | "workday").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from casetrack.domain.holiday_calendar import HOLIDAY, WORKDAY

_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年.{0,12}节假日安排")
_DAY = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_RANGE = re.compile(_DAY + r"(?:\s*(?:至|-|—|~)\s*" + _DAY + r")?")
_TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")
_FESTIVAL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.]\s*([^:]{1,8}):")
_PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass
class HolidayNotice:
    """A year's plan read from the notice: the days off and the make-up workdays, with festival names."""

    year: int
    rows: list[tuple[date, str]] = field(default_factory=list)
    names: dict[date, str] = field(default_factory=dict)


def looks_like_notice(text: str) -> bool:
    """Tell a notice from a CSV file: a notice names days off (放假) or workdays (上班) in 月/日."""
    plain = unicodedata.normalize("NFKC", text)
    return bool(re.search(r"\d{1,2}月\d{1,2}日", plain)) and ("放假" in plain or "上班" in plain)


def notice_year(text: str) -> int | None:
    """Return the year named in the notice's title, or None."""
    match = _TITLE_YEAR.search(unicodedata.normalize("NFKC", text))
    return int(match.group(1)) if match else None


def _resolve(parts: tuple, year: int, month: int | None, line_no: int) -> date:
    y, m, d = parts
    y = int(y) if y else year
    m = int(m) if m else month
    if m is None:
        raise ValueError(f"第{line_no}行:日期缺少月份")
    try:
        return date(y, m, int(d))
    except ValueError:
        raise ValueError(f"第{line_no}行:日期“{m}月{d}日”无效") from None


def _days_in(sentence: str, year: int, line_no: int) -> list[date]:
    """Return every day a sentence names, ranges ("1月1日至3日") spelt out."""
    days: list[date] = []
    for match in _RANGE.finditer(sentence):
        first = _resolve(match.groups()[0:3], year, None, line_no)
        if match.group(6) is None:
            days.append(first)
            continue
        last = _resolve(match.groups()[3:6], first.year, first.month, line_no)
        if last < first and not match.group(4):  # "12月31日至1月2日" without the new year's number
            last = last.replace(year=last.year + 1)
        if last < first or (last - first).days > 15:
            raise ValueError(f"第{line_no}行:日期范围“{match.group(0)}”无效")
        days.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def parse_holiday_notice(text: str, year: int | None = None) -> HolidayNotice:
    """Parse the notice's text; the year comes from the title, or from year when the title is missing."""
    text = unicodedata.normalize("NFKC", text.lstrip("\ufeff"))
    titled = notice_year(text)
    if year is not None and titled is not None and year != titled:
        raise ValueError(f"通知标题为{titled}年,与指定的年份{year}不符")
    year = year or titled
    if year is None:
        raise ValueError("未找到年份:请保留通知标题“国务院办公厅关于某年部分节假日安排的通知”,或指定年份")
    notice = HolidayNotice(year)
    kinds: dict[date, str] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        festival = _FESTIVAL.match(line)
        name = festival.group(1).strip() if festival else None
        body = _PARENTHESES.sub("", line[festival.end():] if festival else line)
        for sentence in re.split(r"[。;]", body):
            if "放假" in sentence:
                kind, days = HOLIDAY, _days_in(sentence.split("放假")[0], year, line_no)
                total = _TOTAL.search(sentence)
                if total and days and int(total.group(1)) != len(days):
                    raise ValueError(f"第{line_no}行:放假日期共{len(days)}天,与“共{total.group(1)}天”不符")
            elif "上班" in sentence:
                kind, days = WORKDAY, _days_in(sentence, year, line_no)
            else:
                continue
            for day in days:
                if kinds.get(day, kind) != kind:
                    raise ValueError(f"第{line_no}行:{day.isoformat()}既放假又上班")
                if day not in kinds:
                    kinds[day] = kind
                    notice.rows.append((day, kind))
                    if name:
                        notice.names[day] = name
    if not notice.rows:
        raise ValueError("通知中没有找到放假或上班的日期")
    notice.rows.sort()
    return notice
