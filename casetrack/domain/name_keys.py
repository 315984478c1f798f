"""Search keys for people's names: the full pinyin and the initials, so a clerk finds 赵海强 by "zhaohaiqiang"
or "zhq" (a name is the one thing typed faster in Latin letters than in characters on a desktop)."""

import re

from pypinyin import Style, lazy_pinyin

_NOT_KEY = re.compile(r"[^0-9a-z]+")


def name_search_key(name: str | None) -> str | None:
    """Return "<full pinyin> <initials>" in lower case for a name ("赵海强" → "zhaohaiqiang zhq"), None if empty.

    A polyphonic surname takes pypinyin's usual reading; the name itself stays searchable as typed.
    """
    if not name or not name.strip():
        return None
    syllables = [_NOT_KEY.sub("", s.lower()) for s in lazy_pinyin(name.strip())]
    syllables = [s for s in syllables if s]
    if not syllables:
        return None
    initials = "".join(_NOT_KEY.sub("", s.lower())[:1] for s in lazy_pinyin(name.strip(), style=Style.FIRST_LETTER))
    return f"{''.join(syllables)} {initials}"[:300]


def search_fragment(text: str) -> str | None:
    """The part of a search that can match a name key: Latin letters only, lower case; None for other text."""
    folded = text.strip().lower().replace(" ", "")
    return folded if folded and re.fullmatch(r"[a-z]+", folded) else None
