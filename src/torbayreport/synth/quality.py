"""Quality assurance and oversight of the service: audits, moderation, re-audits, actions,
complaints, LADO referrals and dispute resolutions.

Why it looks like this: seed 001 says historic audit judgements were "over optimistic", and the
2019 letter that audit activity had increased but without a shared view of good practice. So each
audited case has a *true* grade (improving slowly after the plan); until late 2019 auditors grade
one step too high about a third of the time, and moderation (by senior managers, on a sample)
records the true grade — moderated grades are often lower (Q06). From November 2019 the annual
audit programme (4.1.1) raises the number scheduled and the share moderated. Inadequate audits are
re-audited (Q04) and every audit below Good raises actions with due dates (Q05).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import NAT, Ctx, add_days, add_wd, days, month_dates, month_last, poisson_dates
from torbayreport.synth.names import ids

GRADES = np.array(["Outstanding", "Good", "Requires improvement", "Inadequate"], dtype=object)
PROGRAMME_START = np.datetime64("2019-11-01")


def _open_child(ctx: Ctx, open_: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """A random child whose case is open on each date (rejection sampling; -1 if none found)."""
    s, e = days(open_["start"].to_numpy()), days(open_["end"].to_numpy())
    child = open_["child"].to_numpy()
    out = np.full(len(dates), -1)
    todo = np.arange(len(dates))
    for _ in range(200):
        if not len(todo):
            break
        cand = ctx.rng.integers(0, len(s), len(todo))
        ok = (s[cand] <= dates[todo]) & (e[cand] > dates[todo])
        out[todo[ok]] = child[cand[ok]]
        todo = todo[~ok]
    return out


def _grades(ctx: Ctx, dates: np.ndarray, area: str, shift: float = 0.0) -> np.ndarray:
    """Grade index 0..3 (Outstanding..Inadequate) with the area's level."""
    lv = ctx.story.level(area, dates) + shift
    p_inad = np.clip(0.36 - 0.32 * lv, 0.03, 0.6)
    p_good = np.clip(0.08 + 0.5 * lv, 0.05, 0.7)
    u = ctx.rng.random(len(dates))
    g = np.where(u < p_inad, 3, np.where(u < p_inad + p_good, 1, 2))
    return np.where((g == 1) & (ctx.rng.random(len(dates)) < 0.1), 0, g)


