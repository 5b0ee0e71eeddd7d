"""The front door: contacts, decisions, referrals, assessments, early help and homeless 16/17s.

Why here: these are the first records a child gets, and the timeliness KPIs P01 (decision within
1 working day), P06 (seen within 5), P04/P05 (assessment within 45/20) and P03 (NFA) are all
decided at this stage. Delays are drawn in *working days* and turned into dates with the E&W
calendar, so a KPI computed with ``working_days_between`` recovers exactly the delay drawn.

About 650 contacts a month at scale 1: ~160 become referrals (each referral is the decision date
of its contact), the rest get early help, advice or no further action. Some contacts are about
children already known to the service (repeat contacts), the rest about new children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth import story as st
from torbayreport.synth._common import (NAT, Ctx, add_days, add_wd, days, month_index, poisson_dates)
from torbayreport.synth.children import Population, sample_ages_days

SOURCES = {"1A": 2, "1B": 4, "1C": 2, "1D": 1, "2A": 16, "2B": 2, "3A": 4, "3B": 3, "3C": 5, "3D": 1,
           "3E": 1, "3F": 2, "4": 3, "5A": 7, "5B": 3, "5C": 2, "5D": 3, "6": 30, "7": 2, "8": 3,
           "9": 2, "10": 1}
REFERRALS_PER_MONTH = 160.0
CONTACTS_PER_MONTH = 650.0
EH_ORGANISATIONS = ["Torbay Family Hub", "School early help", "Children's centre", "Youth service",
                    "Health visiting team", "Targeted family support"]


def seasonal(months: np.ndarray) -> np.ndarray:
    """Referral seasonality: quieter in August and December, busier in the autumn term."""
    m = (months.astype("datetime64[M]").astype(int) % 12) + 1
    factor = np.ones(len(m))
    factor[m == 8] = 0.85
    factor[m == 12] = 0.88
    factor[np.isin(m, [9, 10, 11])] = 1.08
    factor[np.isin(m, [1, 3])] = 1.03
    return factor


def sources(ctx: Ctx, n: int) -> np.ndarray:
    return ctx.pick(list(SOURCES), list(SOURCES.values()), n)


def first_referral_contacts(ctx: Ctx, pop: Population, share_new: float) -> dict:
    """Round 0: contacts that become a first referral for a child new to the service."""
    dates = poisson_dates(ctx, ctx.hist_start, ctx.sim_end,
                          lambda m: REFERRALS_PER_MONTH * share_new * seasonal(m))
    child = pop.new(dates, sample_ages_days(ctx, len(dates)))
    return {"child": child, "contact_date": dates, "prev_cp": np.zeros(len(dates), bool)}


def decide(ctx: Ctx, contact_dates: np.ndarray) -> np.ndarray:
    """Decision dates: within 1 working day when practice is good, up to 6 when it is not."""
    n = len(contact_dates)
    fast = ctx.bern(ctx.story.p("contact_decision", contact_dates, 0.55, 0.97))
    delay = np.where(fast, ctx.rng.choice([0, 1], n, p=[0.55, 0.45]), ctx.rng.integers(2, 7, n))
    return add_wd(contact_dates, delay)


def referral_and_assessment(ctx: Ctx, ep: dict) -> None:
    """Contact -> decision (= referral date) -> NFA or assessment (seen, authorised, outcome)."""
    rng, story = ctx.rng, ctx.story
    c = ep["contact_date"]
    n = len(c)
    ep["source"] = sources(ctx, n)
    ep["referral_date"] = decide(ctx, c)
    r = ep["referral_date"]
    ep["nfa"] = ctx.bern(np.full(n, 0.07))
    ep["a_start"] = add_wd(r, rng.choice([0, 0, 0, 1, 2], n))
    seen_ok = ctx.bern(story.p("assess_seen", r, 0.62, 0.96))
    seen = np.where(seen_ok, rng.integers(0, 6, n), rng.integers(6, 16, n))
    ep["a_seen"] = np.maximum(add_wd(r, seen), ep["a_start"])
    a0 = ep["a_start"]
    p20 = story.p("assess_time", a0, 0.28, 0.66)
    p45 = story.p("assess_time", a0, 0.66, 0.94)
    u = rng.random(n)
    dur = np.where(u < p20, rng.integers(4, 21, n),
                   np.where(u < p45, rng.integers(21, 46, n), rng.integers(46, 95, n)))
    auth = add_wd(a0, dur)
    # Special cause: a backlog of autumn-2018 assessments authorised together in February 2019.
    feb = st.LATE_ASSESSMENT_MONTH.astype("datetime64[D]")
    backlog = (a0 >= np.datetime64("2018-10-01")) & (a0 < np.datetime64("2018-12-01")) & (rng.random(n) < 0.6)
    auth[backlog] = np.maximum(auth[backlog], add_wd(feb, rng.integers(0, 19, backlog.sum())))
    ep["a_auth"] = auth
    ep["needs"] = ctx.bern(np.full(n, 0.58))
    ep["s47"] = ~ep["nfa"] & ctx.bern(np.full(n, 0.29))
    # Any child on an S47 is in need while the enquiry runs.
    ep["needs"] |= ep["s47"]
    for k in ("a_start", "a_seen", "a_auth"):
        ep[k] = np.where(ep["nfa"], NAT, ep[k])


def other_contacts(ctx: Ctx, pop: Population, first_known: np.ndarray) -> pd.DataFrame:
    """Contacts that do not become referrals: early help, advice, or no further action.

    About 40% are about children already known (repeat contacts), the rest about new children.
    """
    rng = ctx.rng
    rate = CONTACTS_PER_MONTH - REFERRALS_PER_MONTH
    dates = poisson_dates(ctx, ctx.keep_from, ctx.sim_end, lambda m: rate * seasonal(m), weekday_share=0.85)
    n = len(dates)
    known = pop.known_children(rng, dates, first_known)
    repeat = (rng.random(n) < 0.4) & (known >= 0)
    child = np.where(repeat, known, -1)
    new = child < 0
    child[new] = pop.new(dates[new], sample_ages_days(ctx, int(new.sum())))
    outcome = ctx.pick(["Early help", "Advice and information", "No further action"], [0.27, 0.43, 0.30], n)
    return pd.DataFrame({"child": child, "contact_date": dates, "contact_source": sources(ctx, n),
                         "decision_date": decide(ctx, dates), "contact_outcome": outcome})


def early_help(ctx: Ctx, contacts: pd.DataFrame) -> pd.DataFrame:
    """Early help episodes for contacts whose outcome was early help (most start within 2 weeks)."""
    rng = ctx.rng
    eh = contacts[contacts["contact_outcome"] == "Early help"]
    n = len(eh)
    start = add_days(eh["decision_date"].to_numpy().astype("datetime64[D]"), rng.integers(0, 15, n))
    end = add_days(start, rng.integers(60, 300, n))
    outcome = ctx.pick(["Needs met", "Stepped up to social care", "Disengaged", "Moved away", "Other"],
                       [0.58, 0.12, 0.18, 0.05, 0.07], n)
    org = ctx.pick(EH_ORGANISATIONS, [4, 3, 2, 1, 1, 2], n)
    return pd.DataFrame({"child": eh["child"].to_numpy(), "eh_start": start, "eh_end": end,
                         "organisation": org, "eh_outcome": outcome})


def homeless_16_17(ctx: Ctx, pop: Population) -> pd.DataFrame:
    """16/17-year-olds presenting as homeless; the plan (2.7.1) wants all assessed by a social worker."""
    rng = ctx.rng
    dates = poisson_dates(ctx, ctx.keep_from, ctx.extract, lambda m: np.full(len(m), 3.2))
    n = len(dates)
    child = pop.new(dates, sample_ages_days(ctx, n, bands=((16, 18, 1.0),)))
    assessed = ctx.bern(ctx.story.p("homeless", dates, 0.5, 0.97))
    when = add_days(dates, rng.integers(0, 12, n))
    return pd.DataFrame({"child": child, "presented_date": dates,
                         "assessed_date": np.where(assessed, when, NAT)})


__all__ = ["first_referral_contacts", "referral_and_assessment", "other_contacts", "early_help",
           "homeless_16_17", "month_index", "days"]
