"""Disclosure control of the assessed metrics table, per audience.

``apply`` adds, for both audiences, the text the report prints and whether it was withheld:

======================  =====================================================================
column                  meaning
======================  =====================================================================
numerator_display       "123", "[c]", "[x]" (missing, or the month is not available)
denominator_display     "456", "23.5" (FTE), "[c]", "[z]" (a count KPI has no denominator),
                        "[x]" (missing, or the month is not available)
value_display           "45.2%", "18.3", "12", "[c]", "[z]" (denominator 0: no data),
                        "[x]" (missing, or not available), "[low]" (non-zero, rounds to 0)
numerator_suppressed    bool: the numerator is shown as [c]
denominator_suppressed  bool
value_suppressed        bool
======================  =====================================================================

Availability (issue 10): when the table has an ``availability`` column (metrics.coverage), a row
that is not ``ok`` never shows a figure, for either audience: ``no_events`` shows the value as
``[z]`` (nothing to count; its zero counts are true zeros and stay), ``missing_source`` and
``short_history`` show value, numerator and denominator as ``[x]`` (a partial count over too short
a history, or a zero from an absent table, is not a figure; a count KPI's denominator stays
``[z]``). These symbols win over ``[c]``: nothing is printed either way, and printing less than
the suppression assumed cannot weaken it. The public frame also blanks those rows' raw counts.

Internal: nothing is suppressed; display columns are filled the same way. Public:

1. Counts of people are the cells. Numerators and denominators of count and percent KPIs are
   counts; a ``ratio`` KPI's denominator is a sum (caseload ÷ FTE) and is never a small count of
   people, so it is exempt, while its numerator (children) is a count. A KPI whose figures are
   not whole numbers in every month (FTE, average headcount), or whose registry ``grain``
   mentions FTE, is not a count either: its figures are printed as they are.
2. Primary suppression of counts 1..threshold (``threshold`` >= 1: :func:`check_threshold`
   refuses 0, which would switch control off); secondary suppression across the relations in
   :mod:`torbayreport.disclose.relations` (here: kpi-month; ``extra`` tables add theirs).
   The complement ``denominator - numerator`` of a percent KPI is a published count as well (a
   reader subtracts: 25 children due, 24 seen in time -> 1 not seen), so it is a cell of the
   relation ``d = n + (d - n)`` and subject to the same primary rule, secondary suppression and
   audit. There is no switch to exempt it.
3. Derived values: a value is withheld when its numerator or denominator is withheld (value ×
   denominator gives the numerator back; value = numerator for a count), and a percentage whose
   count denominator is 1..threshold is withheld (1/3 = 33.3% gives both counts back) — the
   latter is implied by 1 but stated so a policy change cannot drop it. A denominator that is
   not a count (FTE <= 5) does not trigger it: both figures it would protect are printed anyway.
4. The LP audit runs over the result and raises :class:`DisclosureError` if any withheld cell
   could be worked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

import numpy as np
import pandas as pd

from torbayreport.disclose.audit import AuditResult, audit
from torbayreport.disclose.cells import CellTable
from torbayreport.disclose.formatting import UNITS, format_count, format_value
from torbayreport.disclose.relations import _ids, kpi_month
from torbayreport.disclose.suppression import Suppression, check_threshold, suppress
from torbayreport.disclose.symbols import CONFIDENTIAL, NOT_APPLICABLE, NOT_AVAILABLE

Audience = Literal["internal", "public"]
AUDIENCES = ("internal", "public")
REQUIRED = ["month", "kpi_id", "numerator", "denominator", "value", "unit"]
DISPLAY_COLUMNS = ["numerator_display", "denominator_display", "value_display"]
#: assess columns computed from a month's value: each narrows a withheld value down (a Green RAG
#: with target 90% and denominator 79 says the numerator is 72..79, i.e. at most 7 missed)
DERIVED_COLUMNS = ["rag", "direction", "point_type", "spc_rule", "variation", "assurance"]
FLAG_COLUMNS = ["numerator_suppressed", "denominator_suppressed", "value_suppressed"]
#: availability -> the symbol its value shows (metrics.coverage.AVAILABILITY; ok shows the figure)
UNAVAILABLE_SYMBOL = {"no_events": NOT_APPLICABLE, "missing_source": NOT_AVAILABLE, "short_history": NOT_AVAILABLE}


@dataclass(frozen=True)
class Protection:
    """What public disclosure control did: the cell table, the suppression and its audit."""

    cells: CellTable
    suppression: Suppression
    audit: AuditResult


def _registry():
    try:
        from torbayreport.metrics.registry import REGISTRY
    except Exception:  # pragma: no cover - metrics always importable in this package
        return {}
    return REGISTRY


def _check(assessed: pd.DataFrame, audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, got {audience!r}")
    missing = [c for c in REQUIRED if c not in assessed.columns]
    if missing:
        raise ValueError(f"assessed metrics table lacks column(s) {missing}")
    bad_unit = ~assessed["unit"].isin(UNITS)
    if bad_unit.any():
        rows = assessed.index[bad_unit.to_numpy()].tolist()[:10]
        raise ValueError(f"assessed metrics: column 'unit' is not one of {UNITS} in row(s) {rows}")
    dup = assessed.duplicated(["kpi_id", "month"], keep=False)
    if dup.any():
        rows = assessed.index[dup.to_numpy()].tolist()[:10]
        raise ValueError(f"assessed metrics: (kpi_id, month) repeated in row(s) {rows}")
    for col in ("numerator", "denominator"):
        neg = assessed[col].astype(float) < 0
        if neg.any():
            rows = assessed.index[neg.to_numpy()].tolist()[:10]
            raise ValueError(f"assessed metrics: negative {col} in row(s) {rows}")


def count_flags(assessed: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether each row's numerator and denominator are counts of people (see module docstring, 1).

    Decided per KPI over all its months, so a KPI never flips between suppressed and not
    because one month's FTE happens to be whole.
    """
    registry = _registry()
    fte = assessed["kpi_id"].map(
        lambda k: "fte" in registry[k].grain.lower() if k in registry else False
    ).astype(bool)

    def whole(col: str) -> pd.Series:
        x = assessed[col].astype(float)
        ok = x.isna() | (np.floor(x) == x)
        return ok.groupby(assessed["kpi_id"]).transform("all").astype(bool)

    num_count = whole("numerator") & ~fte
    den_count = whole("denominator") & ~fte & (assessed["unit"] != "ratio") & (assessed["unit"] != "count")
    return num_count, den_count


