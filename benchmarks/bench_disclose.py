"""Time public disclosure control on a catalogue-sized metrics table, the identifier guard, and the
free-text / CSV safety functions.

Prints figures; asserts nothing. Run: python3 benchmarks/bench_disclose.py
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd

from torbayreport.disclose import IdentifierIndex, apply, assert_no_identifiers, protect
from torbayreport.disclose.csvsafe import neutralise
from torbayreport.disclose.identifiers import Sensitive
from torbayreport.disclose.text import inert_markdown



class ExactSpellingBaseline:
    """The previous guard's algorithm (token n-grams of exact spellings), for same-run ratios:
    the machine is shared, so a figure is only meaningful next to a baseline timed beside it."""

    TOKEN = re.compile(r"[0-9A-Za-z]+")

    def __init__(self, values):
        self.keys = {tuple(t.lower() for t in self.TOKEN.findall(v)) for v in values}
        self.lengths = sorted({len(k) for k in self.keys})
        self.starts = {k[0] for k in self.keys if k}

    def find(self, text):
        words = [m.group().lower() for m in self.TOKEN.finditer(text)]
        return [i for i in [i for i, w in enumerate(words) if w in self.starts]
                for n in self.lengths if tuple(words[i:i + n]) in self.keys]


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
    t4 = time.perf_counter()
    baseline = ExactSpellingBaseline(values)
    t5 = time.perf_counter()
    structured = Sensitive(codes=set(values), names={f"Worker{i:03d} Surname{i:03d}" for i in range(500)},
                           dates=set(pd.date_range("2000-01-01", periods=5000, freq="D").date))
    IdentifierIndex(structured)
    t6 = time.perf_counter()
    print(f"identifier index of {len(index)} values built in {t4 - t3:.2f} s, exact-spelling baseline "
          f"{t5 - t4:.2f} s (ratio {(t4 - t3) / (t5 - t4):.1f}); with 500 names and 5,000 dates of birth "
          f"{t6 - t5:.2f} s")
    texts = {
        "value displays + lorem ipsum with ISO dates": " ".join(out["value_display"].tolist()) * 40
        + " lorem ipsum 2020-03-31 " * 50_000,
        "dense dates and split-looking codes": " lorem ipsum 2020-03-31 seen on 3 March 2012, C 0001 of W-12 " * 25_000,
    }
    for label, text in texts.items():
        t7 = time.perf_counter()
        assert_no_identifiers(text, index)
        t8 = time.perf_counter()
        baseline.find(text)
        t9 = time.perf_counter()
        print(f"scan {len(text) / 1e6:.1f} MB ({label}): {t8 - t7:.2f} s, exact-spelling baseline "
              f"{t9 - t8:.2f} s (ratio {(t8 - t7) / (t9 - t8):.1f})")

    notes = ["**Good** progress: <b>x</b> see [link](https://example.org) - 3/4 @team $5 #1\n- a\n- b"] * 10_000
    t8 = time.perf_counter()
    escaped = [inert_markdown(n) for n in notes]
    t9 = time.perf_counter()
    sheet = pd.DataFrame({"lead": ["=2+5", "Ruth", "-3"] * 50_000, "n": np.arange(150_000)})
    t10 = time.perf_counter()
    neutralise(sheet)
    t11 = time.perf_counter()
    print(f"inert_markdown: {len(notes):,} notes ({sum(map(len, notes)) / 1e6:.1f} MB in, "
          f"{sum(map(len, escaped)) / 1e6:.1f} MB out) in {t9 - t8:.2f} s")
    print(f"csvsafe.neutralise: {len(sheet):,} rows x 2 columns in {t11 - t10:.2f} s")


if __name__ == "__main__":
    main()
