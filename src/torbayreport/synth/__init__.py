"""Realistic synthetic data for a children's services department in intervention (Torbay-sized).

``generate(seed=1, scale=1.0, start="2018-01", end="2020-12")`` returns every canonical table of
:data:`torbayreport.io.schema.SCHEMA`, in canonical dtypes, for a council of about 26,000
children (``scale`` multiplies every volume: 10 is a large county).

Why synthetic data at all: the toolkit must be demonstrable, testable and benchmarkable without a
single real child's record. Why *realistic*: the KPIs, SPC rules, RAG ratings, suppression and
narrative only get exercised by data that behaves like the real thing — events in the right order,
timescales missed for the reasons they are missed, the story of the seeds (weak and drifting
practice, the October 2019 plan, uneven recovery, special-cause months).

How: children's journeys are simulated episode by episode (:mod:`journeys`: contact -> decision
-> referral -> assessment -> S47 -> ICPC -> CP plan / CIN / care), vectorised with numpy across
all episodes of a round; the workforce is simulated month by month (:mod:`workforce`), and
casework recurring events (visits, oversight, supervision) are chains advanced one event per
iteration across all open cases (:mod:`visits`). Everything draws from one ``numpy`` Generator
seeded once, in a fixed order, so the same arguments give identical tables.

Warm-up: the flow of referrals starts four years before ``start`` and a historic stock of
children in care reaches back 16 years, so month-end snapshots are right from the first month;
the output keeps 12 months of history before ``start`` (for rolling 12-month measures) plus every
spell still open then. Nothing after the last day of ``end`` (the extract date) is known:
later dates are blank and later events absent. Annex A's look-back count columns (referrals in
the last 12 months, previous CP plans, placements in the last 12 months, S47s and ICPCs in the last
12 months) are counted from the history kept, as at the extract date (:mod:`annex_counts`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.io.schema import SCHEMA

__all__ = ["generate"]


def generate(*, seed: int = 1, scale: float = 1.0, start: str = "2018-01", end: str = "2020-12",
             progress=None, trajectory: str = "improving") -> dict[str, pd.DataFrame]:
    """Every canonical table, synthetic, in canonical dtypes (see the module docstring).

    ``progress``: optional callable ``progress(stage: str)`` called as each stage starts (the CLI
    uses it for its progress display); it must not affect the result.
    ``trajectory``: the story after the plan (``improving``, ``stuck``, ``declining``; see
    :mod:`torbayreport.synth.story`). Many councils at once: :func:`torbayreport.synth.councils.generate_region`.
    """
    from torbayreport.synth import assemble

    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    first = np.datetime64(pd.Period(start, "M").start_time.date(), "D")
    last = np.datetime64(pd.Period(end, "M").end_time.date(), "D")
    if last < first:
        raise ValueError(f"end ({end}) is before start ({start})")
    raw = assemble.simulate(seed=seed, scale=scale, first=first, extract=last, progress=progress,
                           trajectory=trajectory)
    from torbayreport.synth.annex_counts import with_counts

    tables = {name: SCHEMA[name].coerce(raw[name]) for name in SCHEMA.table_names}
    counted = with_counts(tables, extract=pd.Timestamp(last))  # Annex A's look-back counts, from the history
    return {name: frame if counted[name] is frame else SCHEMA[name].coerce(counted[name])
            for name, frame in tables.items()}
