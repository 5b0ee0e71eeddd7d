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

import numpy as np
import pandas as pd

Tables = Mapping[str, pd.DataFrame]
Polarity = Literal["up", "down", "target", "neutral"]
Unit = Literal["percent", "ratio", "count"]
Window = Literal["flow", "snapshot", "r3m", "r12m"]
PILLARS = ("leadership", "practice", "workforce", "quality")


@dataclass(frozen=True)
class Members:
    """Denominator members per month: columns month (period[M]), record_id (str), in_numerator (bool).

    For a ``count`` KPI every member is in the numerator and there is no denominator.
    """

    frame: pd.DataFrame


def _positional(values) -> pd.Series:
    """``values`` as a fresh Series on a 0..n-1 index, keeping its dtype (no boxing to objects)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return pd.Series(values.array, copy=False)
    return pd.Series(np.asarray(values) if not isinstance(values, pd.api.extensions.ExtensionArray) else values)


def members(month, record_id, in_numerator) -> Members:
    """A :class:`Members` result from three aligned sequences (taken by position, never by index).

    ``month`` is the months themselves or a frame with a ``month`` column (the rows counted).

    ``in_numerator`` may be nullable: unknown (NA) is *not* in the numerator — a KPI counts a
    success only when the data show it. Positional because a flag Series built on another index
    would otherwise be re-aligned into NA and silently drop out of the numerator.
    """
    if isinstance(month, pd.DataFrame):
        month = month["month"]
    months, ids, flags = _positional(month), _positional(record_id), _positional(in_numerator)
    if not (len(flags) == len(ids) == len(months)):
        raise ValueError(f"members: {len(months)} months but {len(ids)} ids and {len(flags)} flags")
    if not isinstance(months.dtype, pd.PeriodDtype):
        months = months.astype("object")
    if flags.dtype != bool:
        flags = flags.astype("object").astype("boolean").fillna(False)
    frame = pd.DataFrame(
        {
            "month": months.astype(pd.PeriodDtype("M")),
            "record_id": (ids if isinstance(ids.dtype, pd.StringDtype) else ids.astype("object")).astype("string"),
            "in_numerator": flags.to_numpy(dtype=bool),
        }
    )
    return Members(frame)


def record_ids(rows: pd.DataFrame, *columns: str) -> pd.Series:
    """A stable text drill-down id: ``columns`` of ``rows`` joined with "|" (dates as YYYY-MM-DD,
    times kept as THH:MM if any; a missing part is empty). Built with Arrow string kernels, since
    ids are made for every counted record (hundreds of thousands of contacts a run)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for part in (rows[col] for col in columns):
        if pd.api.types.is_datetime64_any_dtype(part):
            # Few distinct dates: format each once (numpy), then take by code (Arrow).
            codes, uniques = pd.factorize(part.to_numpy(dtype="datetime64[ns]"), use_na_sentinel=True)
            words = [w.removesuffix("T00:00") for w in np.datetime_as_string(np.asarray(uniques, "datetime64[ns]"), unit="m")]
            text = pa.array(words, type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
        else:
            text = pa.array(part.astype("string").array)
        parts.append(text.cast(pa.large_string()))
    if not len(rows):
        return pd.Series([], index=rows.index, dtype="string")
    separator = pa.scalar("|", type=pa.large_string())
    joined = pc.binary_join_element_wise(*parts, separator, null_handling="replace", null_replacement="")
    return pd.Series(joined.to_pandas(), index=rows.index).astype("string")


@dataclass(frozen=True)
class Totals:
    """Per-month numerator and denominator totals (for sums such as FTE), columns month, numerator, denominator."""

    frame: pd.DataFrame


def totals(months: pd.PeriodIndex, numerator, denominator) -> Totals:
    """A :class:`Totals` result from per-month numerators and denominators aligned to ``months``."""
    return Totals(
        pd.DataFrame(
            {
                "month": months,
                "numerator": np.asarray(numerator, dtype=float),
                "denominator": np.asarray(denominator, dtype=float),
            }
        )
    )


@dataclass(frozen=True)
class Fallback:
    """How a KPI is counted from an extract's count column when its history is too short.

    ``needs``: the "table.column" count columns it reads (Annex A's "Number of ... in the last 12
    months" style columns); ``compute``: like a KPI's compute, for the short-history months only.
    """

    needs: tuple[str, ...]
    compute: Callable[[Tables, pd.PeriodIndex], "Members | Totals"]
    # The count is as at the extract date (e.g. List 8's placements in the last 12 months), so it
    # answers only the extract's last month: the latest month with any date in the count's table.
    as_at_extract: bool = False


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
    # Data coverage (read by metrics.coverage): the "table.column"s the figure cannot do without;
    # the "table.column" whose earliest date starts its history and how many months before the
    # month that history must reach; and the count-column alternative for short history.
    needs: tuple[str, ...] = ()
    history: tuple[str, int] | None = None
    fallback: Fallback | None = None

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
    needs: tuple[str, ...] = (),
    history: tuple[str, int] | None = None,
    fallback: Fallback | None = None,
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
            needs=tuple(needs),
            history=history,
            fallback=fallback,
        )
        return func

    return register
