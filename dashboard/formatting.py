"""Numbers as people read them: thousands separators, percentages, Brazilian reais, hours.
A missing value (no data that day) reads as a dash, never `nan`."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

Number = int | float | Decimal | None
MISSING = "–"
CENT = Decimal("0.01")


def _number(value: Number) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def count(value: Number) -> str:
    """1234567 -> '1,234,567'."""
    number = _number(value)
    return MISSING if number is None else f"{round(number):,}"


def percent(value: Number, digits: int = 1) -> str:
    """A value already in percent: 12.345 -> '12.3 %'."""
    number = _number(value)
    return MISSING if number is None else f"{number:,.{digits}f} %"


def share(value: Number, digits: int = 1) -> str:
    """A fraction as a percentage: 0.12345 -> '12.3 %'."""
    number = _number(value)
    return MISSING if number is None else percent(number * 100, digits)


def brl(value: Number) -> str:
    """Brazilian reais as written in Brazil: 1234567.8 -> 'R$ 1.234.567,80'."""
    if _number(value) is None:
        return MISSING
    cents = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)  # money rounds half up
    text = f"{cents:,.2f}"
    return "R$ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def hours(value: Number) -> str:
    """12.345 -> '12.3 h'."""
    number = _number(value)
    return MISSING if number is None else f"{number:,.1f} h"


def duration(seconds: Number) -> str:
    """75.2 -> '1 min 15 s', 4.26 -> '4.3 s'."""
    number = _number(seconds)
    if number is None:
        return MISSING
    if number < 60:
        return f"{number:.1f} s"
    minutes, rest = divmod(round(number), 60)
    return f"{minutes} min {rest} s"