def audits(ctx: Ctx, open_: pd.DataFrame, staff: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng, story = ctx.rng, ctx.story
    months = month_dates(ctx.keep_from, ctx.extract)
    per_month = np.where(months >= PROGRAMME_START, 40.0, 26.0) * ctx.scale
    k = rng.poisson(per_month)
    sched = np.repeat(months, k)
    n = len(sched)
    mid = sched + np.timedelta64(14, "D")
    child = _open_child(ctx, open_, mid)
    # Auditors: team and service managers in post mid-month.
    mgr = staff[staff["role"].isin(["Team manager", "Service manager"])]
    ms, me = days(mgr["start_date"].to_numpy()), days(mgr["end_date"].to_numpy())
    auditor = np.full(n, -1)
    todo = np.arange(n)
    for _ in range(100):
        if not len(todo):
            break
        cand = rng.integers(0, len(mgr), len(todo))
        ok = (ms[cand] <= mid[todo]) & (me[cand] > mid[todo] + np.timedelta64(60, "D"))
        auditor[todo[ok]] = cand[ok]
        todo = todo[~ok]
    keep = (child >= 0) & (auditor >= 0)
    sched, mid, child, auditor = sched[keep], mid[keep], child[keep], auditor[keep]
    n = len(sched)
    on = ctx.bern(story.p("audit_done", sched, 0.55, 0.96))
    late = ~on & (rng.random(n) < 0.5)
    span = (month_last(sched) - sched).astype(int) + 1
    date = np.where(on, sched + (rng.random(n) * span).astype(int).astype("timedelta64[D]"),
                    np.where(late, add_days(month_last(sched), rng.integers(1, 28, n)), NAT))
    true = _grades(ctx, sched, "audit_grade")
    # Over-optimism: auditors grade one step higher, a lot before the plan, rarely after.
    p_opt = 0.42 * (1 - story.level("moderation", sched))
    grade = np.where((rng.random(n) < p_opt) & (true > 0), true - 1, true)
    moderated = rng.random(n) < np.where(sched >= PROGRAMME_START, 0.5, 0.3)
    mod = np.where(rng.random(n) < 0.04, np.maximum(true - 1, 0), true)
    voice = np.minimum(true + (rng.random(n) < 0.55 - 0.4 * story.level("voice", sched)), 3)
    done = ~np.isnat(date)
    frame = pd.DataFrame({
        "n": np.arange(n), "child": child, "auditor_id": mgr["worker_id"].to_numpy()[auditor],
        "scheduled_month": sched.astype("datetime64[M]").astype(str), "audit_date": date,
        "grade": np.where(done, GRADES[grade], None), "voice_grade": np.where(done, GRADES[voice], None),
        "moderated_grade": np.where(done & moderated, GRADES[mod], None), "reaudit_of": None,
        "final": np.where(done & moderated, mod, grade), "done": done,
    })
    # Re-audits of inadequate audits: due within 2 calendar months of the original audit.
    inad = frame[frame["done"] & (frame["final"] == 3) & (rng.random(n) < 0.92)]
    m = len(inad)
    odate = days(inad["audit_date"].to_numpy())
    ok = ctx.bern(story.p("reaudit", odate, 0.35, 0.95))
    never = ~ok & (rng.random(m) < 0.25)
    rdate = np.where(ok, add_days(odate, rng.integers(21, 58, m)),
                     np.where(never, NAT, add_days(odate, rng.integers(63, 130, m))))
    rmonth = (odate.astype("datetime64[M]") + 2).astype(str)
    rg = np.minimum(_grades(ctx, odate, "audit_grade", shift=0.25), 3)
    rdone = ~np.isnat(rdate)
    re = pd.DataFrame({
        "n": n + np.arange(m), "child": inad["child"].to_numpy(), "auditor_id": inad["auditor_id"].to_numpy(),
        "scheduled_month": rmonth, "audit_date": rdate,
        "grade": np.where(rdone, GRADES[rg], None), "voice_grade": np.where(rdone, GRADES[np.minimum(rg + 1, 3)], None),
        "moderated_grade": None, "reaudit_of": ids("A", inad["n"].to_numpy() + 1, 6),
        "final": rg, "done": rdone,
    })
    allaud = pd.concat([frame, re], ignore_index=True)
    allaud["audit_id"] = ids("A", allaud["n"].to_numpy() + 1, 6)
    # Actions from audits graded below Good.
    src = allaud[allaud["done"] & (allaud["final"] >= 2)]
    k = rng.integers(1, 4, len(src))
    owner = np.repeat(np.arange(len(src)), k)
    adate = days(src["audit_date"].to_numpy())[owner]
    due = add_days(adate, rng.integers(14, 43, len(owner)))
    ontime = ctx.bern(story.p("audit_actions", due, 0.4, 0.94))
    comp = np.where(ontime, np.maximum(add_days(due, -rng.integers(0, 14, len(owner))), adate),
                    np.where(rng.random(len(owner)) < 0.7, add_days(due, rng.integers(1, 60, len(owner))), NAT))
    actions = pd.DataFrame({"action_id": ids("AA", np.arange(1, len(owner) + 1), 6),
                            "audit_id": src["audit_id"].to_numpy()[owner], "due_date": due, "completed_date": comp})
    return allaud.drop(columns=["n", "final", "done"]), actions


def complaints(ctx: Ctx) -> pd.DataFrame:
    """Complaints: stage 1 due in 20 working days, stage 2 in 65, stage 3 in 20 (4.1.3)."""
    rng = ctx.rng
    rec = poisson_dates(ctx, ctx.keep_from, ctx.extract, lambda m: np.full(len(m), 9.0))
    n = len(rec)
    stage = rng.choice(["1", "2", "3"], n, p=[0.86, 0.1, 0.04])
    limit = np.select([stage == "2"], [65], 20)
    due = add_wd(rec, limit)
    ok = ctx.bern(ctx.story.p("complaints", rec, 0.4, 0.95))
    resp = np.where(ok, add_wd(rec, (limit * rng.uniform(0.3, 1.0, n)).astype(int)), add_wd(due, rng.integers(1, 30, n)))
    return pd.DataFrame({"complaint_id": ids("CMP", np.arange(1, n + 1), 5), "received_date": rec,
                         "due_date": due, "response_date": resp, "stage": stage})


def lado(ctx: Ctx) -> pd.DataFrame:
    """Allegations against adults working with children: initial consideration within 1 working day."""
    rng = ctx.rng
    rec = poisson_dates(ctx, ctx.keep_from, ctx.extract, lambda m: np.full(len(m), 8.0))
    n = len(rec)
    ok = ctx.bern(ctx.story.p("lado", rec, 0.45, 0.97))
    wd = np.where(ok, rng.choice([0, 1], n, p=[0.5, 0.5]), rng.integers(2, 9, n))
    return pd.DataFrame({"lado_id": ids("L", np.arange(1, n + 1), 5), "referral_date": rec,
                         "considered_date": add_wd(rec, wd)})


def drps(ctx: Ctx) -> pd.DataFrame:
    """Disputes raised by IROs and CP chairs: rare before the plan, encouraged after (2.4.1, 2.4.3)."""
    plan = np.datetime64("2019-10", "M").astype(int)

    def rate(months):
        since = months.astype("datetime64[M]").astype(int) - plan
        return 2.0 + np.clip(since, 0, 12) * 0.5

    d = poisson_dates(ctx, ctx.keep_from, ctx.extract, rate)
    n = len(d)
    by = ctx.rng.choice(["IRO", "CP chair", "Other"], n, p=[0.55, 0.35, 0.1])
    return pd.DataFrame({"drp_id": ids("D", np.arange(1, n + 1), 5), "raised_date": d, "raised_by": by})
