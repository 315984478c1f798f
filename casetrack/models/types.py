"""Column types shared by the models."""

from sqlalchemy import String, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from casetrack.domain.workflow import LabelledEnum


class EnumValue(TypeDecorator):
    """A domain enum kept as its value in a text column, read back as the enum's member.

    The members are StrEnums, so code comparing a column with its value ("archived") keeps working, and
    the column's CHECK (models.cases.enum_check) still names the values. A value that is not a member
    (only an older database could hold one) is returned as stored rather than failing the whole read.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[LabelledEnum], length: int = 16):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return value.value if isinstance(value, self.enum) else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return self.enum(value)
        except ValueError:
            return value

    def copy(self, **kw):
        return EnumValue(self.enum, self.impl.length)


def _member_of(enum: type[LabelledEnum]):
    def to_member(_target, value, _old, _initiator):
        if value is None or isinstance(value, enum):
            return value
        try:
            return enum(value)
        except (ValueError, TypeError):  # a value no member has (kept as given, as a read keeps it) or an expression
            return value
    return to_member


@event.listens_for(Mapper, "mapper_configured")
def _enum_columns_hold_members(mapper, class_) -> None:
    """Make an EnumValue column hold the enum's member from the moment it is set, not only once read back, so
    `dispute.outcome is Outcome.SUCCEEDED` holds whether the case was loaded or just changed."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, EnumValue) and prop.parent is mapper:
            event.listen(getattr(class_, prop.key), "set", _member_of(column_type.enum), retval=True)
