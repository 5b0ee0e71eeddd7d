"""The story the synthetic data tells: weak and drifting practice, a revised plan, uneven recovery.

Why a story and not independent random noise: the report's charts, SPC rules, RAG ratings and
narrative only get exercised when the data behaves like a real council in intervention. The seeds
(000: October 2019 Ofsted monitoring letter and revised Improvement Plan; 001: the 2016-17
tracker) describe it: Torbay judged inadequate (again) in 2018, progress "too slow" and "stalled",
caseloads of 22+, 40% of frontline staff not permanent, over-optimistic audit judgements; then a
new deputy director and a revised plan in October 2019. So each practice *area* has a level in
[0, 1] per month that drifts down until October 2019, dips in a staffing crisis in summer 2019,
and recovers after the plan at its own pace (some quickly, some late, some barely) — with monthly
noise so SPC charts have common-cause variation. A stage turns a level into a probability with
``story.p(area, dates, lo, hi)``: ``lo`` is the worst plausible rate, ``hi`` the best.

Special-cause events (deliberately placed so the SPC rules have something to find):
* ``RE_REFERRAL_SPIKE``: March 2019, a wave of cases closed too soon comes back (front door).
* ``LATE_ASSESSMENT_MONTH``: February 2019, a backlog of old assessments is authorised at once.
* ``STAFFING_CRISIS``: June–August 2019, permanent leavers spike and visits/supervision slip.
* ``COVID``: April–May 2020, face-to-face visiting dips.
The dates are Torbay's (the story is anchored in the calendar); other windows still get data.

Trajectories (for regional data sets, ``synth --las N``): ``improving`` is the story above (the
default, unchanged); ``stuck`` has the same plan but levels barely move after it (+0.05 at most);
``declining`` keeps sliding after the plan (to 0.15 below the level at the plan). The random draws
are identical for every trajectory, so only the levels after the plan differ.
"""

from __future__ import annotations

import numpy as np

from torbayreport.synth._common import month_index

PLAN_MONTH = np.datetime64("2019-10", "M")
RE_REFERRAL_SPIKE = np.datetime64("2019-03", "M")
LATE_ASSESSMENT_MONTH = np.datetime64("2019-02", "M")
STAFFING_CRISIS = (np.datetime64("2019-06", "M"), np.datetime64("2019-08", "M"))
COVID = (np.datetime64("2020-04", "M"), np.datetime64("2020-05", "M"))

# area: (months after the plan before improvement starts, time constant in months, level reached,
#        monthly noise sd, hit by the staffing crisis, hit by covid)
AREAS: dict[str, tuple[float, float, float, float, bool, bool]] = {
    "contact_decision": (1, 5, 0.85, 0.05, False, False),
    "closure_quality": (3, 8, 0.70, 0.04, False, False),
    "assess_seen": (2, 6, 0.85, 0.05, True, False),
    "assess_time": (2, 7, 0.85, 0.05, True, False),
    "s47_seen": (1, 4, 0.90, 0.05, True, False),
    "s47_time": (2, 6, 0.80, 0.05, True, False),
    "icpc_time": (3, 9, 0.80, 0.06, True, False),
    "cp_medical": (0, 3, 0.95, 0.05, False, False),
    "cp_visits": (1, 5, 0.90, 0.04, True, True),
    "seen_alone": (3, 8, 0.80, 0.04, False, True),
    "cp_reviews": (2, 6, 0.85, 0.05, False, False),
    "cin_visits": (3, 8, 0.80, 0.05, True, True),
    "cla_visits": (1, 5, 0.90, 0.04, True, True),
    "cla_reviews": (1, 5, 0.90, 0.05, False, False),
    "health": (4, 10, 0.75, 0.04, False, True),
    "placement": (6, 12, 0.65, 0.03, False, False),
    "plo": (2, 8, 0.80, 0.08, False, False),
    "homeless": (0, 4, 0.95, 0.06, False, False),
    "oversight": (1, 6, 0.90, 0.04, True, False),
    "supervision": (1, 5, 0.90, 0.05, True, False),
    "rhi": (2, 7, 0.80, 0.06, False, False),
    "lado": (1, 4, 0.90, 0.07, False, False),
    "training": (3, 9, 0.80, 0.04, False, True),
    "audit_done": (1, 3, 0.90, 0.06, True, False),
    "audit_grade": (4, 12, 0.70, 0.05, False, False),
    "voice": (5, 12, 0.70, 0.05, False, False),
    "reaudit": (2, 6, 0.85, 0.08, False, False),
    "audit_actions": (3, 8, 0.80, 0.06, False, False),
    "moderation": (1, 4, 0.92, 0.04, False, False),
    "complaints": (2, 6, 0.85, 0.07, False, False),
    "care_leavers": (6, 12, 0.60, 0.04, False, False),
    "caseload": (2, 8, 0.80, 0.03, True, False),
    "plan": (0, 10, 0.80, 0.06, False, False),
}

TRAJECTORIES = ("improving", "stuck", "declining")

_FIRST = np.datetime64("1995-01", "M").astype("int64")
_LAST = np.datetime64("2040-12", "M").astype("int64")


class Story:
    """Monthly levels per practice area (drawn once from the run's Generator: deterministic)."""

    def __init__(self, rng: np.random.Generator, trajectory: str = "improving"):
        if trajectory not in TRAJECTORIES:
            raise ValueError(f"unknown trajectory {trajectory!r}; expected one of {TRAJECTORIES}")
        n = _LAST - _FIRST + 1
        self.months = np.arange(_FIRST, _LAST + 1)
        self.levels: dict[str, np.ndarray] = {}
        pre = self._pre(self.months)
        plan = PLAN_MONTH.astype("int64")
        for area, (lag, tau, top, sd, crisis, covid) in AREAS.items():
            # AR(1) noise: months are correlated, as real monthly performance is.
            eps = rng.normal(0, sd, n)
            noise = np.empty(n)
            noise[0] = eps[0]
            for i in range(1, n):  # one pass over ~550 months per area, at start-up only
                noise[i] = 0.45 * noise[i - 1] + eps[i]
            t0 = plan + lag
            base0 = pre[self.months == t0][0]
            after = self.months >= t0
            level = pre.copy()
            top = {"improving": top, "stuck": min(top, base0 + 0.05), "declining": base0 - 0.15}[trajectory]
            level[after] = base0 + (top - base0) * (1 - np.exp(-(self.months[after] - t0) / tau))
            if crisis:
                level -= 0.15 * self._between(STAFFING_CRISIS)
            if covid:
                level -= 0.10 * self._between(COVID)
            self.levels[area] = np.clip(level + noise, 0.02, 0.98)

    @staticmethod
    def _pre(months: np.ndarray) -> np.ndarray:
        """Before the plan: a slow drift down from 0.45 (2014) to 0.28 (October 2019)."""
        a = np.datetime64("2014-01", "M").astype("int64")
        b = PLAN_MONTH.astype("int64")
        frac = np.clip((months - a) / (b - a), 0, 1)
        return 0.45 - 0.17 * frac

    def _between(self, span) -> np.ndarray:
        lo, hi = (m.astype("int64") for m in span)
        return ((self.months >= lo) & (self.months <= hi)).astype(float)

    def level(self, area: str, dates) -> np.ndarray:
        idx = np.clip(month_index(dates) - _FIRST, 0, len(self.months) - 1)
        return self.levels[area][idx]

    def p(self, area: str, dates, lo: float, hi: float) -> np.ndarray:
        """A probability between ``lo`` (worst) and ``hi`` (best) for events on ``dates``."""
        return lo + (hi - lo) * self.level(area, dates)
