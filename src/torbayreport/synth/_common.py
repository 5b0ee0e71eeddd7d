"""Shared plumbing for the generator: the run context and day / working-day arithmetic.

Why a module of its own: every stage of the generator works on numpy ``datetime64[D]`` arrays
(vectorised over thousands of children at once) and needs the same few operations — add working
days on the England & Wales calendar, pick a random day in a month, censor at the extract date.
Keeping them here means each stage reads as the story of a child's journey, not date plumbing.

Conventions: a missing date is ``NaT``; "open" spells carry ``NaT`` as their end once censored.
Inside the simulation an open end is represented by ``FAR`` (a date well after any extract) so
comparisons need no special cases; :func:`censor` turns anything after the extract into ``NaT``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from torbayreport.calendar import busday_calendar

DAY = "datetime64[D]"
NAT = np.datetime64("NaT", "D")
FAR = np.datetime64("2099-12-31", "D")


def days(values) -> np.ndarray:
    """Any date-like array (strings, datetime64 of any unit) as ``datetime64[D]``."""
    return np.asarray(values, dtype="datetime64[D]")


def add_days(dates: np.ndarray, n) -> np.ndarray:
    """Calendar-day arithmetic that keeps NaT as NaT."""
    return days(dates) + np.asarray(n, dtype="int64").astype("timedelta64[D]")


def add_wd(dates: np.ndarray, n) -> np.ndarray:
    """``n`` working days after ``dates`` (a weekend/holiday start rolls forward first).

    Matches :func:`torbayreport.calendar.working_days_between`: the result is exactly ``n``
    elapsed working days after the start, so a KPI threshold "within N" holds iff ``n <= N``.
    """
    d, n = np.broadcast_arrays(days(dates), np.asarray(n, dtype="int64"))
    out = np.full(d.shape, NAT)
    ok = ~np.isnat(d)
    if ok.any():
        out[ok] = np.busday_offset(d[ok], n[ok], roll="forward", busdaycal=busday_calendar())
    return out


def roll_wd(dates: np.ndarray) -> np.ndarray:
    """The date itself if a working day, else the next working day."""
    return add_wd(dates, 0)


def month_index(dates: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (int); used to look up monthly story levels."""
    return days(dates).astype("datetime64[M]").astype("int64")


def month_first(dates: np.ndarray) -> np.ndarray:
    return days(dates).astype("datetime64[M]").astype(DAY)


def month_last(dates: np.ndarray) -> np.ndarray:
    return (days(dates).astype("datetime64[M]") + 1).astype(DAY) - np.timedelta64(1, "D")


def earliest(*arrays) -> np.ndarray:
    """Element-wise minimum that ignores NaT (NaT only when all are NaT)."""
    stack = np.stack([np.where(np.isnat(a), FAR, a) for a in map(days, arrays)])
    out = stack.min(axis=0)
    return np.where(out == FAR, NAT, out)


@dataclass
class Ctx:
    """Everything a stage needs: the one random Generator, the scale and the key dates.

    ``hist_start``: when the simulated flow of new referrals begins (four years before the report
    window, so caseloads, CP plans and rolling 12-month measures are in steady state at ``start``).
    ``keep_from``: history kept in the output (12 months before ``start``: enough for every R12M
    KPI); open spells that began earlier are kept whole.
    ``extract``: the last day of the ``end`` month — the as-at date of the extract; nothing after
    it is known.
    """

    rng: np.random.Generator
    scale: float
    start: np.datetime64
    extract: np.datetime64
    hist_start: np.datetime64
    keep_from: np.datetime64
    story: "object"

    @property
    def recent_from(self) -> np.datetime64:
        """Recurring casework (visits, oversight, supervision) is kept from 1 month before
        ``start``: only the latest event before a month end matters to its KPIs."""
        return (self.start.astype("datetime64[M]") - 1).astype("datetime64[D]")

    @property
    def sim_end(self) -> np.datetime64:
        # Simulate a little past the extract so that spells open at the extract are censored,
        # not artificially closed.
        return self.extract + np.timedelta64(400, "D")

    def n(self, mean: float) -> int:
        """A Poisson count with the given mean at scale 1, multiplied by the scale."""
        return int(self.rng.poisson(max(mean * self.scale, 0.0)))

    def uniform_days(self, lo: np.datetime64, hi: np.datetime64, size: int) -> np.ndarray:
        """``size`` random days in [lo, hi)."""
        span = int((hi - lo).astype("int64"))
        return lo + self.rng.integers(0, max(span, 1), size).astype("timedelta64[D]")

    def bern(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        return self.rng.random(p.shape) < p

    def pick(self, options, weights, size: int) -> np.ndarray:
        w = np.asarray(weights, dtype=float)
        return np.asarray(options, dtype=object)[self.rng.choice(len(options), size=size, p=w / w.sum())]


def month_dates(first: np.datetime64, last: np.datetime64) -> np.ndarray:
    """First day of every month from ``first``'s month to ``last``'s month."""
    m0 = days(first).astype("datetime64[M]")
    m1 = days(last).astype("datetime64[M]")
    return np.arange(m0, m1 + 1).astype(DAY)


def poisson_dates(ctx: Ctx, first: np.datetime64, last: np.datetime64, monthly_mean,
                  weekday_share: float = 0.93) -> np.ndarray:
    """Event dates from a Poisson process with a (per-month) mean rate, mostly on weekdays.

    ``monthly_mean`` is a function of the month's first day (array) -> expected events at scale 1.
    """
    months = month_dates(first, last)
    lam = np.asarray(monthly_mean(months), dtype=float) * ctx.scale
    counts = ctx.rng.poisson(np.maximum(lam, 0))
    starts = np.repeat(months, counts)
    lengths = np.repeat(((months.astype("datetime64[M]") + 1).astype(DAY) - months).astype("int64"), counts)
    out = starts + (ctx.rng.random(counts.sum()) * lengths).astype("int64").astype("timedelta64[D]")
    # Most contacts and referrals arrive on working days; move most weekend ones to Monday.
    weekend = ~np.is_busday(out, busdaycal=busday_calendar())
    move = weekend & (ctx.rng.random(out.shape) < weekday_share)
    out[move] = roll_wd(out[move])
    out = out[(out >= first) & (out <= last)]
    return np.sort(out)
