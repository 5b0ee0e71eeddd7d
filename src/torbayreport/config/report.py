"""Audiences, chapters and output formats: declared once in ``reports/_quarto.yml``, read here.

Why the Quarto project file: it already is the one definition of the report (chapter order,
rendering options), so the audiences (who reads which chapters, under which security marking,
with or without disclosure control) and the output formats sit beside the chapters. The build,
the CLI's choices, the renderer, the notebook API and the tests all read these functions instead
of keeping copies. Adding an audience is one entry under ``torbayreport.audiences``; adding a
chapter is its notebook plus its name under ``torbayreport.chapters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

#: The project that holds this source tree: src/torbayreport/config/report.py -> four folders up.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
REPORT_PROJECT_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


class ConfigError(ValueError):
    """The report project is missing or declares something inconsistent; the message says what."""


@dataclass(frozen=True)
class Audience:
    """One readership of the report."""

    name: str                # as on the command line and in output paths
    label: str               # "Prepared for ..." on the cover
    description: str         # the title block's line, saying what the report contains
    marking: str             # Government Security Classification printed on every page
    leave_out: tuple[str, ...]   # chapters not executed (so nothing in them can leak)
    disclosure: bool         # small-number suppression and the public identifier guard


def project_config(project_dir: Path | str | None = None) -> dict:
    """The parsed ``_quarto.yml`` of the report project."""
    return dict(_read(str(Path(project_dir or REPORT_PROJECT_DIR).resolve())))


@lru_cache(maxsize=8)
def _read(project_dir: str) -> dict:
    path = Path(project_dir) / "_quarto.yml"
    if not path.is_file():
        raise ConfigError(f"report project not found: {path} (the Quarto project defines the chapters)")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _ours(project_dir) -> dict:
    return project_config(project_dir).get("torbayreport") or {}


def chapters(project_dir: Path | str | None = None) -> list[str]:
    """Every chapter (notebook name) in report order."""
    names = list(_ours(project_dir).get("chapters") or [])
    if not names:
        raise ConfigError("_quarto.yml: torbayreport.chapters lists no chapters")
    return names


def audiences(project_dir: Path | str | None = None) -> dict[str, Audience]:
    """The declared audiences by name, in declaration order."""
    declared = _ours(project_dir).get("audiences") or {}
    if not declared:
        raise ConfigError("_quarto.yml: torbayreport.audiences declares no audience")
    known = set(chapters(project_dir))
    out = {}
    for name, spec in declared.items():
        spec = spec or {}
        missing = [k for k in ("label", "description", "marking", "disclosure") if k not in spec]
        if missing:
            raise ConfigError(f"_quarto.yml: torbayreport.audiences.{name}: missing {', '.join(missing)}")
        leave_out = tuple(spec.get("leave-out") or ())
        unknown = sorted(set(leave_out) - known)
        if unknown:
            raise ConfigError(f"_quarto.yml: torbayreport.audiences.{name}.leave-out: unknown chapter(s) {unknown}")
        out[str(name)] = Audience(str(name), str(spec["label"]), str(spec["description"]), str(spec["marking"]),
                                  leave_out, bool(spec["disclosure"]))
    return out


def audience(name: str, project_dir: Path | str | None = None) -> Audience:
    """One audience by name; an unknown name is an error listing the declared ones."""
    declared = audiences(project_dir)
    if name not in declared:
        raise ConfigError(f"unknown audience {name!r}; choose one of: {', '.join(declared)}")
    return declared[name]


def optional_chapters(project_dir: Path | str | None = None) -> dict[str, tuple[str, str]]:
    """Chapters included only when a build is given their input: name -> (requires, after)."""
    declared = _ours(project_dir).get("optional-chapters") or {}
    known = chapters(project_dir)
    out = {}
    for name, spec in declared.items():
        spec = spec or {}
        if not spec.get("requires"):
            raise ConfigError(f"_quarto.yml: torbayreport.optional-chapters.{name}: missing requires")
        after = str(spec.get("after") or known[-1])
        if after not in known:
            raise ConfigError(f"_quarto.yml: torbayreport.optional-chapters.{name}.after: unknown chapter {after!r}")
        out[str(name)] = (str(spec["requires"]), after)
    return out


def audience_chapters(name: str, project_dir: Path | str | None = None, provided: tuple[str, ...] = ()) -> list[str]:
    """The chapters one audience's report has, in report order; ``provided`` names the optional
    inputs the build was given (e.g. ``("region",)``), which add their optional chapters."""
    left_out = set(audience(name, project_dir).leave_out)
    order = list(chapters(project_dir))
    for chapter, (requires, after) in optional_chapters(project_dir).items():
        if requires in provided:
            order.insert(order.index(after) + 1, chapter)
    return [c for c in order if c not in left_out]


def output_formats(project_dir: Path | str | None = None) -> list[str]:
    """The output formats every build renders (names of the renderer registry), in order."""
    names = list(_ours(project_dir).get("formats") or [])
    if not names:
        raise ConfigError("_quarto.yml: torbayreport.formats lists no output format")
    return names
