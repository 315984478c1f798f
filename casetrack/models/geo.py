"""Places: township (乡/镇) → administrative village (行政村) → natural village (自然村)."""

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from casetrack.extensions import db

TOWNSHIP_SETTING_DEFAULTS: dict[str, Any] = {
    "case_prefix": None,  # committee short name for case numbers; None → first character of the name + 调字
    "committee_name": None,  # None → "<township>人民调解委员会"
    "follow_up_days": 30,
    # the strict reading (a last day on a rest day does not roll) for the township's own duties only;
    # off by default: every period ends on the next working day (民法典 Art. 203). Replaces "roll_holiday".
    "strict_period_end": False,
    "due_soon_days": 3,
    "collective_threshold": 5,
    "petition_prefix": None,  # None → first character of the name + 信字
    "screening_village_interval": "week",  # 每周一排查
    "screening_township_interval": "half_month",  # 每半月一排查
    "report_rounded": False,  # write counts in the report text as "50余起"
    "report_sentences_off": [],  # report sentences the township leaves out (domain.report_text.OPTIONAL_SENTENCES)
    "issuing_unit": None,  # the report's 落款; None → "<township>人民政府"
    "targets": {},  # figure targets, e.g. {"disputes.success_rate": 0.95}; a figure below is marked
}


class TownshipList:
    """Mixin for a township's own editable list (dispute types, petition categories): named once per
    township, ordered by position, retired with active=False rather than deleted (old cases keep theirs)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("township_id", "name"),)

    def __str__(self) -> str:
        return self.name


class County(db.Model):
    """A county (县): its 司法局 and 信访局 oversee the townships it holds."""

    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)

    townships: Mapped[list["Township"]] = relationship(back_populates="county", order_by="Township.id")

    def __str__(self) -> str:
        return self.name


class Township(db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)

    county: Mapped[County | None] = relationship(back_populates="townships")

    villages: Mapped[list["Village"]] = relationship(
        back_populates="township", order_by="Village.position", cascade="all, delete-orphan"
    )

    def setting(self, key: str) -> Any:
        """Return a township setting, falling back to its default."""
        value = (self.settings or {}).get(key)
        return TOWNSHIP_SETTING_DEFAULTS.get(key) if value is None else value

    @property
    def case_prefix(self) -> str:
        return self.setting("case_prefix") or f"{self.name[0]}调字"

    @property
    def committee_name(self) -> str:
        return self.setting("committee_name") or f"{self.name}人民调解委员会"

    def __str__(self) -> str:
        return self.name


class Village(db.Model):
    """An administrative village (行政村) with its mediation committee."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    township: Mapped[Township] = relationship(back_populates="villages")
    natural_villages: Mapped[list["NaturalVillage"]] = relationship(
        back_populates="village", order_by="NaturalVillage.name", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class NaturalVillage(db.Model):
    """A natural village (自然村), the smallest cell of the grid."""

    __tablename__ = "natural_villages"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))

    village: Mapped[Village] = relationship(back_populates="natural_villages")

    def __str__(self) -> str:
        return self.name
