"""Townships, villages, natural villages and the township's editable lists."""

from sqlalchemy import func, select

from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.models import DisputeType, NaturalVillage, PetitionCategory, Township, Village
from casetrack.models.geo import TOWNSHIP_SETTING_DEFAULTS

DEFAULT_DISPUTE_TYPES = (
    "婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁",
    "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他",
)  # the Ministry of Justice's 15 reporting categories, in its order

DEFAULT_PETITION_CATEGORIES = (
    "土地(承包、宅基地、征收补偿)", "征地拆迁", "劳动社保", "民政救助", "城乡建设", "环境保护",
    "涉法涉诉", "教育卫生", "村务管理", "干部作风", "其他",
)


def add_township(name: str, village_names: list[str] | None = None) -> Township:
    """Create a township with its villages and the default dispute types."""
    name = name.strip()
    if not name:
        raise DomainError("乡镇名称不能为空。")
    if db.session.execute(select(Township).where(Township.name == name)).scalar_one_or_none():
        raise DomainError("乡镇“%(name)s”已存在。", name=name)
    township = Township(name=name, settings={})
    db.session.add(township)
    db.session.flush()
    for position, type_name in enumerate(DEFAULT_DISPUTE_TYPES):
        db.session.add(DisputeType(township_id=township.id, name=type_name, position=position))
    for position, category in enumerate(DEFAULT_PETITION_CATEGORIES):
        db.session.add(PetitionCategory(township_id=township.id, name=category, position=position))
    for village_name in village_names or []:
        add_village(township, village_name)
    return township


def add_village(township: Township, name: str, natural_villages: list[str] | None = None) -> Village:
    """Add an administrative village (行政村) to a township."""
    name = name.strip()
    if not name:
        raise DomainError("村名不能为空。")
    if any(v.name == name for v in township.villages):
        raise DomainError("%(township)s已有“%(name)s”。", township=township.name, name=name)
    position = (db.session.execute(
        select(func.max(Village.position)).where(Village.township_id == township.id)
    ).scalar() or 0) + 1
    village = Village(name=name, position=position)
    township.villages.append(village)
    for natural in natural_villages or []:
        add_natural_village(village, natural)
    db.session.flush()
    return village


def add_natural_village(village: Village, name: str) -> NaturalVillage:
    """Add a natural village (自然村) to an administrative village."""
    name = name.strip()
    if not name:
        raise DomainError("自然村名称不能为空。")
    if any(n.name == name for n in village.natural_villages):
        raise DomainError("%(village)s已有自然村“%(name)s”。", village=village.name, name=name)
    natural = NaturalVillage(name=name)
    village.natural_villages.append(natural)
    return natural


def _add_list_item(model, township: Township, name: str, what: str):
    """Add an entry to one of the township's editable lists, after the existing ones."""
    name = name.strip()
    if not name:
        raise DomainError("类别名称不能为空。")
    exists = db.session.execute(
        select(model).where(model.township_id == township.id, model.name == name)
    ).scalar_one_or_none()
    if exists:
        raise DomainError("%(what)s“%(name)s”已存在。", what=what, name=name)
    position = (db.session.execute(
        select(func.max(model.position)).where(model.township_id == township.id)
    ).scalar() or 0) + 1
    item = model(township_id=township.id, name=name, position=position)
    db.session.add(item)
    db.session.flush()
    return item


def add_dispute_type(township: Township, name: str) -> DisputeType:
    """Add a local dispute type (e.g. 村务管理) after the existing ones."""
    return _add_list_item(DisputeType, township, name, N_("纠纷类别"))


def add_petition_category(township: Township, name: str) -> PetitionCategory:
    """Add a local petition matter category after the existing ones."""
    return _add_list_item(PetitionCategory, township, name, N_("信访事项类别"))


def petition_categories(township_id: int, active_only: bool = True) -> list[PetitionCategory]:
    """Return the township's petition categories in their order."""
    query = select(PetitionCategory).where(PetitionCategory.township_id == township_id).order_by(
        PetitionCategory.position)
    if active_only:
        query = query.where(PetitionCategory.active.is_(True))
    return list(db.session.execute(query).scalars())


def find_township(name: str) -> Township:
    """Return the township of that name, or raise DomainError."""
    township = db.session.execute(select(Township).where(Township.name == name.strip())).scalar_one_or_none()
    if township is None:
        raise DomainError("乡镇“%(name)s”不存在。", name=name)
    return township


def find_village(township: Township, name: str) -> Village:
    """Return the township's village of that name, or raise DomainError."""
    for village in township.villages:
        if village.name == name.strip():
            return village
    raise DomainError("%(township)s没有“%(name)s”。", township=township.name, name=name)


def dispute_types(township_id: int, active_only: bool = True) -> list[DisputeType]:
    """Return the township's dispute types in their order."""
    query = select(DisputeType).where(DisputeType.township_id == township_id).order_by(DisputeType.position)
    if active_only:
        query = query.where(DisputeType.active.is_(True))
    return list(db.session.execute(query).scalars())


def rename_township(township: Township, name: str) -> Township:
    """Rename a township; names are unique across the database."""
    name = name.strip()
    if not name:
        raise DomainError("乡镇名称不能为空。")
    if name == township.name:
        return township
    taken = db.session.execute(
        select(Township.id).where(Township.name == name, Township.id != township.id)
    ).first()
    if taken:
        raise DomainError("乡镇“%(name)s”已存在。", name=name)
    township.name = name
    db.session.flush()
    return township


def update_township_settings(township: Township, values: dict) -> Township:
    """Replace the township's settings with these values; a blank or None value falls back to the default."""
    unknown = set(values) - set(TOWNSHIP_SETTING_DEFAULTS)
    if unknown:
        raise DomainError("未知的设置项:%(keys)s。", keys=sorted(unknown))
    settings = dict(township.settings or {})
    for key, value in values.items():
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    township.settings = settings  # a new dict, so the JSON column is seen as changed
    db.session.flush()
    return township


def rename_village(village: Village, name: str) -> Village:
    """Rename an administrative village; names are unique within the township."""
    name = name.strip()
    if not name:
        raise DomainError("村名不能为空。")
    if any(v.name == name and v is not village for v in village.township.villages):
        raise DomainError("%(township)s已有“%(name)s”。", township=village.township.name, name=name)
    village.name = name
    db.session.flush()
    return village


def rename_natural_village(natural: NaturalVillage, name: str) -> NaturalVillage:
    """Rename a natural village; names are unique within its administrative village."""
    name = name.strip()
    if not name:
        raise DomainError("自然村名称不能为空。")
    if any(n.name == name and n is not natural for n in natural.village.natural_villages):
        raise DomainError("%(village)s已有自然村“%(name)s”。", village=natural.village.name, name=name)
    natural.name = name
    db.session.flush()
    return natural


def set_dispute_type_active(dispute_type: DisputeType | PetitionCategory, active: bool):
    """Offer a list entry (dispute type or petition category) at intake again, or stop; filed cases keep theirs."""
    dispute_type.active = active
    db.session.flush()
    return dispute_type
