"""Load a township's names once (villages, types, categories, users, case numbers) so rows need no queries."""

from collections import defaultdict

from sqlalchemy import select

from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.ledger.format import BadValue, Label, split_number
from casetrack.models import (
    Dispute,
    DisputeType,
    NaturalVillage,
    Petition,
    PetitionCategory,
    Role,
    Township,
    User,
    Village,
)
from casetrack.services.petitions import petition_prefix


def _suffix_variants(name: str, suffixes: tuple[str, ...]) -> list[str]:
    """Return the forms a hand-kept ledger may use for a name: 斜沟 for 斜沟村, 邻里纠纷 for 邻里."""
    forms = [name]
    for suffix in suffixes:
        forms.append(name + suffix)
        if name.endswith(suffix) and len(name) > len(suffix):
            forms.append(name.removesuffix(suffix))
    return forms


class TownshipBook:
    """A township's villages, natural villages, types, categories, users and case numbers, by name and id."""

    def __init__(self, township: Township):
        self.township_id = township.id
        self.name = township.name
        self.case_prefix = township.case_prefix
        self.petition_prefix = petition_prefix(township)
        villages = db.session.execute(
            select(Village.id, Village.name).where(Village.township_id == township.id).order_by(Village.position)
        ).all()
        self.village_names = {vid: name for vid, name in villages}
        self.villages = {name: vid for vid, name in villages}
        naturals = db.session.execute(
            select(NaturalVillage.id, NaturalVillage.village_id, NaturalVillage.name)
            .join(Village).where(Village.township_id == township.id).order_by(NaturalVillage.name)
        ).all()
        self.natural_names = {nid: name for nid, _vid, name in naturals}
        self.naturals = {(vid, name): nid for nid, vid, name in naturals}
        self.naturals_by_village = defaultdict(list)
        for _nid, vid, name in naturals:
            self.naturals_by_village[vid].append(name)
        types = db.session.execute(
            select(DisputeType.id, DisputeType.name, DisputeType.active)
            .where(DisputeType.township_id == township.id).order_by(DisputeType.position)
        ).all()
        self.type_names = {tid: name for tid, name, _a in types}
        self.types = {name: tid for tid, name, _a in types}
        self.active_types = [name for _tid, name, active in types if active]
        categories = db.session.execute(
            select(PetitionCategory.id, PetitionCategory.name, PetitionCategory.active)
            .where(PetitionCategory.township_id == township.id).order_by(PetitionCategory.position)
        ).all()
        self.category_names = {cid: name for cid, name, _a in categories}
        self.categories = {name: cid for cid, name, _a in categories}
        self.active_categories = [name for _cid, name, active in categories if active]
        self._load_users(township)
        self._numbers: dict = {}

    def _load_users(self, township: Township) -> None:
        rows = db.session.execute(
            select(User.id, User.username, User.full_name, User.role)
            .outerjoin(Village, User.village_id == Village.id)
            .where((User.township_id == township.id) | (Village.township_id == township.id))
            .order_by(User.id)
        ).all()
        self.user_names = {uid: full_name or username for uid, username, full_name, _role in rows}
        self.mediator_ids: dict[str, int] = {}  # mediators and staff may be assigned to mediate
        self.leader_ids: dict[str, int] = {}  # leaders approve petition extensions
        for uid, _username, _full, role in rows:
            name = self.user_names[uid]
            if role in (Role.MEDIATOR.value, Role.STAFF.value):
                self.mediator_ids.setdefault(name, uid)
            elif role == Role.LEADER.value:
                self.leader_ids.setdefault(name, uid)

    def names_for(self, kind: str) -> dict[int, str]:
        """Return id → name for a column kind, for rendering."""
        return {
            "village": self.village_names, "natural_village": self.natural_names, "dispute_type": self.type_names,
            "category": self.category_names, "township": {self.township_id: self.name},
        }[kind]

    def village_id(self, name: str) -> int:
        """Return the village's id; 斜沟 finds 斜沟村."""
        for form in _suffix_variants(name, ("村", "村委会", "村民委员会")):
            if form in self.villages:
                return self.villages[form]
        raise BadValue("%(township)s没有这个行政村(现有:%(known)s)", township=self.name, known=_known(self.villages))

    def natural_village_id(self, village_id: int, name: str) -> int:
        """Return the natural village's id within that administrative village."""
        for form in _suffix_variants(name, ("村", "组")):
            if (village_id, form) in self.naturals:
                return self.naturals[(village_id, form)]
        raise BadValue("%(village)s没有这个自然村(现有:%(known)s)", village=self.village_names[village_id],
                       known=_known(self.naturals_by_village.get(village_id, [])))

    def dispute_type_id(self, name: str) -> int:
        """Return the dispute type's id; 邻里纠纷 finds 邻里."""
        for form in _suffix_variants(name, ("纠纷", "类", "类纠纷")):
            if form in self.types:
                return self.types[form]
        raise BadValue("不是本乡镇的纠纷类别(可选:%(known)s)", known=tuple(self.active_types))

    def category_id(self, name: str) -> int:
        """Return the petition category's id; 土地 finds 土地(承包、宅基地、征收补偿)."""
        if name in self.categories:
            return self.categories[name]
        for full, cid in self.categories.items():
            if full.split("(")[0].split("(")[0] == name:
                return cid
        raise BadValue("不是本乡镇的信访事项类别(可选:%(known)s)", known=tuple(self.active_categories))

    def leader_id(self, name: str) -> int:
        """Return the id of the township's leader of that name, who approves extensions."""
        if name in self.leader_ids:
            return self.leader_ids[name]
        raise BadValue("不是本乡镇领导的账号姓名;延期须经领导批准,请先在“设置 → 用户”中添加该领导")

    def existing_numbers(self, kind: str) -> dict[str, int]:
        """Return number → id of the township's stored cases of a kind (loaded once)."""
        if kind not in self._numbers:
            model = Dispute if kind == "dispute" else Petition
            self._numbers[kind] = dict(db.session.execute(
                select(model.number, model.id).where(model.township_id == self.township_id)
            ).all())
        return self._numbers[kind]


