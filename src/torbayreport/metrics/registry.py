"""The KPI registry: each KPI declared once, with the definition text the report prints.

Why one declaration per KPI: the report's definition text, the scorecard's polarity and unit and
the code that counts are the same object, so they cannot drift apart (the dbt/MetricFlow idea of a
metric definition, and the DfE validators' one-rule-per-function registry).

A KPI's ``compute`` takes the canonical tables and the months of the window and returns the
*members* of each month's denominator: one row per (month, record) with a boolean
``in_numerator``. Counting those rows gives numerator and denominator, and the same frame is the
drill-down (which children or events were counted). KPIs whose numerator and denominator are sums
rather than counts of records (caseload = children ÷ FTE, turnover = leavers ÷ average headcount)
return the per-month totals directly as a :class:`Totals` frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Mapping

import pandas as pd

Tables = Mapping[str, pd.DataFrame]
Polarity = Literal["up", "down", "target", "neutral"]
Unit = Literal["percent", "ratio", "count"]
Window = Literal["flow", "snapshot", "r3m", "r12m"]
PILLARS = ("leadership", "practice", "workforce", "quality")

MEMBER_COLUMNS = ["month", "record_id", "in_numerator"]
TOTAL_COLUMNS = ["month", "numerator", "denominator"]


@dataclass(frozen=True)
class Members:
    """Denominator members per month: columns month (period[M]), record_id (str), in_numerator (bool).

    For a ``count`` KPI every member is in the numerator and there is no denominator.
    """

    frame: pd.DataFrame


@dataclass(frozen=True)
class Totals:
    """Per-month numerator and denominator totals (for sums such as FTE), columns month, numerator, denominator."""

    frame: pd.DataFrame


@dataclass(frozen=True)
class KPI:
    id: str
    title: str
    pillar: str
    ref: str
    polarity: Polarity
    unit: Unit
    grain: str  # what one counted record is: "events", "children", "workers", "actions", ...
    window: Window
    definition: str  # plain English, shown in the report's appendix and scorecards
    compute: Callable[[Tables, pd.PeriodIndex], Members | Totals]
    decimals: int = 1

    def __post_init__(self):
        if self.pillar not in PILLARS:
            raise ValueError(f"{self.id}: pillar {self.pillar!r} is not one of {PILLARS}")


REGISTRY: dict[str, KPI] = {}


def kpi(
    *,
    id: str,
    title: str,
    pillar: str,
    ref: str,
    polarity: Polarity,
    unit: Unit,
    grain: str,
    window: Window,
    definition: str,
    decimals: int = 1,
):
    """Decorator: declare a KPI and register its compute function under ``id``."""

    def register(func: Callable[[Tables, pd.PeriodIndex], Members | Totals]):
        if id in REGISTRY:
            raise ValueError(f"KPI {id} is declared twice")
        REGISTRY[id] = KPI(
            id=id,
            title=title,
            pillar=pillar,
            ref=ref,
            polarity=polarity,
            unit=unit,
            grain=grain,
            window=window,
            definition=" ".join(definition.split()),
            compute=func,
            decimals=decimals,
        )
        return func

    return register
