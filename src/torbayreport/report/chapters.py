"""What part of the month's commentary each chapter shows: declared once, read by the build cache.

Why: the analyst's commentary (context.json ``commentary``: ``summary``, ``pillars``, ``kpis``)
changes every month and often one KPI at a time. A chapter's cached execution is keyed by what it
can read, so a change to one KPI's text re-executes only the chapter that shows that KPI
(:mod:`torbayreport.publish.keys`). The notebooks show commentary only through the
:class:`~torbayreport.report.context.ReportContext` methods named below, so this declaration
follows the notebooks (tests/publish/test_chapter_keys.py checks it against a real build).

* ``"summary"``: the analyst's summary (``executive_summary``);
* ``"pillar"``: the chapter is named after a pillar (``metrics.registry.PILLARS``) and shows that
  pillar's overview (``pillar_commentary``), its KPIs' text (``trend_figures`` -> ``kpi_section``
  -> ``commentary``) and the list of its KPIs without text (``missing_commentary``);
* ``()``: no commentary at all.

A chapter not declared here may show any of it: its key covers the whole commentary (the safe
default, e.g. for a new chapter or a test's fixture chapter).
"""

from __future__ import annotations

from typing import Mapping

from torbayreport.metrics.registry import PILLARS

PILLAR = "pillar"
SUMMARY = "summary"

#: chapter name -> the parts of the commentary it shows (see the module docstring); a chapter named
#: after a pillar shows its pillar's commentary, so the pillar chapters come from the one list of
#: pillars rather than being named again here
CHAPTER_COMMENTARY: dict[str, tuple[str, ...]] = {
    "summary": (SUMMARY,),
    **{pillar: (PILLAR,) for pillar in PILLARS},
    "exceptions": (),
    "appendix": (),
    "how_we_compare": (),
}


def commentary_shown(chapter: str, commentary: Mapping, kpi_pillars: Mapping[str, str] | None) -> dict | None:
    """The part of ``commentary`` (context.json's ``commentary``) that ``chapter`` can show, or
    None when it may show all of it (an undeclared chapter, or a pillar chapter whose KPIs are not
    known because ``kpi_pillars``, KPI id -> pillar from metrics.csv, is None)."""
    parts = CHAPTER_COMMENTARY.get(chapter)
    if parts is None:
        return None
    shown: dict = {}
    if SUMMARY in parts:
        shown["summary"] = commentary.get("summary")
    if PILLAR in parts:
        if kpi_pillars is None:
            return None
        shown["pillar"] = (commentary.get("pillars") or {}).get(chapter)
        kpis = _ids_of(chapter, kpi_pillars)
        shown["kpis"] = {k: v for k, v in (commentary.get("kpis") or {}).items() if str(k) in kpis}
    return shown


def _ids_of(pillar: str, kpi_pillars: Mapping[str, str]) -> set[str]:
    return {str(k) for k, p in kpi_pillars.items() if str(p) == pillar}

