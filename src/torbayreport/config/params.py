"""The report parameters: one model (:class:`Params`) and one loader (:func:`load_params`).

Why one place: the parameters used to be read in six places with different rules, and some
defaults were literals in code. Now every caller (the CLI, the build, the notebooks, ``kpis``)
gets the same validated object from the same three files, merged in this order:

1. ``params/defaults.yaml`` (found by :func:`defaults_path`): every default the toolkit has;
2. the council's file (``--params FILE``), which need only say what differs;
3. the month's commentary file ``<YYYY-MM>.yaml`` beside the council's file (or beside
   defaults.yaml), when a month is given and the file exists.

Mappings merge key by key; anything else in a later file replaces the earlier value. The merged
result is validated by pydantic (``extra="forbid"``), and a wrong key or type is one
:class:`ParamsError` naming the file that set it, the key path and what was expected. KPI ids
(under ``kpis:`` and ``commentary:``) must be ids that defaults.yaml declares a target for, so a
typo such as ``P4`` is refused rather than silently ignored.

This module sits before every layer (it imports nothing from the package), so metrics, assess,
the notebook API and the build all read it.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

DEFAULTS_RELATIVE = Path("params") / "defaults.yaml"
ENV_VAR = "TORBAYREPORT_PARAMS"
_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class ParamsError(ValueError):
    """A params file is missing or malformed; the message names the file and the key path."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalAuthority(_Strict):
    name: str
    code: str
    slug: str = Field(pattern=r"^[a-z0-9-]+$")


class ReportSettings(_Strict):
    title: str
    trend_months: int = Field(ge=13)
    window_months: int = Field(ge=13)


class Disclosure(_Strict):
    threshold: int = Field(ge=1)


class SpcOptions(_Strict):
    """SPC options, globally (``spc:``) or per KPI (``kpis: {ID: {spc: ...}}``); unset = inherited."""

    chart: Literal["xmr", "p", "pprime"] | None = None
    rebase: list[str] | None = None
    fix_after_n_points: int | None = Field(default=None, ge=2)
    screen_outliers: bool | None = None
    limit_constant: float | None = Field(default=None, gt=0)
    run_length: int | None = Field(default=None, ge=2)
    trend_length: int | None = Field(default=None, ge=2)
    min_segment_points: int | None = Field(default=None, ge=2)

    @field_validator("rebase", mode="before")
    @classmethod
    def _months(cls, value):
        if value is None:
            return value
        if not isinstance(value, list):
            raise ValueError("a list of months written YYYY-MM")
        out = []
        for month in value:
            text = month.strftime("%Y-%m") if isinstance(month, (dt.date, dt.datetime)) else str(month)
            try:
                dt.datetime.strptime(text, "%Y-%m")
            except ValueError:
                raise ValueError(f"month {month!r} is not YYYY-MM") from None
            out.append(text)
        return out


class KpiSettings(_Strict):
    target: int | float | None = None
    tolerance: int | float | None = Field(default=None, ge=0)
    spc: SpcOptions | None = None

    @field_validator("target", "tolerance", mode="before")
    @classmethod
    def _number(cls, value):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("a number (or null for no target)")
        return value


class Benchmarks(_Strict):
    neighbours: str | None = None


class Meeting(_Strict):
    """The paper as one audience's committee receives it (``front_matter.meetings.<audience>``).

    The committee's name is the audience's ``label`` in reports/_quarto.yml (declared once); the
    council's params file sets what is stable (purpose, standing recommendations) and the month's
    file the meeting date and anything that changes. All text is printed literally.
    """

    date: dt.date | None = None
    item: str | None = None                # agenda item reference, e.g. "Item 6"
    purpose: str | None = None
    recommendations: list[str] | None = None


class FrontMatter(_Strict):
    """Cover and front matter of the paper (issue 12): who it is from and what it asks."""

    council: str | None = None             # the council's name as printed ("Torbay Council"); else la.name
    author: str | None = None              # report author (name and role)
    contact: str | None = None             # where to send questions (a team mailbox, not a person's)
    meetings: dict[str, Meeting | None] | None = None   # audience name -> its meeting


