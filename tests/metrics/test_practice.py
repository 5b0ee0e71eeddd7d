"""The practice pillar as a whole: every KPI declared, well-formed, and "no data" on empty input."""

import math

import pandas as pd
import pytest

from torbayreport.io.schema import empty_tables
from torbayreport.metrics import REGISTRY
from torbayreport.metrics.engine import compute_one
from torbayreport.metrics.practice import PRACTICE_KPIS
from torbayreport.metrics.windows import month_window

# Written out by hand from the catalogue (P27 split into P27a / P27b as in params/defaults.yaml).
EXPECTED_IDS = [f"P{n:02d}" for n in range(1, 27)] + ["P27a", "P27b"]
R12M = {"P11", "P12", "P22", "P24", "P25"}
SNAPSHOT = {"P13", "P14", "P16", "P17", "P19", "P20", "P21", "P27a", "P27b"}


def test_every_practice_kpi_is_registered_once():
    assert list(PRACTICE_KPIS) == EXPECTED_IDS
    assert sorted(k for k, v in REGISTRY.items() if v.pillar == "practice") == sorted(EXPECTED_IDS)


@pytest.mark.parametrize("kpi_id", EXPECTED_IDS)
def test_declaration_is_complete(kpi_id):
    kpi = REGISTRY[kpi_id]
    assert kpi.unit == ("count" if kpi_id == "P26" else "percent")
    expected_window = "r12m" if kpi_id in R12M else "snapshot" if kpi_id in SNAPSHOT else "flow"
    assert kpi.window == expected_window
    assert kpi.grain.split()[0] in {"events", "children", "young"}
    assert len(kpi.definition) > 120


@pytest.mark.parametrize("kpi_id", EXPECTED_IDS)
def test_empty_tables_give_no_data_not_zero(kpi_id):
    months = month_window("2020-01", "2020-03")
    rows, members = compute_one(REGISTRY[kpi_id], empty_tables(), months)
    assert list(members.columns) == ["month", "record_id", "in_numerator"]
    assert members.empty
    if kpi_id == "P26":  # a count: none raised is 0
        assert rows["value"].tolist() == [0, 0, 0]
    else:
        assert all(math.isnan(v) for v in rows["value"])
        assert rows["denominator"].tolist() == [0, 0, 0]


def test_members_have_canonical_dtypes():
    from torbayreport.io.schema import tables_from

    tables = tables_from(
        contacts=[{"child_id": "A", "contact_date": "2020-01-06", "contact_source": "1A", "decision_date": "2020-01-06"}]
    )
    _, members = compute_one(REGISTRY["P01"], tables, month_window("2020-01", "2020-01"))
    assert members["month"].dtype == pd.PeriodDtype("M")
    assert members["record_id"].dtype == "string"
    assert members["in_numerator"].dtype == bool
    assert members["record_id"].tolist() == ["A|2020-01-06|1A"]
