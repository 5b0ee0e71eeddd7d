"""Recurring casework: statutory visits (CIN/CP/CLA, some seen alone) and management oversight.

Why one mechanism: a visit or oversight note is "the next one, some days after the last" — on time
when practice is good, overdue when it is not. The snapshot KPIs (P13 seen within 10 working days,
P16 within 20, P17 within 6 weeks, P14 seen alone, L04 oversight in 30 days) then emerge from the
gaps, exactly as they do in a real case-management system. The chain of every open segment is
advanced one event per loop iteration, vectorised across all segments, so the number of
iterations is the longest chain (tens), not the number of rows.

Chains start a few weeks before ``keep_from`` (only the last visit before a month end matters), so
long-running care episodes do not generate years of unused rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import Ctx, add_days, add_wd, days
from torbayreport.synth.children import Population


def chains(ctx: Ctx, start, end, first, step, warm_days: int):
    """Event chains on [start, end): first event ``first``, then ``step(prev) -> next``."""
    rng = ctx.rng
    from_date = ctx.recent_from - np.timedelta64(warm_days, "D")
    start, end, first = days(start), days(end), days(first)
    # Segments already running before the output window start mid-chain at a random phase.
    early = first < from_date
    first = np.where(early, np.maximum(start, from_date - rng.integers(0, warm_days, len(start)).astype("timedelta64[D]")), first)
    idx_parts, date_parts = [], []
    idx = np.arange(len(start))
    cur = first
    limit = np.minimum(end, ctx.extract + np.timedelta64(1, "D"))
    alive = cur < limit
    idx, cur = idx[alive], cur[alive]
    while len(idx):
        idx_parts.append(idx)
        date_parts.append(cur)
        nxt = step(cur)
        alive = (nxt < limit[idx]) & (nxt > cur)
        idx, cur = idx[alive], nxt[alive]
    if not idx_parts:
        return np.array([], int), np.array([], "datetime64[D]")
    return np.concatenate(idx_parts), np.concatenate(date_parts)


def visits(ctx: Ctx, pop: Population, segs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rng, story = ctx.rng, ctx.story
    out = []

    def wd_step(area, lo, hi, ok_range, late_range):
        def step(cur):
            late = ~ctx.bern(story.p(area, cur, lo, hi))
            n = len(cur)
            return add_wd(cur, np.where(late, rng.integers(*late_range, n), rng.integers(*ok_range, n)))
        return step

    def day_step(area, lo, hi, ok_range, late_range):
        def step(cur):
            late = ~ctx.bern(story.p(area, cur, lo, hi))
            n = len(cur)
            return add_days(cur, np.where(late, rng.integers(*late_range, n), rng.integers(*ok_range, n)))
        return step

    cin = segs["cin"]
    s, e = days(cin["start"].to_numpy()), days(cin["end"].to_numpy())
    seen = days(cin["first_seen"].to_numpy())
    first = np.where(np.isnat(seen) | (seen < s) | (seen >= e), add_wd(s, rng.integers(1, 11, len(s))), seen)
    i, d = chains(ctx, s, e, first, wd_step("cin_visits", 0.5, 0.94, (14, 21), (21, 37)), 45)
    out.append(("CIN", cin["child"].to_numpy()[i], d))

    cp = segs["cp"]
    s, e = days(cp["start"].to_numpy()), days(cp["end"].to_numpy())
    i, d = chains(ctx, s, e, add_wd(s, rng.integers(0, 6, len(s))), wd_step("cp_visits", 0.6, 0.97, (6, 11), (11, 20)), 30)
    out.append(("CP", cp["child"].to_numpy()[i], d))

    cla = segs["cla"]
    s, e = days(cla["start"].to_numpy()), days(cla["end"].to_numpy())
    i, d = chains(ctx, s, e, add_days(s, rng.integers(1, 8, len(s))), day_step("cla_visits", 0.68, 0.98, (24, 43), (43, 76)), 60)
    out.append(("CLA", cla["child"].to_numpy()[i], d))

    frames = []
    for kind, child, date in out:
        age = pop.age_days(child, date) / 365.25
        area_p = story.p("seen_alone", date, 0.45 if kind != "CLA" else 0.6, 0.95)
        alone = ctx.bern(np.where(age < 3, 0.08, area_p))
        frames.append(pd.DataFrame({"child": child, "visit_date": date, "visit_type": kind, "seen_alone": alone}))
    return pd.concat(frames, ignore_index=True)


def oversight(ctx: Ctx, segs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Management oversight notes on open cases: every few weeks when managers have grip."""
    rng, story = ctx.rng, ctx.story
    op = segs["open"]
    s, e = days(op["start"].to_numpy()), days(op["end"].to_numpy())

    def step(cur):
        late = ~ctx.bern(story.p("oversight", cur, 0.35, 0.95))
        n = len(cur)
        return add_days(cur, np.where(late, rng.integers(31, 85, n), rng.integers(20, 31, n)))

    i, d = chains(ctx, s, e, add_days(s, rng.integers(1, 21, len(s))), step, 60)
    return pd.DataFrame({"child": op["child"].to_numpy()[i], "oversight_date": d})