class Revisions(_Strict):
    """Revised figures: last month's figure as published vs the same month in this build."""

    # a change in a KPI's value larger than this (in the KPI's own units: percentage points,
    # days, children per worker ...) is reported as a revision
    margin: float = Field(ge=0)

class RegionSettings(_Strict):
    """The regional report's options (``region:``): ``headline`` is the KPIs its scorecard shows
    (ids defaults.yaml declares; unset = every KPI with a published England figure)."""

    headline: list[str] | None = Field(default=None, min_length=1)

    @field_validator("headline")
    @classmethod
    def _unique(cls, value):
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"KPI ids listed more than once: {sorted({k for k in value if value.count(k) > 1})}")
        return value


_CANONICAL_COLUMN = r"^[a-z][a-z0-9_]*$"


class Extracts(_Strict):
    """How the council's extracts are read (``io.load``).

    ``aliases``: the council's own Annex A header spellings, ``{header as written: canonical
    column}`` (``"Ref Date": referral_date``), added to the ones the toolkit ships. io says in the
    findings when an alias names a column no Annex A list reads. The extract's as-at date is the
    top-level ``as_at`` (usually in the month's file; ``--as-at`` overrides it).
    """

    aliases: dict[str, str] = Field(default_factory=dict)

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("a mapping of {header as written in the workbook: canonical column}")
        import re

        for header, column in value.items():
            if not isinstance(header, str) or not header.strip():
                raise ValueError(f"header {header!r} must be non-empty text")
            if not isinstance(column, str) or not re.match(_CANONICAL_COLUMN, column):
                raise ValueError(f"header {header!r}: {column!r} is not a canonical column name "
                                 "(lower case, e.g. referral_date)")
        return value


class Params(_Strict):
    """Everything a build is configured by. Fields without a default must come from defaults.yaml."""

    la: LocalAuthority
    report: ReportSettings
    disclosure: Disclosure
    kpis: dict[str, KpiSettings | None]
    spc: SpcOptions | None = None
    benchmarks: Benchmarks | None = None
    front_matter: FrontMatter | None = None
    revisions: Revisions | None = None
    region: RegionSettings | None = None
    extracts: Extracts | None = None
    # the month's commentary file (``as_at``: the date the extracts were taken; io uses it when the
    # Annex A workbook has no Front_Sheet date, and ``--as-at`` overrides it)
    month: str | None = Field(default=None, pattern=_MONTH_PATTERN)
    as_at: dt.date | None = None
    summary: str | None = None
    pillars: dict[str, str | None] | None = None
    commentary: dict[str, str | None] | None = None
    _files: list[Path] = PrivateAttr(default_factory=list)

    def as_dict(self) -> dict:
        """Plain data exactly as the files set it (keys no file set are left out, as before)."""
        return self.model_dump(mode="python", exclude_unset=True)

    @property
    def files(self) -> list[Path]:
        """The files merged into this object, in order (for the manifest and the cache key)."""
        return list(self._files)


# ------------------------------------------------------------------------------ finding files

def defaults_path(explicit: str | os.PathLike | None = None) -> Path:
    """The defaults.yaml to use: ``explicit``; else ``$TORBAYREPORT_PARAMS``; else
    ``params/defaults.yaml`` in the current folder or its parents (a council's own reporting
    folder); else the project that holds this source tree (an editable install)."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ParamsError(f"parameters file not found: {path}")
        return path
    if os.environ.get(ENV_VAR):
        return defaults_path(os.environ[ENV_VAR])
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / DEFAULTS_RELATIVE).is_file():
            return folder / DEFAULTS_RELATIVE
    # src/torbayreport/config/params.py -> the project root is four folders up
    candidate = Path(__file__).resolve().parents[3] / DEFAULTS_RELATIVE
    if candidate.is_file():
        return candidate
    raise ParamsError(
        f"no {DEFAULTS_RELATIVE} found (looked in the current folder and its parents, and at {candidate}); "
        f"pass --params FILE or set {ENV_VAR}"
    )


def month_file(params_file: str | os.PathLike | None, month: str | None) -> Path | None:
    """``<YYYY-MM>.yaml`` beside the council's params file (or defaults.yaml), if it exists."""
    if not month:
        return None
    base = Path(params_file) if params_file else defaults_path()
    candidate = base.parent / f"{str(month)[:7]}.yaml"
    return candidate if candidate.is_file() else None


