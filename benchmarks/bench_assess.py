"""Time torbayreport.assess.assess on a metrics table for the whole catalogue (random values).

Run: python3 benchmarks/bench_assess.py [months]   — prints rows, seconds and per-KPI milliseconds.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from torbayreport.assess import assess, load_params
from torbayreport.metrics import REGISTRY


def main(n_months: int = 36) -> None:
    rng = np.random.default_rng(1)
    months = pd.period_range("2018-04", periods=n_months, freq="M")
    frames = []
    for kpi_id, kpi in REGISTRY.items():
        den = rng.integers(20, 80, n_months).astype(float)
        num = rng.binomial(den.astype(int), 0.6).astype(float)
        value = np.round(num / den * 100, 1) if kpi.unit == "percent" else num
        frames.append(pd.DataFrame({"month": months, "kpi_id": kpi_id, "numerator": num, "denominator": den,
                                    "value": value, "unit": kpi.unit}))
    metrics = pd.concat(frames, ignore_index=True)
    params = load_params()
    start = time.perf_counter()
    out = assess(metrics, params)
    took = time.perf_counter() - start
    print(f"{len(REGISTRY)} KPIs x {n_months} months = {len(out)} rows: {took:.3f} s "
          f"({took / max(len(REGISTRY), 1) * 1000:.1f} ms per KPI)")
    print(out["rag"].value_counts(dropna=False).to_dict())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 36)
