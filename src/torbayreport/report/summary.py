"""The executive summary's bullets, generated from the same rows the summary's tables read.

Why here and not in context.json: the summary, the RAG table and the signal tables of one audience
must agree to the last measure. They all read ``ReportContext.counted()`` (the audience-safe rows of
the month with withheld measures taken out), and a withheld measure is counted once, in a bullet of
its own ("3 measures withheld: small numbers"), never in another count. The sentences themselves
come from :func:`torbayreport.assess.narrative.summarise`, so the wording stays in one place.

A sentence that introduces a list ("2 measures show special-cause concern:") keeps its items as
sub-bullets under it, never as bullets of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from torbayreport.report.context import ReportContext

#: How many measures a counting sentence names before "and N more" (the tables list them all).
MAX_NAMED = 5


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _named(titles: list[str]) -> str:
    shown, rest = titles[:MAX_NAMED], len(titles) - MAX_NAMED
    if rest > 0:
        return "; ".join(shown) + f" and {rest} more"
    return "; ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else (shown[0] if shown else "")


def summary_lines(ctx: "ReportContext") -> list[str]:
    """The summary as markdown list lines (sub-items indented) for ``ctx``'s audience."""
    from torbayreport.assess.narrative import summarise

    spc = (ctx.meta.get("params") or {}).get("spc") or {}
    rows = ctx.counted()
    summary = summarise(rows, ctx.month, value_text=ctx.value_text,
                        run_length=int(spc.get("run_length") or 7), trend_length=int(spc.get("trend_length") or 7))
    lines = [f"- {s}" for s in summary.pillars]
    n = len(summary.improvement)
    if n:
        lines.append(f"- {_plural(n, 'measure')} {_verb(n, 'shows', 'show')} special-cause improvement: "
                     f"{_named(summary.improvement_titles)}.")
    n = len(summary.concern)
    if n:
        lines.append(f"- {_plural(n, 'measure')} {_verb(n, 'shows', 'show')} special-cause concern:")
        lines.extend(f"    - {s}" for s in summary.concern[:MAX_NAMED])
        if n > MAX_NAMED:
            lines.append(f"    - … and {n - MAX_NAMED} more (see the list of measures showing a signal).")
    n = len(summary.neutral)
    if n:
        lines.append(f"- {_plural(n, 'context measure')} {_verb(n, 'shows', 'show')} special-cause variation "
                     "(neither good nor bad).")
    n = len(summary.failing)
    if n:
        lines.append(f"- {_plural(n, 'measure')} will not meet {_verb(n, 'its', 'their')} target without a change "
                     "to the way the work is done (the target lies outside the range the measure varies within): "
                     f"{_named(summary.failing_titles)}.")
    n = len(summary.passing)
    if n:
        lines.append(f"- {_plural(n, 'measure')} consistently {_verb(n, 'meets', 'meet')} "
                     f"{_verb(n, 'its', 'their')} target: {_named(summary.passing_titles)}.")
    withheld = ctx.withheld()
    if len(withheld):
        lines.append(f"- {_plural(len(withheld), 'measure')} withheld: small numbers "
                     f"({', '.join(withheld['kpi_id'].astype(str))}); not counted above.")
    return lines or ["- No automatic summary is available."]


def summary_bullets(ctx: "ReportContext") -> str:
    return "\n".join(summary_lines(ctx))
