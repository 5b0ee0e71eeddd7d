"""How every number in the report is written: one place, so tables, text and alt text agree.

Conventions (DfE / GSS, research note §B1): percentages to 1 decimal place with a % sign
("45.2%"), rates and ratios to 1 dp ("18.3"), counts as whole numbers with thousands separators
("1,234"). Rounding is half away from zero on the decimal value as written (45.25 -> "45.3"),
which is what readers and spreadsheets expect, not binary floating point's half-to-even.
Missing values become ``[x]``; a non-zero value that would print as zero becomes ``[low]``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from torbayreport.disclose.symbols import LOW, NOT_AVAILABLE

UNITS = ("percent", "ratio", "count")


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return x is pd.NA


def _round(x: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(x, decimals: int = 1) -> str:
    """A plain number to ``decimals`` places with thousands separators; ``[x]`` if missing, ``[low]`` if it rounds to 0."""
    if _missing(x):
        return NOT_AVAILABLE
    rounded = _round(x, decimals)
    if rounded == 0 and float(x) != 0:
        return LOW
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.0"
    return f"{rounded:,.{decimals}f}"


def format_count(n) -> str:
    """A count: whole number with thousands separators ("1,234"); ``[x]`` if missing.

    A non-whole value is not a count (FTE, sums) and is written to 1 dp rather than silently rounded.
    """
    if _missing(n):
        return NOT_AVAILABLE
    if float(n).is_integer():
        return f"{int(float(n)):,d}"
    return format_number(n, 1)


def format_value(value, unit: str, decimals: int = 1) -> str:
    """A KPI value as the report prints it: "45.2%" (percent), "18.3" (ratio), "12" (count)."""
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {UNITS}")
    if _missing(value):
        return NOT_AVAILABLE
    if unit == "count":
        return format_count(value) if decimals == 0 or float(value).is_integer() else format_number(value, decimals)
    text = format_number(value, decimals)
    if unit == "percent" and text != LOW:
        return text + "%"
    return text
