"""Fixtures for the assess tests: a stand-in KPI registry (the real catalogue is built elsewhere).

The ids and polarities are typed from /work/shared/spec/indicators.md (P27 split into P27a/P27b as
params/defaults.yaml does); tests that need exact titles/units use these stand-ins.
"""

from __future__ import annotations

import pandas as pd
import pytest

from torbayreport.metrics.registry import KPI

POLARITY = {
    "L01": "down", "L02": "down", "L03": "up", "L04": "up", "L05": "up", "L06": "down", "L07": "up", "L08": "up",
    "P01": "up", "P02": "down", "P03": "down", "P04": "up", "P05": "up", "P06": "up", "P07": "up", "P08": "up",
    "P09": "up", "P10": "target", "P11": "down", "P12": "down", "P13": "up", "P14": "up", "P15": "up", "P16": "up",
    "P17": "up", "P18": "up", "P19": "up", "P20": "down", "P21": "up", "P22": "down", "P23": "up", "P24": "up",
    "P25": "up", "P26": "neutral", "P27a": "up", "P27b": "up",
    "W01": "down", "W02": "down", "W03": "down", "W04": "down", "W05": "up", "W06": "down",
    "Q01": "up", "Q02": "up", "Q03": "up", "Q04": "up", "Q05": "up", "Q06": "down", "Q07": "up", "Q08": "up",
}
PILLAR = {"L": "leadership", "P": "practice", "W": "workforce", "Q": "quality"}
UNIT = {"L01": "ratio", "P26": "count"}


def make_kpi(kpi_id: str, polarity: str | None = None, unit: str | None = None, title: str | None = None) -> KPI:
    return KPI(
        id=kpi_id,
        title=title or f"Measure {kpi_id}",
        pillar=PILLAR[kpi_id[0]],
        ref="1.1.1",
        polarity=polarity or POLARITY[kpi_id],
        unit=unit or UNIT.get(kpi_id, "percent"),
        grain="events",
        window="flow",
        definition="test stand-in",
        compute=lambda tables, months: None,
    )


@pytest.fixture
def registry() -> dict[str, KPI]:
    """Stand-ins (title "Measure <id>") for the indicators.md ids, plus any id the real catalogue
    has added since (with its real polarity and unit), so defaults.yaml always validates."""
    from torbayreport.metrics import REGISTRY

    out = {k: make_kpi(k) for k in POLARITY}
    for k, real in REGISTRY.items():
        if k not in out and k[0] in PILLAR:
            out[k] = make_kpi(k, polarity=real.polarity, unit=real.unit)
    return out


def _metrics_rows(kpi_id: str, values, start="2020-01", unit="percent", numerators=None, denominators=None):
    """A tidy metrics block for one KPI (as metrics.engine.compute returns)."""
    months = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame(
        {
            "month": months,
            "kpi_id": kpi_id,
            "numerator": numerators if numerators is not None else [float("nan")] * len(values),
            "denominator": denominators if denominators is not None else [float("nan")] * len(values),
            "value": [float(v) for v in values],
            "unit": unit,
        }
    )


@pytest.fixture
def metrics_rows():
    """Builder for a tidy metrics block: metrics_rows("P02", [values], start="2020-01", ...)."""
    return _metrics_rows


@pytest.fixture
def params(registry):
    from torbayreport.assess.params import load_params

    return load_params(registry=registry)
