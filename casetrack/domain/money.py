"""Sums of money (协议涉及金额): yuan as typed, kept as whole fen so that totals add up exactly."""

from decimal import Decimal, InvalidOperation

from casetrack.domain.errors import DomainError

MAX_FEN = 10**15  # a trillion yuan: beyond any township agreement, and well inside a BIGINT


def parse_yuan(text: str | Decimal | int | float | None) -> int | None:
    """Read an amount in yuan ("1200", "1,200.5", "1200元") as fen; None when blank; DomainError when not one."""
    if text is None:
        return None
    raw = str(text).strip().replace(",", "").replace(",", "").removesuffix("元").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise DomainError("金额应为数字(单位:元),如 12000 或 3500.50。") from None
    if not amount.is_finite():
        raise DomainError("金额应为数字(单位:元),如 12000 或 3500.50。")
    if amount < 0:
        raise DomainError("金额不能为负数。")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise DomainError("金额最多保留两位小数(分)。")
    if fen >= MAX_FEN:
        raise DomainError("金额过大,请核对(单位:元)。")
    return int(fen)


def yuan(fen: int | None) -> Decimal | None:
    """Fen as a Decimal of yuan with two places."""
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_yuan(fen: int | None) -> str:
    """Fen as the report writes yuan: "12,000.50"; "" for None."""
    return "" if fen is None else f"{yuan(fen):,.2f}"
