"""The report's method notes (appendix): how RAG, direction of travel and SPC are worked out.

Why a module of its own: the words are long and change with the method, not with the notebook API
(:mod:`.context` only passes the build's parameters and the audience).
"""

from __future__ import annotations

from torbayreport.report.tables import Markdown


def method_notes(params: dict, *, disclosure: bool) -> Markdown:
    """How RAG, direction of travel and SPC are worked out, with the parameters this build used
    (``params`` as the build read them; ``disclosure``: the audience's small-numbers rule applies)."""
    spc = params.get("spc") or {}
    run = spc.get("run_length")
    trend = spc.get("trend_length")
    threshold = params["disclosure"]["threshold"]
    text = [
        "**RAG rating.** Each measure with a target is rated on the latest month: for a measure where higher "
        "is better, Green ✔ when the figure meets the target, Amber ▲ when it is below the target by no more "
        "than the agreed tolerance, Red ✖ otherwise (the reverse for lower-is-better measures; for a measure "
        "with a target range, the distance from the target). Targets and tolerances come from the Improvement "
        "Plan and the 2016-17 action tracker and are listed in the parameters of each build.",
        "**Direction of travel** compares the latest month with the month before: ↑ or ↓ shows which way the "
        "figure moved and the word says whether that is better or worse. It is a two-point comparison and "
        "is often just normal month-to-month variation, so read it with the SPC reading.",
        "**SPC (statistical process control)** follows the NHS *Making Data Count* method. The average and the "
        "process limits (average ± 2.66 × the average moving range) show the range the figures normally vary "
        f"within. A month is a *special-cause* signal when it is outside the limits, part of a run of {run} or "
        f"more months on one side of the average, part of {trend} or more months each higher (or lower) than "
        "the last, or 2 of 3 months close to a limit. Signals are called *improvement* or *concern* according "
        "to the measure's polarity. *Assurance* compares the target with the limits: consistently passing or "
        "failing when the target lies outside them, hit and miss when it lies between them.",
        "**Months with nothing to count** (for example no review conferences due) show *no data*, never 0% "
        "or 100%.",
        "**Months the data cannot support** (a table or column not in the extracts, or a history too short "
        "for the measure's look-back) show [x] with the reason, and get no RAG rating, direction of travel or "
        "SPC reading; they are left out of the SPC limits and the summary. The coverage table in the "
        "data-quality appendix lists, for each measure, its sources and the months it could be computed.",
    ]
    if disclosure:
        text.append(
            f"**Small numbers.** In this public report any count from 1 to {threshold} is shown as [c], with "
            "further figures withheld where they would let it be worked out. A measure whose monthly numbers "
            "are small is described in words without a chart, because a chart's average line would reveal "
            "the withheld months."
        )
    return Markdown("\n\n".join(text))
