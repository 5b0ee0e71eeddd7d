"""Children's journeys: episode after episode, from contact to closure, and what is open when.

Why rounds: a child's next referral can only come after the previous episode closed, and whether
it comes (and how soon) depends on how that episode ended — cases "closed too soon" come back,
which is how re-referrals (P02) and repeat CP plans (P11) arise instead of being painted on.
So the simulation runs in rounds: round 0 is every child's first referral over the whole period
(vectorised), round k+1 the re-referrals of episodes closed in round k. Each round passes through
the front door, protection and care stages with numpy arrays, one element per episode.

From the finished episodes this module derives the *spells* the other stages need: CIN-only,
CP and CLA segments (for statutory visits), open-case intervals (management oversight), and
holding segments per team type (assessment, safeguarding/CIN/CP, looked after) for allocations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth import care, front_door, protection
from torbayreport.synth import story as st
from torbayreport.synth._common import NAT, Ctx, add_days, earliest
from torbayreport.synth.children import Population

NEEDS = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0"]
NEED_WEIGHTS = [55, 6, 6, 12, 14, 3, 1, 2, 0.5, 0.5]
MAX_ROUNDS = 10


def _concat(parts: list[dict]) -> dict:
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def simulate(ctx: Ctx, pop: Population) -> tuple[dict, dict]:
    """All referral episodes (dict of arrays) and all periods of care (historic stock included)."""
    rng, story = ctx.rng, ctx.story
    seeds = front_door.first_referral_contacts(ctx, pop, share_new=0.66)
    episodes, cla_parts = [], []
    offset = 0
    for rnd in range(MAX_ROUNDS):
        n = len(seeds["child"])
        if n == 0:
            break
        ep = {"child": seeds["child"], "contact_date": seeds["contact_date"], "round": np.full(n, rnd),
              "prev_cp": seeds["prev_cp"]}
        front_door.referral_and_assessment(ctx, ep)
        # Children who have been on a plan before are far more likely to be on one again (P11).
        ep["s47"] |= ep["prev_cp"] & ~ep["nfa"] & (rng.random(n) < 0.45)
        ep["needs"] |= ep["s47"]
        ep["handover_days"] = rng.integers(5, 35, n)
        ep["alloc_lag"] = rng.integers(0, 3, n)
        child = ep["child"]
        b18 = pop.birthday(child, 18)
        age = pop.age_days(child, ep["referral_date"]) / 365.25
        p_direct = np.select([age < 1, age >= 16], [0.07, 0.10], 0.04)
        ep["direct_care"] = ~ep["nfa"] & ctx.bern(p_direct)
        ep["care_date"] = np.where(ep["direct_care"], add_days(ep["a_start"], rng.integers(0, 30, n)), NAT)
        protection.section47(ctx, ep)
        ep["plan"] &= ~ep["direct_care"] & (ep["icpc_date"] < b18 - np.timedelta64(30, "D"))
        protection.cp_plans(ctx, ep)
        ep["cp_end"] = earliest(ep["cp_end"], b18)
        # Periods of care for this round's episodes.
        has = ~np.isnat(ep["care_date"]) & (ep["care_date"] < b18 - np.timedelta64(30, "D"))
        route = np.where(ep["direct_care"], "emergency",
                         np.where(ep["care_route"] == "proceedings", "proceedings", "cp_end")).astype(object)
        p = care.periods(ctx, pop, child[has], ep["care_date"][has], route[has])
        p["ep"] = offset + np.flatnonzero(has)
        p = care.with_reentries(ctx, pop, p)
        cla_parts.append(p)
        # Closure of the episode.
        local = p["ep"] - offset
        care_end = np.full(n, NAT)
        if len(local):
            np.maximum.at(care_end.view("int64"), local, p["cla_end"].view("int64"))
        care_end = np.where(has, care_end, NAT)
        last_returned = np.zeros(n, bool)
        order = np.argsort(p["cla_start"], kind="stable")
        last_returned[local[order]] = p["returned"][order]  # the last period wins
        ended_adopt_sgo = np.zeros(n, bool)
        ended_adopt_sgo[local[order]] = np.isin(p["reason_ceased"][order], ["E11", "E12", "E45", "E46", "E47", "E48", "E41"])
        cq = story.level("closure_quality", ep["referral_date"])
        cin_months = np.exp(np.log(6.5 - 3.0 * np.clip(cq - 0.28, 0, 0.4) / 0.4) + 0.7 * rng.standard_normal(n))
        close = np.where(
            ep["nfa"], ep["referral_date"],
            np.where(has, np.where(last_returned, add_days(care_end, rng.integers(60, 180, n)), care_end),
                     np.where(ep["plan"], add_days(ep["cp_end"], np.where(ep["stepdown"], rng.integers(60, 200, n),
                                                                          rng.integers(0, 15, n))),
                              np.where(ep["needs"], add_days(ep["a_auth"], (cin_months * 30.44).astype(int)),
                                       add_days(ep["a_auth"], rng.integers(0, 10, n))))))
        close = np.maximum(earliest(close, b18), ep["referral_date"])
        ep["close"] = close
        ep["care_end"] = care_end
        ep["reason"] = np.where(~ep["needs"], np.where(rng.random(n) < 0.7, "RC8", "RC9"),
                                np.where(has & ended_adopt_sgo, "RC4", "RC7")).astype(object)
        ep["reason"] = np.where(has & np.isin(ep["reason"], ["RC4"]) & (rng.random(n) < 0.4), "RC1", ep["reason"])
        episodes.append(ep)
        # Re-referrals: the next round.
        short = ep["nfa"] | ~ep["needs"]
        p_rr = np.where(short, 0.62 - 0.34 * cq, np.where(ep["plan"], 0.36 - 0.14 * cq, 0.34 - 0.14 * cq))
        p_rr = np.where(has, 0.08, p_rr)
        age_close = pop.age_days(child, close) / 365.25
        eligible = (close < ctx.sim_end) & (age_close < 17.3) & ~ended_adopt_sgo
        again = eligible & (rng.random(n) < p_rr)
        gap = (rng.exponential(70 + 90 * cq, n) + 7).astype(int)
        nxt = add_days(close, gap)
        # Special cause: cases closed in the winter of 2018-19 bounce back in March 2019.
        spike_lo, spike_hi = np.datetime64("2018-11-01"), st.RE_REFERRAL_SPIKE.astype("datetime64[D]")
        bounce = eligible & ~again & (close >= spike_lo) & (close < spike_hi) & (rng.random(n) < 0.2)
        nxt = np.where(bounce, spike_hi + rng.integers(0, 31, n).astype("timedelta64[D]"), nxt)
        go = (again | bounce) & (nxt < ctx.sim_end) & (nxt < b18 - np.timedelta64(60, "D")) & (nxt > close)
        had_cp = ep["prev_cp"] | ~np.isnat(ep["cp_start"])
        seeds = {"child": child[go], "contact_date": nxt[go], "prev_cp": had_cp[go]}
        offset += n
    eps = _concat(episodes)
    flow_cla = _concat(cla_parts)
    hist = care.with_reentries(ctx, pop, {**care.historic_stock(ctx, pop)})
    hist["ep"] = np.full(len(hist["child"]), -1)
    return eps, _concat([flow_cla, hist])


def episode_periods(eps: dict, cla: dict) -> dict:
    """First and second period of care per episode (NaT when none)."""
    n = len(eps["child"])
    out = {k: np.full(n, NAT) for k in ("c1s", "c1e", "c2s", "c2e")}
    sel = cla["ep"] >= 0
    frame = pd.DataFrame({"ep": cla["ep"][sel], "s": cla["cla_start"][sel], "e": cla["cla_end"][sel]})
    frame = frame.sort_values(["ep", "s"], kind="stable")
    frame["k"] = frame.groupby("ep").cumcount()
    for k, (a, b) in enumerate((("c1s", "c1e"), ("c2s", "c2e"))):
        part = frame[frame["k"] == k]
        out[a][part["ep"].to_numpy()] = part["s"].to_numpy().astype("datetime64[D]")
        out[b][part["ep"].to_numpy()] = part["e"].to_numpy().astype("datetime64[D]")
    return out


def _segments(child, start, end, kind, extra=None) -> pd.DataFrame:
    ok = ~np.isnat(start) & ~np.isnat(end) & (end > start)
    frame = pd.DataFrame({"child": child[ok], "start": start[ok], "end": end[ok], "kind": kind})
    if extra is not None:
        frame["first_seen"] = extra[ok]
    return frame


def spells(eps: dict, cla: dict) -> dict[str, pd.DataFrame]:
    """CIN-only / CP / CLA segments, open intervals and holding segments per team type."""
    per = episode_periods(eps, cla)
    live = ~eps["nfa"]
    child, close = eps["child"], eps["close"]
    cin_start = np.where(live, eps["referral_date"], NAT)
    cps, cpe = eps["cp_start"], eps["cp_end"]
    a_end = earliest(cps, per["c1s"], close)
    cin = pd.concat([
        _segments(child, cin_start, a_end, "CIN", extra=eps["a_seen"]),
        _segments(child, cpe, earliest(per["c1s"], close), "CIN"),
        _segments(child, per["c1e"], earliest(per["c2s"], close), "CIN"),
        _segments(child, per["c2e"], close, "CIN"),
    ], ignore_index=True)
    cp = _segments(child, cps, cpe, "CP")
    cla_seg = _segments(cla["child"], cla["cla_start"], cla["cla_end"], "CLA")
    open_ = pd.concat([_segments(child, cin_start, close, "open"),
                       _segments(cla["child"][cla["ep"] < 0], cla["cla_start"][cla["ep"] < 0],
                                 cla["cla_end"][cla["ep"] < 0], "open")], ignore_index=True)
    # Holding segments: assessment team until hand-over, then safeguarding (CIN/CP), CLA team in care.
    handover = np.where(eps["needs"], add_days(eps["a_auth"], eps["handover_days"]), close)
    alloc_start = add_days(eps["referral_date"], eps["alloc_lag"])
    hold = pd.concat([
        _segments(child, np.where(live, alloc_start, NAT), earliest(handover, per["c1s"], close), "SAT"),
        _segments(child, np.where(live, handover, NAT), earliest(per["c1s"], close), "SAFS"),
        _segments(child, per["c1e"], earliest(per["c2s"], close), "SAFS"),
        _segments(child, per["c2e"], close, "SAFS"),
        _segments(cla["child"], cla["cla_start"], cla["cla_end"], "CLA"),
    ], ignore_index=True)
    return {"cin": cin, "cp": cp, "cla": cla_seg, "open": open_, "hold": hold}


def referral_tables(ctx: Ctx, eps: dict) -> dict[str, pd.DataFrame]:
    """Contacts (referral ones), referrals, assessments, S47s, CIN episodes, CP plans, PLO."""
    rng = ctx.rng
    n = len(eps["child"])
    live = ~eps["nfa"]
    contacts = pd.DataFrame({"child": eps["child"], "contact_date": eps["contact_date"],
                             "contact_source": eps["source"], "decision_date": eps["referral_date"],
                             "contact_outcome": "Referral"})
    referrals = pd.DataFrame({"child": eps["child"], "referral_date": eps["referral_date"],
                              "referral_source": eps["source"], "referral_nfa": eps["nfa"]})
    assessments = pd.DataFrame({"child": eps["child"][live], "referral_date": eps["referral_date"][live],
                                "assessment_start": eps["a_start"][live], "child_seen_date": eps["a_seen"][live],
                                "authorised_date": eps["a_auth"][live], "needs_support": eps["needs"][live]})
    s = eps["s47"]
    s47 = pd.DataFrame({"child": eps["child"][s], "strategy_date": eps["strategy_date"][s],
                        "child_seen_date": eps["s47_seen"][s], "completed_date": eps["s47_done"][s],
                        "icpc_not_required": np.isnat(eps["icpc_date"][s]), "icpc_date": eps["icpc_date"][s],
                        "icpc_led_to_plan": eps["plan"][s],
                        "physical_abuse_disclosed": eps["phys"][s], "cp_medical_date": eps["medical"][s]})
    s47.loc[np.isnat(eps["icpc_date"][s]), "icpc_led_to_plan"] = False
    cin = pd.DataFrame({"child": eps["child"][live], "cin_start": eps["referral_date"][live],
                        "cin_end": eps["close"][live],
                        "primary_need": np.asarray(NEEDS, dtype=object)[
                            rng.choice(len(NEEDS), live.sum(), p=np.array(NEED_WEIGHTS) / sum(NEED_WEIGHTS))],
                        "closure_reason": eps["reason"][live]})
    pl = ~np.isnat(eps["cp_start"])
    cp = pd.DataFrame({"child": eps["child"][pl], "cp_start": eps["cp_start"][pl], "cp_end": eps["cp_end"][pl],
                       "initial_category": eps["cp_initial"][pl], "latest_category": eps["cp_latest"][pl]})
    po = eps["plo"] & pl
    plo = pd.DataFrame({"child": eps["child"][po], "plo_start": eps["plo_start"][po], "plo_end": eps["plo_end"][po],
                        "plo_outcome": eps["plo_outcome"][po], "complex": eps["plo_complex"][po]})
    del n
    return {"contacts": contacts, "referrals": referrals, "assessments": assessments, "s47": s47,
            "cin_episodes": cin, "cp_plans": cp, "plo": plo}
