"""The workforce: staff joining and leaving, establishment, allocations, supervision and training.

Why simulated month by month: the workforce KPIs (W01 agency rate, W02 turnover, W03 vacancies)
and the caseload KPIs (L01, L02, W06) are consequences of *who is in post* — permanent staff
leave at a turnover rate, vacancies are covered by agency workers who stay months not years, a
staffing crisis in summer 2019 drives leavers up, and the agency share falls slowly after the
October 2019 workforce strategy (3.1.1). The monitoring visit found 40% of frontline staff not
permanent; the generator aims at that in autumn 2019 and ~95 case-holding social worker FTE.

Allocations are then made to workers *in post on the day* (never outside their employment dates):
a child's case is held by the assessment team (SAT) until hand-over, then by a safeguarding and
family support team (SAFS, including the 2019 'innovation' team), or a looked-after team while in
care. When a worker leaves, their children are re-allocated after a short gap; there are also
occasional changes for caseload balancing — which is how children come to have 3+ social
workers in a year (W04). Newly qualified (ASYE) workers are meant to have protected caseloads,
but in 2019 they did not (W06).

``asye`` marks a worker who joined as a newly qualified social worker: their ASYE year is the
12 months from ``start_date`` (the staff table has one row per person, so the flag is static).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth import story as st
from torbayreport.synth._common import FAR, NAT, Ctx, add_days, days, month_dates, month_first, month_last
from torbayreport.synth.names import ids, worker_names
from torbayreport.synth.visits import chains

# name, kind (which cases it holds), teams at scale 1, budgeted FTE per team, first month, last month
SW_TEAMS = [
    ("SAT", "SAT", 3, 6.0, None, None),
    ("SAFS", "SAFS", 4, 10.0, None, None),
    ("Innovation", "SAFS", 1, 10.0, "2019-05", "2020-03"),
    ("CLA", "CLA", 2, 7.0, None, None),
    ("Permanence", "CLA", 1, 7.0, None, None),
    ("Special guardianship", "CLA", 1, 4.0, "2019-04", None),
    ("MASH", "MASH", 1, 6.0, None, None),
]
MANDATORY = ["Safeguarding children level 3", "Information governance and GDPR",
             "Equality, diversity and inclusion"]
MANDATORY_FROM_PLAN = ["Signs of Safety practice framework", "Child exploitation and county lines"]
OPTIONAL = ["Court skills", "Motivational interviewing", "Trauma-informed practice"]


def agency_share(months: np.ndarray) -> np.ndarray:
    """Target agency share of social worker posts: rising to ~42% in autumn 2019, then falling."""
    knots_m = np.array(["2014-01", "2018-01", "2019-05", "2019-10", "2020-03", "2020-12", "2023-12"],
                       dtype="datetime64[M]").astype(int)
    knots_v = np.array([0.22, 0.27, 0.30, 0.31, 0.27, 0.17, 0.15])
    return np.interp(months.astype("datetime64[M]").astype(int), knots_m, knots_v)


def _groups(ctx: Ctx) -> pd.DataFrame:
    """Posts to staff: one group per (team, role), with budget and lifespan."""
    rows = []
    for name, kind, count, fte, first, last in SW_TEAMS:
        k = max(1, int(round(count * ctx.scale)))
        for i in range(k):
            team = f"{name} {i + 1}" if k > 1 or count > 1 else name
            agency_mult = 2.0 if name == "Innovation" else 1.0
            rows.append((team, kind, "Social worker", kind != "MASH", fte, first, last, agency_mult))
            rows.append((team, kind, "Team manager", False, 1.0, first, last, 0.5))
            if kind == "SAFS" and name != "Innovation":
                rows.append((team, kind, "Family support worker", False, 2.0, first, last, 0.1))
    k = max(1, int(round(ctx.scale)))
    for i in range(k):
        sfx = f" {i + 1}" if k > 1 else ""
        rows.append(("IRO and CP chairs" + sfx, "IRO", "IRO", False, 7.0, None, None, 0.4))
        rows.append(("Service management" + sfx, "MGT", "Service manager", False, 4.0, None, None, 0.5))
    frame = pd.DataFrame(rows, columns=["team", "kind", "role", "case_holding", "budget", "first", "last", "agency_mult"])
    frame["first"] = pd.to_datetime(frame["first"]).to_numpy().astype("datetime64[D]")
    frame["last"] = month_last(pd.to_datetime(frame["last"]).to_numpy().astype("datetime64[D]"))
    return frame


def staff(ctx: Ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate joiners and leavers month by month (vectorised over workers); staff + establishment."""
    rng, story = ctx.rng, ctx.story
    g = _groups(ctx)
    G = len(g)
    months = month_dates(ctx.hist_start - np.timedelta64(31, "D"), ctx.sim_end)
    first_day = g["first"].to_numpy()
    last_day = np.where(np.isnat(g["last"].to_numpy()), FAR, g["last"].to_numpy())
    budget = g["budget"].to_numpy()
    sw = (g["role"] == "Social worker").to_numpy()
    mult = g["agency_mult"].to_numpy()

    group_l, perm_l, start_l, end_l = [], [], [], []

    def hire(grp, perm, start):
        group_l.append(grp)
        perm_l.append(perm)
        start_l.append(start)
        end_l.append(np.full(len(grp), FAR))

    # Initial stock: posts filled before the simulation starts, permanent staff with long service.
    m0 = months[0]
    live0 = np.isnat(first_day) | (first_day <= m0)
    s0 = agency_share(np.array([m0]))[0]
    n_perm = np.where(live0, np.round(budget * (1 - np.minimum(s0 * mult, 0.95)) / 0.95), 0).astype(int)
    n_ag = np.where(live0, np.round(budget * np.minimum(s0 * mult, 0.95)), 0).astype(int)
    grp = np.repeat(np.arange(G), n_perm)
    hire(grp, np.ones(len(grp), bool), m0 - rng.exponential(4 * 365, len(grp)).astype(int).astype("timedelta64[D]"))
    grp = np.repeat(np.arange(G), n_ag)
    hire(grp, np.zeros(len(grp), bool), m0 - rng.integers(0, 300, len(grp)).astype("timedelta64[D]"))

    crisis_lo, crisis_hi = (m.astype("datetime64[D]") for m in st.STAFFING_CRISIS)
    for m in months:
        grp_a = np.concatenate(group_l)
        perm_a = np.concatenate(perm_l)
        start_a = np.concatenate(start_l)
        end_a = np.concatenate(end_l)
        m_end = month_last(np.array([m]))[0]
        span = int((m_end - m).astype(int)) + 1
        active = (start_a <= m_end) & (end_a == FAR)
        # Leavers: permanent turnover ~22%/yr before the plan, ~14% after, a spike in the crisis.
        level = story.level("caseload", np.array([m]))[0]
        annual = 0.26 - 0.14 * level
        if crisis_lo <= m <= crisis_hi:
            annual += 0.3
        h_perm = 1 - (1 - annual) ** (1 / 12)
        h_ag = np.where(mult[grp_a] > 1.5, 0.14, 0.07)
        closing = last_day[grp_a] <= m_end
        leave = active & ((rng.random(len(grp_a)) < np.where(perm_a, h_perm, h_ag)) | closing)
        day = m + rng.integers(0, span, len(grp_a)).astype("timedelta64[D]")
        day = np.where(closing, np.minimum(day, last_day[grp_a]), day)
        new_end = np.where(leave, np.maximum(day, start_a + np.timedelta64(1, "D")), end_a)
        # write back per batch
        pos = 0
        for j in range(len(end_l)):
            k = len(end_l[j])
            end_l[j] = new_end[pos:pos + k]
            pos += k
        still = active & ~leave
        live = (np.isnat(first_day) | (first_day <= m_end)) & (last_day > m_end)
        perm_fte = np.bincount(grp_a[still & perm_a], minlength=G).astype(float) * 0.93
        ag_fte = np.bincount(grp_a[still & ~perm_a], minlength=G).astype(float)
        share = np.minimum(agency_share(np.array([m]))[0] * mult, 0.95)
        fill = np.where((m >= crisis_lo) & (m <= crisis_hi) & sw, 0.86, 0.98)
        target = np.where(live, budget * fill, 0)
        perm_gap = target * (1 - share) - perm_fte
        # Recruitment is slow; the October 2019 workforce strategy (3.1.1) speeds it up.
        pace = 0.55 if m >= np.datetime64("2019-11-01") else 0.28
        hires_p = rng.poisson(np.maximum(perm_gap, 0) * pace)
        ag_gap = target - perm_fte - ag_fte - hires_p
        hires_a = rng.binomial(np.maximum(np.round(ag_gap), 0).astype(int), 0.75)
        first_of_group = ~np.isnat(first_day) & (first_day.astype("datetime64[M]") == m.astype("datetime64[M]"))
        hires_a = np.where(first_of_group, np.maximum(np.round(target * share).astype(int), hires_a), hires_a)
        hires_p = np.where(live, hires_p, 0)
        hires_a = np.where(live, hires_a, 0)
        for counts, perm in ((hires_p, True), (hires_a, False)):
            grp = np.repeat(np.arange(G), counts)
            start = m + rng.integers(0, span, len(grp)).astype("timedelta64[D]")
            start = np.where(np.isnat(first_day[grp]), start, np.maximum(start, first_day[grp]))
            hire(grp, np.full(len(grp), perm), start)

    grp_a = np.concatenate(group_l)
    perm_a = np.concatenate(perm_l)
    start_a = np.concatenate(start_l)
    end_a = np.concatenate(end_l)
    n = len(grp_a)
    role = g["role"].to_numpy()[grp_a].astype(object)
    is_sw = role == "Social worker"
    senior = is_sw & (rng.random(n) < 0.18)
    role = np.where(senior, "Senior practitioner", role)
    asye = is_sw & ~senior & perm_a & (rng.random(n) < 0.3) & (start_a >= ctx.hist_start)
    fte = np.where(perm_a, rng.choice([1.0, 0.8, 0.6, 0.5], n, p=[0.78, 0.12, 0.06, 0.04]), 1.0)
    fte = np.where(asye, 1.0, fte)
    frame = pd.DataFrame({
        "w": np.arange(n), "team": g["team"].to_numpy()[grp_a], "kind": g["kind"].to_numpy()[grp_a],
        "role": role, "employment": np.where(perm_a, "Permanent", "Agency"), "fte": fte,
        "start_date": start_a, "end_date": end_a,
        "case_holding": g["case_holding"].to_numpy()[grp_a] & np.isin(role, ["Social worker", "Senior practitioner"]),
        "asye": asye,
    })
    frame = frame.sort_values(["start_date", "w"], kind="stable").reset_index(drop=True)
    frame["worker_id"] = ids("W", np.arange(1, n + 1), 4)
    frame["worker_name"] = worker_names(rng, n)
    # Establishment: budgeted SW FTE per social work team and month.
    ms = month_dates(ctx.keep_from, ctx.extract)
    sw_g = g[g["role"] == "Social worker"].reset_index(drop=True)
    grid = sw_g.loc[np.repeat(np.arange(len(sw_g)), len(ms))].reset_index(drop=True)
    grid["month"] = np.tile(ms, len(sw_g))
    alive = (grid["first"].isna() | (grid["first"] <= grid["month"])) & (grid["last"].isna() | (grid["last"] >= grid["month"]))
    grid = grid[alive].copy()
    # After the plan the council funds an extra post in each SAFS team from April 2020.
    extra = (grid["kind"] == "SAFS") & ~grid["team"].str.startswith("Innovation") & (grid["month"] >= np.datetime64("2020-04-01"))
    grid["budgeted_sw_fte"] = grid["budget"] + extra.astype(float)
    establishment = pd.DataFrame({"month": grid["month"].dt.strftime("%Y-%m").to_numpy(), "team": grid["team"].to_numpy(),
                                  "budgeted_sw_fte": grid["budgeted_sw_fte"].to_numpy()})
    return frame, establishment