def _decimals(assessed: pd.DataFrame) -> pd.Series:
    registry = _registry()
    return assessed["kpi_id"].map(lambda k: registry[k].decimals if k in registry else 1).astype(int)


def _display(assessed: pd.DataFrame, num_hidden, den_hidden, value_hidden) -> pd.DataFrame:
    num = assessed["numerator"].astype(float)
    den = assessed["denominator"].astype(float)
    unit = assessed["unit"].astype(str)
    decimals = _decimals(assessed)
    num_text = [format_count(v) for v in num]
    den_text = [NOT_APPLICABLE if u == "count" else format_count(v) for v, u in zip(den, unit)]
    value_text = [
        NOT_APPLICABLE if (u != "count" and d == 0) else format_value(v, u, k)
        for v, u, d, k in zip(assessed["value"].astype(float), unit, den, decimals)
    ]
    out = assessed.copy()
    out["numerator_display"] = np.where(num_hidden, CONFIDENTIAL, num_text)
    out["denominator_display"] = np.where(den_hidden, CONFIDENTIAL, den_text)
    out["value_display"] = np.where(value_hidden, CONFIDENTIAL, value_text)
    for col in DISPLAY_COLUMNS:
        out[col] = out[col].astype("string")
    _unavailable(out, unit)
    out["numerator_suppressed"] = np.asarray(num_hidden, dtype=bool)
    out["denominator_suppressed"] = np.asarray(den_hidden, dtype=bool)
    out["value_suppressed"] = np.asarray(value_hidden, dtype=bool)
    return out


