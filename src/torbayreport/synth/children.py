"""The child population: who the children are (ids, dates of birth, gender, ethnicity, disability).

Why a registry: every stage (front door, protection, care, homelessness) meets children, some of
them again years later. A single registry hands out child numbers in the order children first
become known, keeps each child's date of birth consistent with the age at every event, and at the
end gives the ``children`` table for exactly the children that appear anywhere else.

Torbay has about 26,000 children aged 0–17; ages at first contact follow the national shape (many
babies and young teenagers), ethnicity is Torbay-like (about 90% White British).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torbayreport.synth._common import DAY, Ctx, days
from torbayreport.synth.names import ids

POPULATION_0_17 = 26_000

# Age at first contact, in years: (lo, hi, weight).
AGE_BANDS = ((0, 1, 0.13), (1, 5, 0.20), (5, 10, 0.26), (10, 16, 0.31), (16, 18, 0.10))
ETHNICITY = {
    "WBRI": 89.5, "WIRI": 0.3, "WOTH": 3.0, "WROM": 0.2, "MWBC": 1.4, "MWBA": 0.4, "MWAS": 0.6,
    "MOTH": 1.0, "AIND": 0.3, "APKN": 0.1, "ABAN": 0.1, "AOTH": 0.6, "BCRB": 0.2, "BAFR": 0.5,
    "BOTH": 0.1, "CHNE": 0.2, "OOTH": 0.5, "REFU": 0.3, "NOBT": 0.7,
}


def sample_ages_days(ctx: Ctx, n: int, bands=AGE_BANDS) -> np.ndarray:
    """Ages in days at an event, drawn from age bands (years)."""
    lo, hi, w = (np.array(x, dtype=float) for x in zip(*bands))
    band = ctx.rng.choice(len(w), size=n, p=w / w.sum())
    years = lo[band] + ctx.rng.random(n) * (hi[band] - lo[band])
    return np.minimum((years * 365.25).astype("int64"), 18 * 365 - 20)


class Population:
    """Hands out child numbers and remembers dates of birth (numpy arrays, grown in batches)."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self._dob: list[np.ndarray] = []
        self.count = 0

    def new(self, event_dates: np.ndarray, ages_days: np.ndarray) -> np.ndarray:
        """New children first known on ``event_dates`` at the given ages; returns their numbers."""
        dob = days(event_dates) - np.asarray(ages_days, dtype="int64").astype("timedelta64[D]")
        idx = np.arange(self.count, self.count + len(dob))
        self._dob.append(dob)
        self.count += len(dob)
        return idx

    @property
    def dob(self) -> np.ndarray:
        return np.concatenate(self._dob) if self._dob else np.array([], dtype=DAY)

    def age_days(self, child: np.ndarray, dates: np.ndarray) -> np.ndarray:
        return (days(dates) - self.dob[child]).astype("int64")

    def birthday(self, child: np.ndarray, years: int) -> np.ndarray:
        """The date of each child's ``years``-th birthday (29 February -> 1 March)."""
        dob = self.dob[child]
        y = dob.astype("datetime64[Y]").astype(int) + 1970 + years
        md = dob - dob.astype("datetime64[Y]").astype(DAY)
        base = (np.asarray(y - 1970).astype("datetime64[Y]")).astype(DAY)
        return base + md

    def known_children(self, rng: np.random.Generator, dates: np.ndarray, first_known: np.ndarray,
                       tries: int = 30) -> np.ndarray:
        """For each date, a random already-known child still under 18 (or -1 if none found).

        Used for repeat contacts about children the service already knows. Rejection sampling,
        vectorised over all dates at once.
        """
        out = np.full(len(dates), -1)
        todo = np.arange(len(dates))
        dob = self.dob
        for _ in range(tries):
            if not len(todo) or self.count == 0:
                break
            cand = rng.integers(0, self.count, len(todo))
            d = dates[todo]
            ok = (first_known[cand] < d) & ((d - dob[cand]).astype("int64") < 18 * 365 - 5)
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
        return out

    def table(self, used: np.ndarray) -> pd.DataFrame:
        """The ``children`` rows for the children numbered in ``used`` (sorted, unique)."""
        rng = self.ctx.rng
        n = self.count
        # Attributes are drawn for every child in number order, so a child's attributes do not
        # depend on which other children happen to be kept.
        gender = np.array(["Male", "Female", "Not stated"], dtype=object)[
            rng.choice(3, size=n, p=[0.512, 0.483, 0.005])]
        codes = list(ETHNICITY)
        w = np.array([ETHNICITY[c] for c in codes])
        eth = np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=w / w.sum())]
        disability = rng.random(n) < 0.08
        used = np.unique(used)
        return pd.DataFrame({
            "child_id": child_ids(used),
            "gender": gender[used],
            "ethnicity": eth[used],
            "date_of_birth": self.dob[used],
            "disability": disability[used],
        })


def child_ids(numbers: np.ndarray) -> np.ndarray:
    """Child number 0 -> ``C000001``."""
    return ids("C", np.asarray(numbers) + 1, 6)