def allocations(ctx: Ctx, staff_frame: pd.DataFrame, hold: pd.DataFrame) -> pd.DataFrame:
    """Allocate each holding segment to workers in post, re-allocating when a worker leaves."""
    rng, story = ctx.rng, ctx.story
    # Occasional changes of worker for caseload balancing: split segments at Poisson points.
    s, e = days(hold["start"].to_numpy()), days(hold["end"].to_numpy())
    e_eff = np.minimum(e, ctx.sim_end)
    dur = np.maximum((e_eff - s).astype(int), 0)
    rate = 0.3 - 0.22 * story.level("caseload", s)  # changes per year
    k = rng.poisson(rate * dur / 365)
    owner = np.repeat(np.arange(len(s)), k)
    cuts = s[owner] + (rng.random(len(owner)) * dur[owner]).astype(int).astype("timedelta64[D]")
    pts = pd.DataFrame({"seg": np.concatenate([np.arange(len(s)), owner]),
                        "t": np.concatenate([s, cuts])}).sort_values(["seg", "t"], kind="stable")
    pts = pts.drop_duplicates()
    seg = pts["seg"].to_numpy()
    ps = pts["t"].to_numpy().astype("datetime64[D]")
    last = np.r_[seg[1:] != seg[:-1], True]
    pe = np.where(last, e[seg], np.r_[ps[1:], ps[:1]])
    kind = hold["kind"].to_numpy()[seg]
    child = hold["child"].to_numpy()[seg]

    w_start = days(staff_frame["start_date"].to_numpy())
    w_end = days(staff_frame["end_date"].to_numpy())
    w_fte = staff_frame["fte"].to_numpy()
    w_asye = staff_frame["asye"].to_numpy()
    w_kind = staff_frame["kind"].to_numpy()
    holders = staff_frame["case_holding"].to_numpy()

    out_c, out_w, out_s, out_e = [], [], [], []
    pend_c, pend_s, pend_e, pend_k = child, ps, pe, kind
    for _ in range(60):
        if not len(pend_c):
            break
        chosen = np.full(len(pend_c), -1)
        for kk in np.unique(pend_k):
            sel = np.flatnonzero(pend_k == kk)
            pool = np.flatnonzero(holders & (w_kind == kk))
            if not len(pool):
                continue
            wts = w_fte[pool] / w_fte[pool].sum()
            todo = sel
            for _try in range(80):
                if not len(todo):
                    break
                cand = pool[rng.choice(len(pool), len(todo), p=wts)]
                d = pend_s[todo]
                inpost = (w_start[cand] <= d) & (w_end[cand] > d)
                # ASYE caseloads: protected when practice is good, not in 2019.
                in_asye = w_asye[cand] & ((d - w_start[cand]).astype(int) < 365)
                accept = np.where(in_asye, 1.25 - 0.75 * story.level("caseload", d), 1.0) / 1.25
                ok = inpost & (rng.random(len(todo)) < accept)
                chosen[todo[ok]] = cand[ok]
                todo = todo[~ok]
        got = chosen >= 0
        we = w_end[np.where(got, chosen, 0)]
        alloc_end = np.minimum(pend_e, we)
        out_c.append(pend_c[got])
        out_w.append(chosen[got])
        out_s.append(pend_s[got])
        out_e.append(alloc_end[got])
        # Worker left before the segment ended: re-allocate after a short gap.
        again = got & (we < pend_e)
        gap = rng.integers(0, 8, len(pend_c)) + np.where(rng.random(len(pend_c)) < 0.15, rng.integers(5, 25, len(pend_c)), 0)
        ns = add_days(we, gap)
        again &= ns < np.minimum(pend_e, ctx.sim_end)
        pend_c, pend_s, pend_e, pend_k = pend_c[again], ns[again], pend_e[again], pend_k[again]
    frame = pd.DataFrame({"child": np.concatenate(out_c), "w": np.concatenate(out_w),
                          "alloc_start": np.concatenate(out_s), "alloc_end": np.concatenate(out_e)})
    frame = frame[frame["alloc_end"] > frame["alloc_start"]]
    frame["worker_id"] = staff_frame["worker_id"].to_numpy()[frame["w"].to_numpy()]
    return frame.drop(columns="w")


