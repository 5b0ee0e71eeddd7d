"""Shared helpers for the KPI known-answer tests: run one KPI through the engine, check a month.

The expected numbers are never produced here: each test states them, worked out by hand.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import torbayreport.metrics  # noqa: F401  (registers the catalogue)
from torbayreport.metrics.engine import compute_one
from torbayreport.metrics.registry import REGISTRY
from torbayreport.metrics.windows import month_window


def run(kpi_id: str, tables, start: str, end: str | None = None):
    """(rows indexed by 'YYYY-MM', members) for one KPI over start..end, through the real engine."""
    rows, members = compute_one(REGISTRY[kpi_id], tables, month_window(start, end or start))
    return rows.set_index(rows["month"].astype(str)), members


result = run


def check(rows, month: str, numerator, denominator, value) -> None:
    """The month's numerator, denominator (None = no denominator) and value (None = no data)."""
    row = rows.loc[month]
    assert row["numerator"] == pytest.approx(numerator), (month, row.to_dict())
    if denominator is None:
        assert math.isnan(row["denominator"]), (month, row.to_dict())
    else:
        assert row["denominator"] == pytest.approx(denominator), (month, row.to_dict())
    if value is None:
        assert math.isnan(row["value"]), f"{month}: expected no data, got {row['value']}"
    else:
        assert row["value"] == pytest.approx(value), (month, row.to_dict())


def in_numerator(members, month: str) -> list[str]:
    """The record ids counted in the month's numerator, sorted."""
    m = members[members["month"] == pd.Period(month, "M")]
    return sorted(m.loc[m["in_numerator"], "record_id"])