def not_available(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose counts are not figures (availability missing_source or short_history)."""
    if "availability" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    status = frame["availability"].astype("string").fillna("ok").to_numpy(dtype=object)
    return np.isin(status, ["missing_source", "short_history"])


def _unavailable(out: pd.DataFrame, unit: pd.Series) -> None:
    """Overwrite the display columns of rows the data do not support (see module docstring)."""
    if "availability" not in out.columns:
        return
    status = out["availability"].astype("string").fillna("ok")
    symbol = status.map(UNAVAILABLE_SYMBOL)
    has = symbol.notna().to_numpy()
    out.loc[has, "value_display"] = symbol[has].astype("string")
    gone = not_available(out)
    out.loc[gone, "numerator_display"] = NOT_AVAILABLE
    out.loc[gone & (unit != "count").to_numpy(), "denominator_display"] = NOT_AVAILABLE


def protect(
    assessed: pd.DataFrame,
    *,
    threshold: int = 5,
    min_width: float = 1.0,
    extra: Iterable[CellTable] = (),
) -> tuple[pd.DataFrame, Protection]:
    """Public disclosure control; returns the display frame and the :class:`Protection` record.

    ``extra`` are cell tables of other printed tables (breakdowns, months + YTD, ...) whose ids
    share :func:`~torbayreport.disclose.relations.cell_id`; they are suppressed and audited
    jointly with the KPI cells, and the caller reads its own cells' fate from the result.
    """
    threshold = check_threshold(threshold)
    _check(assessed, "public")
    num_count, den_count = count_flags(assessed)
    cells = kpi_month(assessed, num_count, den_count, protect_complement=True)
    for table in extra:
        cells.add(table)
    suppression = suppress(cells, threshold=threshold)
    checked = audit(cells, suppression, min_width=min_width)

    hidden = suppression.suppressed
    num_hidden = pd.Series(
        [c in hidden for c in _ids(assessed["kpi_id"], assessed["month"], "numerator")], index=assessed.index
    )
    den_hidden = pd.Series(
        [c in hidden for c in _ids(assessed["kpi_id"], assessed["month"], "denominator")], index=assessed.index
    )
    den = assessed["denominator"].astype(float)
    small_den = (assessed["unit"] == "percent") & den_count & (den > 0) & (den <= threshold)
    value_hidden = num_hidden | den_hidden | small_den
    frame = _display(assessed, num_hidden.to_numpy(), den_hidden.to_numpy(), value_hidden.to_numpy())
    gone = not_available(frame)
    for name in ("numerator", "denominator", "value"):  # not figures: not in the public artefacts either
        frame[name] = frame[name].astype("float64").where(~gone)
    return frame, Protection(cells=cells, suppression=suppression, audit=checked)


def apply(
    assessed: pd.DataFrame,
    *,
    audience: Audience,
    threshold: int = 5,
    min_width: float = 1.0,
    extra: Iterable[CellTable] = (),
) -> pd.DataFrame:
    """The assessed table with display and suppressed-flag columns for ``audience``.

    Internal: every figure shown, flags all False. Public: see the module docstring; raises
    :class:`~torbayreport.disclose.cells.DisclosureError` if the LP audit finds a withheld cell
    that could be worked out from what is printed.
    """
    _check(assessed, audience)
    threshold = check_threshold(threshold)  # refused for either audience: a bad setting is a bad setting
    if audience == "internal":
        none = np.zeros(len(assessed), dtype=bool)
        return _display(assessed, none, none, none)
    frame, _ = protect(assessed, threshold=threshold, min_width=min_width, extra=extra)
    return frame


def blank_for_public(frame: pd.DataFrame) -> pd.DataFrame:
    """The public table with every raw number blanked that could give a suppressed count back.

    :func:`apply` decides *what* is suppressed (its ``*_suppressed`` flags); this makes sure the
    public artefact (metrics.csv, the notebooks' frame) cannot carry it anyway:

    - a suppressed numerator, denominator or value becomes NaN (its display column says ``[c]``);
    - ``previous_value`` is blanked (and ``previous_display`` set to ``[c]``) where the previous
      month of the same KPI was suppressed, since "change since last month" gives it back;
    - a KPI with any suppressed month in the frame loses its SPC mean and limits (``spc_mean``,
      ``spc_lpl``, ``spc_upl``) in every month: with one month hidden, the mean of the series
      and the other months give it back.

    Columns that are absent are skipped; the input is not modified.
    """
    out = frame.copy()
    for name in ("numerator", "denominator", "value"):
        flag = f"{name}_suppressed"
        if flag in out.columns and name in out.columns:
            hide = out[flag].fillna(False).astype(bool)
            out[name] = out[name].astype("float64").where(~hide)
    if "value_suppressed" in out.columns:
        hidden = out["value_suppressed"].fillna(False).astype(bool)
        prev_hidden = (
            out.assign(_h=hidden).sort_values(["kpi_id", "month"]).groupby("kpi_id")["_h"].shift(1)
            .reindex(out.index).fillna(False).astype(bool)
        )
        if "previous_value" in out.columns:
            out["previous_value"] = out["previous_value"].astype("float64").where(~prev_hidden)
            out["previous_display"] = pd.Series(pd.NA, index=out.index, dtype="string").mask(prev_hidden, CONFIDENTIAL)
        series_hidden = hidden.groupby(out["kpi_id"]).transform("any")
        for column in ("spc_mean", "spc_lpl", "spc_upl"):
            if column in out.columns:
                out[column] = out[column].astype("float64").where(~series_hidden)
    return out


def withhold_derived(frame: pd.DataFrame, columns=DERIVED_COLUMNS) -> pd.DataFrame:
    """Where a value is suppressed, also withhold what was computed from it (``columns``, NA).

    Why: the LP audit reasons about printed numbers, but a RAG rating, a "worsened"/"improved"
    direction or an SPC point type are inequalities on the hidden value (value >= target -
    tolerance, value < previous, value beyond a limit) and can give a small count back within a
    band. Apply after :func:`blank_for_public` for the public audience; the report shows ``[c]``
    for them like the value. Columns that are absent are skipped; the input is not modified.
    """
    out = frame.copy()
    if "value_suppressed" not in out.columns:
        return out
    hidden = out["value_suppressed"].fillna(False).astype(bool).to_numpy()
    for column in [c for c in columns if c in out.columns]:
        out[column] = out[column].astype(object).where(~hidden, pd.NA)
    return out