def supervision(ctx: Ctx, staff_frame: pd.DataFrame) -> pd.DataFrame:
    """Supervision sessions for case-holding staff: 4-weekly (fortnightly in the ASYE year)."""
    rng, story = ctx.rng, ctx.story
    sf = staff_frame[staff_frame["case_holding"]]
    s, e = days(sf["start_date"].to_numpy()), days(sf["end_date"].to_numpy())
    asye_until = np.where(sf["asye"].to_numpy(), add_days(s, 365), s)
    # Two chains per worker: the ASYE year (fortnightly policy) and afterwards (4-weekly).
    out = []
    for asye_phase in (True, False):
        if asye_phase:
            a, b = s, np.where(sf["asye"].to_numpy(), asye_until, s)
            ok_rng, late_rng = (7, 15), (15, 35)
        else:
            a, b = asye_until, e
            ok_rng, late_rng = (12, 29), (29, 70)

        def step(cur, ok_rng=ok_rng, late_rng=late_rng):
            late = ~ctx.bern(story.p("supervision", cur, 0.45, 0.96))
            n = len(cur)
            return add_days(cur, np.where(late, rng.integers(*late_rng, n), rng.integers(*ok_rng, n)))

        i, d = chains(ctx, a, b, add_days(a, rng.integers(3, 15, len(a))), step, 70)
        out.append(pd.DataFrame({"worker_id": sf["worker_id"].to_numpy()[i], "supervision_date": d}))
    return pd.concat(out, ignore_index=True)


