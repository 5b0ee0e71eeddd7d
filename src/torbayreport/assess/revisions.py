"""Revised figures: last month's figure as it was published against the same month in this build.

Why: case-management systems are recorded late (a visit typed up a week after it happened, an
assessment closed retrospectively), so when a month is recomputed from a later extract its
figures move. Members who read "P13 was 82%" last month and now see 88% for the same month think
the numbers are unreliable unless the report says so. The build keeps the tidy metrics it
published (``<stem>-metrics.csv`` beside the report); the next month's build compares them with
its own figures for that month and lists every measure whose value moved by more than
``revisions.margin`` (params/defaults.yaml, in the KPI's own units).

Only figures that were shown both times are compared: a value that is missing (not available, or
withheld for small numbers: the public CSV carries it blank and flags ``value_suppressed``) in
either table is never listed, so a public report cannot reveal a suppressed figure through its
revision.
"""

from __future__ import annotations

import pandas as pd

#: columns of :func:`revisions`' result
REVISION_COLUMNS = ["kpi_id", "title", "month", "unit", "published_value", "revised_value", "change"]


def _shown(frame: pd.DataFrame) -> pd.Series:
    """True where the row's value was printed (a number, and not flagged as suppressed)."""
    value = pd.to_numeric(frame["value"], errors="coerce")
    shown = value.notna()
    if "value_suppressed" in frame.columns:
        flag = frame["value_suppressed"].map(lambda v: str(v).strip().lower() in ("true", "1")).astype(bool)
        shown &= ~flag
    return shown


def revisions(published: pd.DataFrame, current: pd.DataFrame, month, *, margin: float) -> pd.DataFrame:
    """Measures whose ``month`` value in ``current`` differs from ``published`` by more than ``margin``.

    ``published``: the tidy metrics published with the previous build (``kpi_id``, ``month``,
    ``value``, optionally ``title``, ``unit``, ``value_suppressed``); ``current``: this build's
    metrics (the same columns; ``month`` as text ``YYYY-MM`` or a monthly period). One row per
    revised measure (columns :data:`REVISION_COLUMNS`), in ``current``'s order; empty when nothing
    moved by more than the margin. ``change`` is revised minus published.
    """
    if margin < 0:
        raise ValueError(f"revisions margin must be >= 0, got {margin}")
    when = str(pd.Period(str(month), freq="M"))

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        picked = frame[frame["month"].astype(str) == when]
        picked = picked[_shown(picked)]
        return picked.assign(value=pd.to_numeric(picked["value"], errors="coerce"))

    old = rows(published)[["kpi_id", "value"]].rename(columns={"value": "published_value"})
    new = rows(current)
    labels = [c for c in ("title", "unit") if c in new.columns]
    joined = new[["kpi_id", *labels, "value"]].rename(columns={"value": "revised_value"}).merge(
        old.drop_duplicates("kpi_id"), on="kpi_id", how="inner")
    joined["change"] = joined["revised_value"] - joined["published_value"]
    # a tiny epsilon so that float noise in a recomputed value never counts as a revision
    moved = joined[joined["change"].abs() > margin + 1e-9].copy()
    moved["month"] = when
    for column in ("title", "unit"):
        if column not in moved.columns:
            moved[column] = ""
    return moved[REVISION_COLUMNS].reset_index(drop=True)