# ------------------------------------------------------------------------------ reading and merging

def deep_merge(base: Mapping, override: Mapping) -> dict:
    """A new dict: ``override`` merged into ``base`` (mappings recursively, other values replaced)."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_yaml(source: str | os.PathLike | Mapping, label: str = "params") -> tuple[dict, str]:
    """(content, label) of one params source: a YAML file or a mapping given in code."""
    if isinstance(source, Mapping):
        return dict(source), label
    path = Path(source)
    if not path.is_file():
        raise ParamsError(f"parameters file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        return {}, str(path)
    if not isinstance(data, Mapping):
        raise ParamsError(f"{path}: expected a mapping of settings at the top level, got {type(data).__name__}")
    return dict(data), str(path)


def _blame(loc: tuple, sources: list[tuple[dict, str]]) -> str:
    """The last source that sets (a prefix of) the key path ``loc``: the file to fix."""
    best, depth_best = sources[0][1], -1
    for data, label in sources:
        node, depth = data, 0
        for key in loc:
            if isinstance(node, Mapping) and key in node:
                node, depth = node[key], depth + 1
            else:
                break
        if depth > 0 and depth >= depth_best:
            best, depth_best = label, depth
    return best


def _error_text(exc: ValidationError, sources: list[tuple[dict, str]]) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = ".".join(str(p) for p in loc) or "(top level)"
        got = "" if err["type"] == "missing" else f" (got {err.get('input')!r})"
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"{_blame(loc, sources)}: {path}: {message}{got}")
    return "; ".join(lines)


def _check_ids(sources: list[tuple[dict, str]], known: set[str]) -> None:
    for data, label in sources:
        for section in ("kpis", "commentary"):
            entries = data.get(section)
            if not isinstance(entries, Mapping):
                continue
            for kpi_id in entries:
                if str(kpi_id) not in known:
                    near = sorted(k for k in known if k[:1] == str(kpi_id)[:1]) or sorted(known)
                    raise ParamsError(f"{label}: {section}.{kpi_id}: unknown KPI id {kpi_id!r} "
                                      f"(known ids: {', '.join(near)})")
        headline = (data.get("region") or {}).get("headline") if isinstance(data.get("region"), Mapping) else None
        unknown = [str(k) for k in headline or [] if str(k) not in known] if isinstance(headline, list) else []
        if unknown:
            raise ParamsError(f"{label}: region.headline: unknown KPI id(s) {unknown} (known ids: {', '.join(sorted(known))})")


def merge_sources(sources: Iterable[str | os.PathLike | Mapping], *, known_kpis: Iterable[str] | None = None) -> Params:
    """Validate the merge of ``sources`` (files or mappings, first = defaults) as one :class:`Params`."""
    read = [read_yaml(s, f"overrides[{n}]") for n, s in enumerate(sources)]
    known = {str(k) for k in (known_kpis if known_kpis is not None else (read[0][0].get("kpis") or {}))}
    _check_ids(read, known)
    merged: dict[str, Any] = {}
    for data, _ in read:
        merged = deep_merge(merged, data)
    try:
        params = Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(_error_text(exc, read)) from None
    params._files = [Path(label) for data, label in read if not label.startswith("overrides[")]
    return params


def load_params(params_file: str | os.PathLike | None = None, month: str | None = None) -> Params:
    """The build's parameters: defaults.yaml, the council's ``params_file`` over it, then the month's
    commentary file beside it (``month`` given and the file present). Passing defaults.yaml itself
    as ``params_file`` is the same as passing nothing.

    A month file that says a different ``month:`` than the one asked for is an error.
    """
    defaults = defaults_path()
    sources: list[Path] = [defaults]
    if params_file and Path(params_file).resolve() != defaults.resolve():
        sources.append(Path(params_file))
    commentary = month_file(params_file or defaults, month)
    if commentary is not None:
        sources.append(commentary)
    params = merge_sources(sources)
    if commentary is not None and params.month is not None and params.month != str(month)[:7]:
        raise ParamsError(f"{commentary}: month: says {params.month!r} but is read for {str(month)[:7]}")
    return params