def training(ctx: Ctx, staff_frame: pd.DataFrame) -> pd.DataFrame:
    """Mandatory courses due 3 months after joining then yearly; two more after the plan (3.1.2)."""
    rng = ctx.rng
    s, e = days(staff_frame["start_date"].to_numpy()), days(staff_frame["end_date"].to_numpy())
    horizon = np.minimum(e, ctx.extract + np.timedelta64(90, "D"))
    plan_due = np.datetime64("2019-12-31")
    parts = []
    for course in MANDATORY + MANDATORY_FROM_PLAN + OPTIONAL:
        first = add_days(s, 90)
        if course in MANDATORY_FROM_PLAN:
            first = np.maximum(first, plan_due)
        if course in OPTIONAL:
            k = (rng.random(len(s)) < 0.35).astype(int) * (first < horizon)
        else:
            k = np.maximum(((horizon - first).astype(int) // 365) + 1, 0)
        w = np.repeat(np.arange(len(s)), k)
        j = np.arange(len(w)) - np.repeat(np.cumsum(k) - k, k)
        due = add_days(first[w], 365 * j)
        keep = due >= ctx.keep_from - np.timedelta64(365, "D")
        w, due = w[keep], due[keep]
        n = len(w)
        ontime = ctx.bern(ctx.story.p("training", due, 0.5, 0.97))
        done = np.where(ontime, np.maximum(add_days(due, -rng.integers(0, 80, n)), s[w]),
                        np.where(rng.random(n) < 0.6, add_days(due, rng.integers(1, 120, n)), NAT))
        done = np.where(done <= e[w], done, NAT)
        parts.append(pd.DataFrame({"worker_id": staff_frame["worker_id"].to_numpy()[w], "course": course,
                                   "mandatory": course not in OPTIONAL, "due_date": due, "completed_date": done}))
    return pd.concat(parts, ignore_index=True)


__all__ = ["staff", "allocations", "supervision", "training", "month_first"]
