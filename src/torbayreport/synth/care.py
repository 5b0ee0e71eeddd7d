"""Children looked after: periods of care, placements, reviews, health, missing and care leavers.

Why here: the looked-after KPIs (P17–P22, P27, L05, L06) need long histories — long-term
stability (P21) asks about children in care 2.5+ years, care leavers are 19–21 — so besides the
children who come into care during the simulation (after PLO, at the end of a CP plan, or in an
emergency) the module builds a *historic stock*: children who entered care up to 16 years before
the flow starts, at the same rate and with the same length-of-stay rules. That makes the ~360
children looked after at any month end, their placement histories and the care-leaver cohort
consistent with each other from the first reported month.

Length of stay: about 3 in 10 return home within months (some re-enter care within a year, P22);
babies are mostly adopted or placed with special guardians within 1–3 years; older children
mostly stay until 18 and then become care leavers (monthly ``care_leavers`` rows to age 21).
Placement moves are a Poisson process, faster in the first year and when practice is poor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import FAR, NAT, Ctx, add_days, add_wd, days, month_first, poisson_dates
from torbayreport.synth.children import Population, sample_ages_days
from torbayreport.synth.names import postcodes

CLA_ENTRY_AGES = ((0, 1, 0.24), (1, 5, 0.15), (5, 10, 0.19), (10, 16, 0.32), (16, 18, 0.10))
HISTORIC_ENTRIES_PER_MONTH = 10.0
RETURN_HOME = np.array(["E4A", "E4A", "E13", "E4B"], dtype=object)
AT_18 = np.array(["E17", "E5", "E5", "E6", "E8"], dtype=object)


def periods(ctx: Ctx, pop: Population, child: np.ndarray, start: np.ndarray, route: np.ndarray) -> dict:
    """Periods of care for children entering on ``start`` by ``route`` (vectorised)."""
    rng = ctx.rng
    n = len(child)
    age = pop.age_days(child, start) / 365.25
    p_short = np.select([route == "emergency", route == "proceedings", route == "re-entry"],
                        [0.5, 0.12, 0.35], 0.3)
    short = rng.random(n) < p_short
    u = rng.random(n)
    # Long stays by age: babies adopted or special guardianship, young children SGO/CAO or stay,
    # older children stay to 18.
    adopt = (age < 2) & (u < 0.6)
    sgo = ((age < 2) & (u >= 0.6)) | ((age >= 2) & (age < 10) & (u < 0.45)) | ((age >= 10) & (u < 0.1))
    months = np.where(short, rng.exponential(5.0, n) + 0.3,
                      np.where(adopt, rng.uniform(14, 36, n),
                               np.where(sgo, rng.uniform(12, 48, n), 400.0)))
    end = add_days(start, (months * 30.44).astype(int))
    b18 = pop.birthday(child, 18)
    at18 = end >= b18
    end = np.where(at18, b18, end)
    reason = np.where(at18, AT_18[rng.integers(0, len(AT_18), n)],
                      np.where(short, RETURN_HOME[rng.integers(0, 4, n)],
                               np.where(adopt, np.where(rng.random(n) < 0.5, "E11", "E12"),
                                        np.asarray(["E45", "E46", "E47", "E48", "E41"], dtype=object)[
                                            rng.choice(5, n, p=[0.35, 0.3, 0.15, 0.1, 0.1])])))
    status = np.select(
        [route == "proceedings", route == "emergency", route == "historic"],
        [np.where(rng.random(n) < 0.7, "C2", "C1"),
         np.asarray(["V2", "V2", "V2", "L2", "C1", "J2"], dtype=object)[rng.integers(0, 6, n)],
         np.where(adopt & (rng.random(n) < 0.6), "E1", np.where(rng.random(n) < 0.8, "C2", "V2"))],
        np.where(rng.random(n) < 0.6, "C2", "V2"))
    status = np.where(adopt & (route != "historic") & (rng.random(n) < 0.5), "E1", status)
    return {"child": child, "cla_start": start, "cla_end": end, "legal_status": status.astype(object),
            "reason_ceased": reason.astype(object), "adopt": adopt, "returned": short & ~at18,
            "route": route}


def _concat(parts: list[dict]) -> dict:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def historic_stock(ctx: Ctx, pop: Population) -> dict:
    """Children who came into care before the simulated flow began (still relevant at keep_from)."""
    first = ctx.hist_start - np.timedelta64(16 * 365, "D")
    dates = poisson_dates(ctx, first, ctx.hist_start - np.timedelta64(1, "D"),
                          lambda m: np.full(len(m), HISTORIC_ENTRIES_PER_MONTH), weekday_share=0.7)
    child = pop.new(dates, sample_ages_days(ctx, len(dates), CLA_ENTRY_AGES))
    p = periods(ctx, pop, child, dates, np.full(len(dates), "historic", dtype=object))
    keep = p["cla_end"] >= ctx.keep_from - np.timedelta64(4 * 365, "D")
    return {k: v[keep] for k, v in p.items()}


def with_reentries(ctx: Ctx, pop: Population, p: dict) -> dict:
    """Add a second period for some children who went home (re-entry within ~a year, P22)."""
    rng = ctx.rng
    p_re = 0.32 - 0.16 * ctx.story.level("closure_quality", p["cla_end"])
    re = p["returned"] & (rng.random(len(p_re)) < p_re)
    start = add_days(p["cla_end"][re], rng.integers(20, 420, re.sum()))
    ok = start < pop.birthday(p["child"][re], 18) - np.timedelta64(30, "D")
    child = p["child"][re][ok]
    second = periods(ctx, pop, child, start[ok], np.full(ok.sum(), "re-entry", dtype=object))
    second["returned"][:] = False
    for k in p:
        if k not in second:  # carry extra keys (e.g. the episode a period belongs to)
            second[k] = p[k][re][ok]
    out = _concat([p, second])
    return out


PLACEMENTS_BY_AGE = {
    # age band upper bound: (types, weights)
    5: (["U4", "U5", "U1", "U3", "U2", "P1", "U6"], [36, 14, 17, 10, 6, 5, 5]),
    13: (["U4", "U5", "U1", "U3", "K2", "P1", "R1", "U6"], [35, 18, 14, 10, 9, 6, 3, 5]),
    16: (["U4", "U5", "U1", "K2", "R1", "H5", "P1", "Z1"], [30, 10, 10, 30, 5, 7, 5, 3]),
    19: (["H5", "K2", "U4", "U5", "U1", "P2", "R5"], [36, 22, 20, 6, 6, 6, 4]),
}
PROVIDERS = {"U1": "PR1", "U2": "PR1", "U3": "PR1", "P1": "PR0", "P2": "PR0", "A3": "PR1", "A4": "PR2",
             "A5": "PR1", "A6": "PR2", "R1": "PR3", "R5": "PR3", "Z1": "PR5", "S1": "PR3"}


def placements(ctx: Ctx, pop: Population, p: dict) -> pd.DataFrame:
    """Placements within each period: a first placement, then moves (Poisson, faster in year 1)."""
    rng, story = ctx.rng, ctx.story
    n = len(p["child"])
    start, end = p["cla_start"], p["cla_end"]
    dur = (end - start).astype(int)
    r1 = 0.55 + 0.9 * (1 - story.level("placement", start))     # moves per year, first year
    r2 = 0.10 + 0.35 * (1 - story.level("placement", start))    # after the first year
    first_year = np.minimum(dur, 365)
    later = np.maximum(dur - 365, 0)
    k1 = rng.poisson(r1 * first_year / 365)
    k2 = rng.poisson(r2 * later / 365)
    per = np.repeat(np.arange(n), k1)
    t1 = (rng.random(len(per)) * np.maximum(first_year[per] - 1, 1)).astype(int) + 1
    per2 = np.repeat(np.arange(n), k2)
    t2 = 365 + (rng.random(len(per2)) * np.maximum(later[per2] - 1, 1)).astype(int)
    # Adopted children: the last placement is "placed for adoption", 6–10 months before the order.
    ad = np.flatnonzero(p["adopt"] & (dur > 300))
    ta = dur[ad] - rng.integers(180, 300, len(ad))
    owner = np.concatenate([np.arange(n), per, per2, ad])
    offset = np.concatenate([np.zeros(n, int), t1, t2, ta])
    is_adopt = np.concatenate([np.zeros(n + len(per) + len(per2), bool), np.ones(len(ad), bool)])
    order = np.lexsort((offset, owner))
    owner, offset, is_adopt = owner[order], offset[order], is_adopt[order]
    # Moves after the adoptive placement are dropped (an adoptive placement is the last one).
    adopt_from = np.full(n, 10**9)
    np.minimum.at(adopt_from, owner[is_adopt], offset[is_adopt])
    keep = (offset < adopt_from[owner]) | is_adopt
    owner, offset, is_adopt = owner[keep], offset[keep], is_adopt[keep]
    pstart = add_days(start[owner], offset)
    dup = np.r_[False, (owner[1:] == owner[:-1]) & (pstart[1:] == pstart[:-1])]
    owner, pstart, is_adopt = owner[~dup], pstart[~dup], is_adopt[~dup]
    last = np.r_[owner[1:] != owner[:-1], True]
    pend = np.where(last, end[owner], np.r_[pstart[1:], pstart[:1]])
    age = pop.age_days(p["child"][owner], pstart) / 365.25
    ptype = np.empty(len(owner), dtype=object)
    lo = 0
    for hi, (types, weights) in PLACEMENTS_BY_AGE.items():
        sel = (age >= lo) & (age < hi)
        w = np.asarray(weights, float)
        ptype[sel] = np.asarray(types, dtype=object)[rng.choice(len(types), sel.sum(), p=w / w.sum())]
        lo = hi
    ptype[is_adopt] = np.asarray(["A3", "A4", "A5", "A6"], dtype=object)[rng.choice(4, is_adopt.sum(), p=[.5, .1, .3, .1])]
    provider = np.array([PROVIDERS.get(t, "") for t in ptype], dtype=object)
    fostering_ifa = np.isin(ptype, ["U4", "U5", "U6"]) & (rng.random(len(ptype)) < 0.4)
    provider = np.where(provider == "", np.where(np.isin(ptype, ["U4", "U5", "U6"]), "PR1", "PR4"), provider)
    provider = np.where(fostering_ifa, "PR4", provider)
    p_local = np.select([provider == "PR0", provider == "PR1", provider == "PR4"], [0.95, 0.8, 0.3], 0.4)
    return pd.DataFrame({"child": p["child"][owner], "placement_start": pstart, "placement_end": pend,
                         "placement_type": ptype, "provider": provider,
                         "postcode": postcodes(rng, len(owner), p_local)})


def _recurring(ctx: Ctx, start, end, first_gap, gap, area, lo, hi, late_extra):
    """Generic review chains: first due ``first_gap`` days after start, then every ``gap``."""
    rng = ctx.rng
    rows_i, rows_d = [], []
    idx = np.arange(len(start))
    prev = start
    due_gap = np.broadcast_to(np.asarray(first_gap), idx.shape)
    alive = np.ones(len(idx), bool)
    while alive.any():
        due = add_days(prev, due_gap)
        late = ~ctx.bern(ctx.story.p(area, due, lo, hi))
        g = np.where(late, due_gap + rng.integers(late_extra[0], late_extra[1], len(idx)),
                     due_gap - (rng.random(len(idx)) * np.minimum(due_gap * 0.2, 25)).astype(int))
        date = add_days(prev, np.maximum(g, 1))
        alive &= (date < end) & (date <= ctx.extract)
        rows_i.append(idx[alive])
        rows_d.append(date[alive])
        prev = date
        due_gap = np.broadcast_to(np.asarray(gap), idx.shape) if np.ndim(gap) == 0 else gap
    return np.concatenate(rows_i), np.concatenate(rows_d)


def cla_reviews(ctx: Ctx, p: dict) -> pd.DataFrame:
    """Reviews: first within 20 working days, second within 3 months, then 6-monthly (P18)."""
    start, end = p["cla_start"], p["cla_end"]
    first = (add_wd(start, 20) - start).astype(int)
    i, d = _recurring(ctx, start, end, first, 91, "cla_reviews", 0.68, 0.98, (2, 30))
    # After the second review the interval is 6 months: redo the chain from the second review on.
    frame = pd.DataFrame({"i": i, "review_date": d}).sort_values(["i", "review_date"])
    frame["n"] = frame.groupby("i").cumcount()
    second = frame[frame["n"] == 1]
    j, d2 = _recurring(ctx, second["review_date"].to_numpy().astype("datetime64[D]"),
                       end[second["i"].to_numpy()], 182, 182, "cla_reviews", 0.68, 0.98, (3, 45))
    later = pd.DataFrame({"i": second["i"].to_numpy()[j], "review_date": d2})
    out = pd.concat([frame[frame["n"] <= 1][["i", "review_date"]], later], ignore_index=True)
    return pd.DataFrame({"child": p["child"][out["i"].to_numpy()], "review_date": out["review_date"].to_numpy()})


def health_assessments(ctx: Ctx, pop: Population, p: dict) -> pd.DataFrame:
    """Initial health assessment within ~20 working days, then 6-monthly (under 5) or yearly (P19)."""
    start, end = p["cla_start"], p["cla_end"]
    under5 = pop.age_days(p["child"], start) < 5 * 365
    gap = np.where(under5, 182, 365)
    i, d = _recurring(ctx, start, end, 25, gap, "health", 0.4, 0.96, (20, 160))
    return pd.DataFrame({"child": p["child"][i], "assessment_date": d})


def missing_episodes(ctx: Ctx, pop: Population, child, start, end, p_prone: float) -> pd.DataFrame:
    """Missing episodes (with hours) for children open on [start, end) aged 11+; RHIs (L05, L06)."""
    rng, story = ctx.rng, ctx.story
    lo = np.maximum(np.maximum(start, ctx.keep_from - np.timedelta64(31, "D")), pop.birthday(child, 11))
    hi = np.minimum(end, ctx.extract)
    ok = (hi > lo) & (rng.random(len(child)) < p_prone)
    child, lo, hi = child[ok], lo[ok], hi[ok]
    rate = rng.gamma(1.2, 0.33, len(child))  # episodes per month, heavy-tailed between children
    k = rng.poisson(rate * (hi - lo).astype(int) / 30.44)
    owner = np.repeat(np.arange(len(child)), k)
    day = lo[owner] + (rng.random(len(owner)) * (hi - lo)[owner].astype(int)).astype("timedelta64[D]")
    hour = rng.choice(np.arange(24), len(owner), p=_HOUR_WEIGHTS)
    minute = rng.integers(0, 60, len(owner))
    mstart = day.astype("datetime64[m]") + (hour * 60 + minute).astype("timedelta64[m]")
    hours = np.minimum(np.exp(np.log(9) + 1.1 * rng.standard_normal(len(owner))), 24 * 14)
    returned = mstart + (hours * 60).astype(int).astype("timedelta64[m]")
    offered = rng.random(len(owner)) < 0.93
    ret_day = returned.astype("datetime64[D]")
    ontime = ctx.bern(story.p("rhi", ret_day, 0.42, 0.9))
    rhi_h = np.where(ontime, rng.uniform(3, 72, len(owner)), rng.uniform(72.2, 240, len(owner)))
    declined = rng.random(len(owner)) < 0.07
    rhi = returned + (rhi_h * 60).astype(int).astype("timedelta64[m]")
    rhi = np.where(offered & ~declined, rhi, np.datetime64("NaT", "m"))
    return pd.DataFrame({"child": child[owner], "missing_start": mstart, "returned_at": returned,
                         "rhi_offered": offered, "rhi_at": rhi})


_HOUR_WEIGHTS = np.array([3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 9, 8, 7, 5, 4], float)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()


def care_leavers(ctx: Ctx, pop: Population, p: dict) -> pd.DataFrame:
    """Monthly rows for young people who left care at 18 after 13+ weeks, from 18 to 21 (P27)."""
    rng, story = ctx.rng, ctx.story
    b18 = pop.birthday(p["child"], 18)
    left18 = (p["cla_end"] == b18) & ((p["cla_end"] - p["cla_start"]).astype(int) >= 91)
    child = p["child"][left18]
    first = np.maximum(month_first(b18[left18]), month_first(np.array([ctx.keep_from]))[0])
    last = np.minimum(month_first(pop.birthday(child, 21)), month_first(np.array([ctx.extract]))[0])
    m0 = first.astype("datetime64[M]").astype(int)
    m1 = last.astype("datetime64[M]").astype(int)
    k = np.maximum(m1 - m0 + 1, 0)
    owner = np.repeat(np.arange(len(child)), k)
    month = (m0[owner] + (np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k))).astype("datetime64[M]")
    days_ = month.astype("datetime64[D]")
    # Latent per-young-person propensities (persistent month to month) plus monthly noise.
    z_touch, z_acc, z_eet = (rng.standard_normal(len(child))[owner] for _ in range(3))
    touch = z_touch + 0.6 * rng.standard_normal(len(owner)) > -1.35 - 0.4 * story.level("care_leavers", days_)
    in_touch = np.where(touch, "Yes", np.asarray(["No", "Refused", "Returned home", "No"], dtype=object)[
        rng.integers(0, 4, len(owner))])
    acc = z_acc + 0.5 * rng.standard_normal(len(owner)) > -0.95 - 0.8 * story.level("care_leavers", days_)
    eet = z_eet + 0.5 * rng.standard_normal(len(owner)) > 0.25 - 0.55 * story.level("care_leavers", days_)
    eet_codes = np.asarray(["F1", "P1", "F2", "P2", "F3", "P3"], dtype=object)[
        rng.choice(6, len(owner), p=[.1, .03, .3, .07, .35, .15])]
    neet_codes = np.asarray(["G4", "G5", "G6"], dtype=object)[rng.choice(3, len(owner), p=[.2, .65, .15])]
    activity = np.where(eet, eet_codes, neet_codes)
    return pd.DataFrame({
        "child": child[owner], "month": month.astype(str),
        "eligibility": np.where(rng.random(len(owner)) < 0.93, "Former relevant", "Qualifying"),
        "in_touch": in_touch,
        "accommodation_suitable": np.where(touch, acc, None),
        "activity": np.where(touch, activity, None),
    })


__all__ = ["periods", "historic_stock", "with_reentries", "placements", "cla_reviews",
           "health_assessments", "missing_episodes", "care_leavers", "FAR", "NAT", "days"]
