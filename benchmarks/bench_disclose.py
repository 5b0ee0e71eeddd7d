"""Time public disclosure control on a catalogue-sized metrics table, and the identifier guard.

Prints figures; asserts nothing. Run: python3 benchmarks/bench_disclose.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from torbayreport.disclose import IdentifierIndex, apply, assert_no_identifiers, protect


def metrics_table(n_kpis: int = 45, n_months: int = 36, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.period_range("2018-01", periods=n_months, freq="M")
    rows = []
    for k in range(n_kpis):
        unit = ("percent", "count", "ratio")[k % 3 if k % 5 else 0]
        scale = rng.integers(3, 200)
        den = rng.poisson(scale, n_months).astype(float)
        num = rng.binomial(den.astype(int), rng.uniform(0.3, 0.98)).astype(float)
        if unit == "count":
            den[:] = np.nan
            value = num
        elif unit == "ratio":
            den = np.round(rng.uniform(2, 30, n_months), 1)
            value = np.round(num / den, 1)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(den > 0, np.round(100 * num / den, 1), np.nan)
        rows.append(pd.DataFrame({"month": months, "kpi_id": f"B{k:02d}", "numerator": num,
                                  "denominator": den, "value": value, "unit": unit}))
    return pd.concat(rows, ignore_index=True)


def main() -> None:
    frame = metrics_table()
    t0 = time.perf_counter()
    out, protection = protect(frame)
    t1 = time.perf_counter()
    apply(frame, audience="internal")
    t2 = time.perf_counter()
    s = protection.suppression
    print(f"rows {len(frame)}, cells {len(protection.cells.values)}, relations {len(protection.cells.relations)}")
    print(f"public protect+audit: {t1 - t0:.2f} s ({len(s.primary)} primary, {len(s.secondary)} secondary, "
          f"{s.passes} passes, {protection.audit.components} LP components)")
    print(f"internal display only: {t2 - t1:.2f} s")

    values = {f"C{i:06d}" for i in range(50_000)} | {f"W{i:04d}" for i in range(500)}
    t3 = time.perf_counter()
    index = IdentifierIndex(values)
    text = " ".join(out["value_display"].tolist()) * 40 + " lorem ipsum 2020-03-31 " * 50_000
    t4 = time.perf_counter()
    assert_no_identifiers(text, index)
    t5 = time.perf_counter()
    print(f"identifier index of {len(index)} values built in {t4 - t3:.2f} s; "
          f"scanned {len(text) / 1e6:.1f} MB in {t5 - t4:.2f} s")


if __name__ == "__main__":
    main()
