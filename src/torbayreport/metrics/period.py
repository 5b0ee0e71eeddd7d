"""The extracts' reporting period: the one rule every command uses to accept or refuse a month.

Why one rule: a month outside the period would show empty flows and stale snapshots as if they
were that month's performance. ``torbayreport build``, ``torbayreport metrics --from/--to`` and
the notebooks all call :func:`check_month` (directly or through :func:`report_window`), so they
refuse the same months with the same message.

Extracts carry look-back history for some tables (referrals a year back for re-referrals, open
plans and periods of care from whenever they started), so the period is where every front-door
list has activity: from the *latest* of the contacts' and referrals' first months to the
*earliest* of their last months.
"""

from __future__ import annotations

import pandas as pd

#: The front-door lists that define the period: (table, date column).
PERIOD_COLUMNS = (("contacts", "contact_date"), ("referrals", "referral_date"))


class PeriodError(ValueError):
    """A month outside the extracts' reporting period; the message says which side and why."""


def as_month(month) -> pd.Period:
    """``month`` (``YYYY-MM`` text or a period) as a monthly period; other text is an error."""
    try:
        return pd.Period(str(month), "M")
    except (ValueError, TypeError) as exc:
        raise PeriodError(f"month must be written YYYY-MM (e.g. 2020-12); got {month!r}") from exc


def _ends(tables: dict, how: str) -> list[pd.Period]:
    out = []
    for name, column in PERIOD_COLUMNS:
        frame = tables.get(name)
        if frame is not None and column in frame.columns and frame[column].notna().any():
            value = frame[column].min() if how == "first" else frame[column].max()
            out.append(pd.Timestamp(value).to_period("M"))
    return out


def data_period(tables: dict) -> tuple[pd.Period | None, pd.Period | None]:
    """(first, last) month of the reporting period; None for an end no front-door list fixes."""
    firsts, lasts = _ends(tables, "first"), _ends(tables, "last")
    return (max(firsts) if firsts else None, min(lasts) if lasts else None)


def check_month(month, tables: dict) -> pd.Period:
    """``month`` as a period if it lies in the reporting period, else :class:`PeriodError`."""
    when = as_month(month)
    first, last = data_period(tables)
    if last is not None and when > last:
        raise PeriodError(
            f"{when} is after the last month the extracts cover ({last}): check the month, or that "
            "the data folder is the right one"
        )
    if first is not None and when < first:
        raise PeriodError(f"{when} is before the first month the extracts cover ({first})")
    return when


def report_window(month, tables: dict, window_months: int) -> pd.PeriodIndex:
    """``window_months`` months ending at ``month`` (params ``report.window_months``), starting no
    earlier than the reporting period's first month; ``month`` must lie in the period."""
    end = check_month(month, tables)
    first, _ = data_period(tables)
    start = end - (int(window_months) - 1)
    if first is not None and first > start:
        start = min(first, end)
    return pd.period_range(start, end, freq="M", name="month")
