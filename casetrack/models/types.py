"""Column types shared by the models."""

from sqlalchemy import String
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