class Books:
    """The township books an import needs, with the rule for which township a row belongs to."""

    def __init__(self, township: Township | None = None):
        self.fixed = township
        self._by_name: dict[str, TownshipBook] = {}
        self._owners: dict | None = None
        all_townships = db.session.execute(select(Township).order_by(Township.id)).scalars().all()
        self.townships = {t.name: t for t in all_townships}
        self.default = township or (all_townships[0] if len(all_townships) == 1 else None)

    def book(self, township: Township) -> TownshipBook:
        """Return the book of a township, loading it on first use."""
        if township.name not in self._by_name:
            self._by_name[township.name] = TownshipBook(township)
        return self._by_name[township.name]

    def numbered_elsewhere(self, kind: str, number: str | None, book: TownshipBook) -> BadValue | None:
        """Return why a number is refused when it is in another township's numbering: (2020)东调字第5号 in 斜沟乡's
        ledger. Numbers are unique per township, so an import must not give one township the numbers another
        township's committee hands out; a number the township already holds is its own (an update)."""
        parts = split_number(number) if number else None
        if parts is None:
            return None
        if self._owners is None:  # each numbering prefix → the township using it; one two townships share: neither
            owners: dict[tuple[str, str], str | None] = {}
            for name, township in self.townships.items():
                for kind_, prefix in (("dispute", township.case_prefix), ("petition", petition_prefix(township))):
                    owners[kind_, prefix] = name if (kind_, prefix) not in owners else None
            self._owners = owners
        other = self._owners.get((kind, parts[1]))
        if other is None or other == book.name or number in book.existing_numbers(kind):
            return None
        return BadValue("这是%(township)s的案件编号(%(prefix)s),不能导入%(own)s", township=other, prefix=parts[1],
                        own=book.name)

    def by_id(self, township_id: int) -> TownshipBook:
        """Return the loaded book of a township by its id."""
        return next(b for b in self._by_name.values() if b.township_id == township_id)

    def for_row(self, name: str | None) -> TownshipBook:
        """Return the book for a row's 乡镇 cell (blank: the chosen or only township)."""
        if not name:
            if self.default is None:
                raise BadValue("数据库中有多个乡镇,请填写“乡镇”列(或在命令中用 --township 指定)")
            return self.book(self.default)
        township = self.townships.get(name)
        if township is None:
            raise BadValue("乡镇不存在(现有:%(known)s)", known=_known(self.townships))
        if self.fixed is not None and name != self.fixed.name:
            raise BadValue("本次只导入%(township)s的台账", township=self.fixed.name)
        return self.book(township)


def _known(names) -> tuple[str, ...] | Label:
    """Return the names a reason lists as the ones there are, or the word for none."""
    return tuple(names) or Label(N_("无"))


def find_township(name: str | None) -> Township | None:
    """Return the named township, the only one when no name is given, or raise DomainError."""
    if name:
        township = db.session.execute(select(Township).where(Township.name == name.strip())).scalar_one_or_none()
        if township is None:
            raise DomainError("乡镇“%(name)s”不存在。", name=name)
        return township
    townships = db.session.execute(select(Township).limit(2)).scalars().all()
    if not townships:
        raise DomainError("数据库中还没有乡镇,请先用 flask township add 创建。")
    return townships[0] if len(townships) == 1 else None
