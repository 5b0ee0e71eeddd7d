"""Child protection: section 47 enquiries, ICPCs, CP plans, review conferences and PLO.

Why here: every rule the loaders and KPIs check about protection lives in this sequence —
an ICPC never precedes its strategy discussion (P09 excludes it anyway), a CP plan only starts at
an ICPC that led to a plan, reviews fall due 3 months after the ICPC and then 6-monthly (P15),
a CP medical follows a disclosure of physical abuse (P25), and PLO is 12 weeks (16 if complex,
P23). Timeliness is drawn in working days from the story's levels, so it is poor until the
October 2019 plan and improves unevenly after.

About 45 S47s a month at scale 1, ~20 ICPCs (~44%: the tracker target is 39%), ~90% leading to a
plan; plans last about a year (fewer than 5% two years or more), some children come back for a
second plan (P11). The route into care (PLO -> proceedings, or at the end of a plan) is decided
here and handed to :mod:`care`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import NAT, Ctx, add_days, add_wd

CATEGORIES = ["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"]
CATEGORY_WEIGHTS = [0.46, 0.35, 0.08, 0.04, 0.07]


def section47(ctx: Ctx, ep: dict) -> None:
    """Strategy discussion, child seen, completion, ICPC and medical for episodes with an S47."""
    rng, story = ctx.rng, ctx.story
    n = len(ep["child"])
    s = ep["s47"]
    r = ep["referral_date"]
    strat = add_wd(r, rng.choice([0, 0, 1, 1, 2, 3], n))
    seen_ok = ctx.bern(story.p("s47_seen", strat, 0.62, 0.97))
    seen = add_wd(strat, np.where(seen_ok, rng.choice([0, 0, 1], n), rng.integers(2, 7, n)))
    icpc = ctx.bern(np.where(ep["prev_cp"], 0.75, 0.43))
    icpc_ok = ctx.bern(story.p("icpc_time", strat, 0.50, 0.93))
    icpc_wd = np.where(icpc_ok, rng.integers(8, 16, n), rng.integers(16, 30, n))
    done_ok = ctx.bern(story.p("s47_time", strat, 0.62, 0.97))
    done_wd = np.where(done_ok, rng.integers(3, 16, n), rng.integers(16, 35, n))
    # With an ICPC the enquiry is completed on or before the conference.
    done_wd = np.where(icpc, np.minimum(done_wd, icpc_wd - rng.integers(0, 4, n)), done_wd)
    done_wd = np.maximum(done_wd, 1)
    phys = ctx.bern(np.full(n, 0.24))
    med_ok = ctx.bern(story.p("cp_medical", strat, 0.45, 0.97))
    ep["strategy_date"] = np.where(s, strat, NAT)
    ep["s47_seen"] = np.where(s, seen, NAT)
    ep["s47_done"] = np.where(s, add_wd(strat, done_wd), NAT)
    ep["icpc_date"] = np.where(s & icpc, add_wd(strat, icpc_wd), NAT)
    ep["plan"] = s & icpc & ctx.bern(np.full(n, 0.9))
    ep["phys"] = s & phys
    ep["medical"] = np.where(s & phys & med_ok, add_days(strat, rng.integers(0, 3, n)), NAT)


def cp_plans(ctx: Ctx, ep: dict) -> None:
    """Plan length, categories, PLO and what happens at the end (step down, closure or care)."""
    rng, story = ctx.rng, ctx.story
    n = len(ep["child"])
    plan = ep["plan"] & ~ep["direct_care"]
    start = ep["icpc_date"]
    # Median ~13.5 months before the plan (drift), ~11 after; lognormal, sigma 0.4.
    median = 13.5 - 2.5 * np.clip(story.level("closure_quality", start) - 0.3, 0, 0.4) / 0.4
    months = np.exp(np.log(median) + 0.4 * rng.standard_normal(n))
    natural_end = add_days(start, (months * 30.44).astype(int))
    initial = np.asarray(CATEGORIES, dtype=object)[rng.choice(5, n, p=CATEGORY_WEIGHTS)]
    latest = np.where(rng.random(n) < 0.1,
                      np.asarray(CATEGORIES, dtype=object)[rng.choice(5, n, p=CATEGORY_WEIGHTS)], initial)
    # PLO: about 3 in 10 plans go to pre-proceedings.
    plo = plan & (rng.random(n) < 0.30)
    span = np.maximum((natural_end - start).astype(int) - 30, 31)
    plo_start = add_days(start, 30 + (rng.random(n) * np.minimum(span, 270)).astype(int))
    complex_ = rng.random(n) < 0.3
    limit = np.where(complex_, 16, 12)
    ontime = ctx.bern(story.p("plo", plo_start, 0.30, 0.88))
    weeks = np.where(ontime, rng.integers(6, 13, n) + np.where(complex_, rng.integers(0, 5, n), 0),
                     limit + rng.integers(1, 17, n))
    plo_end = add_days(plo_start, weeks * 7 - rng.integers(0, 4, n))
    outcome = np.asarray(["Care proceedings issued", "Diverted from proceedings", "Ongoing support", "Other"],
                         dtype=object)[rng.choice(4, n, p=[0.33, 0.42, 0.18, 0.07])]
    proceedings = plo & (outcome == "Care proceedings issued")
    care_from_plo = add_days(plo_end, rng.integers(0, 15, n))
    end_to_care = plan & ~proceedings & (rng.random(n) < 0.10)
    care_date = np.where(proceedings, care_from_plo, np.where(end_to_care, natural_end, NAT))
    end = np.where(proceedings, np.maximum(care_from_plo, add_days(start, 1)), natural_end)
    ep["cp_start"] = np.where(plan, start, NAT)
    ep["cp_end"] = np.where(plan, end, NAT)
    ep["cp_initial"] = initial
    ep["cp_latest"] = latest
    ep["plo"] = plo
    ep["plo_start"] = np.where(plo, plo_start, NAT)
    ep["plo_end"] = np.where(plo, plo_end, NAT)
    ep["plo_outcome"] = outcome
    ep["plo_complex"] = complex_
    ep["care_route"] = np.where(proceedings, "proceedings", np.where(end_to_care, "cp_end", ""))
    ep["care_date"] = np.where(ep["direct_care"], ep["care_date"], care_date)
    ep["stepdown"] = plan & np.isnat(care_date) & (rng.random(n) < 0.6)


def cp_reviews(ctx: Ctx, ep: dict) -> pd.DataFrame:
    """Review conferences: first within 3 months of the ICPC, then every 6 months, some late."""
    rng, story = ctx.rng, ctx.story
    idx = np.flatnonzero(~np.isnat(ep["cp_start"]))
    start, end = ep["cp_start"][idx], ep["cp_end"][idx]
    rows_i, rows_d = [], []
    prev = start
    first = True
    alive = np.ones(len(idx), bool)
    while alive.any():
        due_gap = 91 if first else 182
        due = add_days(prev, due_gap)
        late = ~ctx.bern(story.p("cp_reviews", due, 0.62, 0.97))
        gap = np.where(late, due_gap + rng.integers(3, 40, len(prev)), due_gap - rng.integers(0, 20, len(prev)))
        date = add_days(prev, gap)
        alive &= date < end
        rows_i.append(idx[alive])
        rows_d.append(date[alive])
        prev = date
        first = False
    return pd.DataFrame({"ep": np.concatenate(rows_i), "review_date": np.concatenate(rows_d)})
