"""Many synthetic councils at once: a regional data root for ``torbayreport region``.

Why: a regional improvement alliance pools its councils' extracts every month; the regional path,
its tests and its benchmark need such a data root without a single real child's record. Each
council is one run of :func:`torbayreport.synth.generate` with its own seed, size and story, so a
region is as realistic as one council and just as deterministic.

What differs between councils (all decided by ``seed``):

* **which councils**: real English local authorities (DfE LA code and name, ``la_codes.csv``);
  Torbay (880) is always the first chosen, the others are drawn without replacement.
* **size**: ``la_codes.csv`` gives each council a rough size band (``XS`` a tiny authority such as
  the Isles of Scilly, ``S`` Torbay-sized, ``M``, ``L``, ``XL`` a large county). The bands are an
  approximation for the generator only, not an official statistic. Each band is a generator scale
  (:data:`SIZE_SCALE`), jittered by up to ±20% per council and multiplied by the ``scale`` argument
  (small values keep tests fast).
* **story**: ``improving`` / ``stuck`` / ``declining`` after the plan
  (:data:`torbayreport.synth.story.TRAJECTORIES`), dealt round so every story appears once there
  are three councils.

Layout written by :func:`write_region` (what :mod:`torbayreport.region.sources` reads)::

    DIR/<la_code>/<table>.csv      (or the Annex A workbook plus CSVs)
    DIR/<la_code>.yaml             la: {name, code, slug} — the council's params, beside its folder
    DIR/neighbours.csv             la_code,neighbour_code,rank — synthetic neighbour sets
                                   (nearest in size), standing in for the DfE benchmarking tool's
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from torbayreport.synth.story import TRAJECTORIES

LA_CODES_FILE = "la_codes.csv"
SIZE_SCALE = {"XS": 0.1, "S": 1.0, "M": 2.0, "L": 4.0, "XL": 8.0}
HOME_LA = "880"  # Torbay: the toolkit's own council is always in a synthetic region
NEIGHBOURS = 10  # the DfE tool gives each council 10 statistical neighbours


@dataclass(frozen=True)
class Council:
    """One synthetic council: who it is, how big, which story and the seed of its data."""

    code: str
    name: str
    scale: float
    trajectory: str
    seed: int

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def la_codes() -> pd.DataFrame:
    """The shipped table of English local authorities: code (3 digits, text), name, size band."""
    ref = resources.files("torbayreport.synth").joinpath(LA_CODES_FILE)
    with resources.as_file(ref) as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)


def plan_region(n: int, *, seed: int = 1, scale: float = 1.0) -> list[Council]:
    """The ``n`` councils of a synthetic region (sorted by code), deterministic for ``seed``."""
    table = la_codes()
    if not 1 <= n <= len(table):
        raise ValueError(f"--las must be between 1 and {len(table)} (the English local authorities), got {n}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng([seed, 14])
    home = int(np.flatnonzero(table["code"].to_numpy() == HOME_LA)[0])
    others = np.flatnonzero(table["code"].to_numpy() != HOME_LA)
    chosen = np.concatenate([[home], rng.choice(others, size=n - 1, replace=False)]).astype(int)
    jitter = rng.uniform(0.8, 1.2, size=n)
    stories = np.asarray(TRAJECTORIES, dtype=object)[(rng.permutation(n) % len(TRAJECTORIES))]
    seeds = rng.integers(1, 2**31 - 1, size=n)
    rows = table.iloc[chosen]
    councils = [
        Council(code=str(code), name=str(name), scale=round(float(SIZE_SCALE[size] * j * scale), 4),
                trajectory=str(story), seed=int(s))
        for code, name, size, j, story, s in zip(rows["code"], rows["name"], rows["size"], jitter, stories, seeds)
    ]
    return sorted(councils, key=lambda c: c.code)


def neighbour_sets(councils: list[Council], k: int = NEIGHBOURS) -> pd.DataFrame:
    """Synthetic statistical neighbours: each council's ``k`` nearest others in log size (ties by code)."""
    if len(councils) < 2:
        return pd.DataFrame({"la_code": pd.Series(dtype=str), "neighbour_code": pd.Series(dtype=str),
                             "rank": pd.Series(dtype=int)})
    codes = np.array([c.code for c in councils], dtype=object)
    size = np.log([c.scale for c in councils])
    dist = np.abs(size[:, None] - size[None, :])
    np.fill_diagonal(dist, np.inf)
    order = np.lexsort((np.broadcast_to(np.arange(len(codes)), dist.shape), dist), axis=1)[:, : min(k, len(codes) - 1)]
    width = order.shape[1]
    return pd.DataFrame({
        "la_code": np.repeat(codes, width),
        "neighbour_code": codes[order.reshape(-1)],
        "rank": np.tile(np.arange(1, width + 1), len(codes)),
    })


def params_text(council: Council) -> str:
    """The council's params file (YAML): who it is; targets come from the toolkit defaults."""
    name = council.name.replace('"', "'")
    return (f"# Synthetic council ({council.trajectory}, generator scale {council.scale:g}, seed {council.seed})\n"
            f"la:\n  name: \"{name}\"\n  code: \"{council.code}\"\n  slug: {council.slug}\n")


def write_region(out: str | Path, n: int, *, seed: int = 1, scale: float = 1.0, start: str = "2018-01",
                 end: str = "2020-12", fmt: str = "csv", progress=None) -> list[Council]:
    """Generate and write ``n`` councils under ``out`` (layout in the module docstring).

    ``progress``: optional ``progress(council, index, total)`` called before each council.
    """
    from torbayreport.io import write_annex_a, write_csv_folder
    from torbayreport.synth import generate

    writer = write_csv_folder if fmt == "csv" else write_annex_a
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    councils = plan_region(n, seed=seed, scale=scale)
    for i, council in enumerate(councils):
        if progress is not None:
            progress(council, i, len(councils))
        tables = generate(seed=council.seed, scale=council.scale, start=start, end=end,
                          trajectory=council.trajectory)
        writer(tables, out / council.code)
        (out / f"{council.code}.yaml").write_text(params_text(council), encoding="utf-8")
    neighbour_sets(councils).to_csv(out / "neighbours.csv", index=False, lineterminator="\n")
    return councils
