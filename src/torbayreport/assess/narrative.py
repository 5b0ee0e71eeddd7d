"""Executive-summary sentences generated from the assessed table for one month.

Why generated and kept separate from commentary: the statistical statements (RAG counts, SPC
signals, assurance) must match the tables exactly and be reproducible, so the code writes them; the
analyst's interpretation lives in params/<YYYY-MM>.yaml and is never invented here.

Only SPC signals are reported as "improvement" or "concern" — never a two-point comparison — in line
with Making Data Count. Values are formatted by ``value_text`` (default: the KPI's unit, one
decimal place for percentages and ratios). A public build must pass a formatter that applies
disclosure control (small counts shown as [c]); this module sits before ``disclose`` and does not
suppress anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

PILLAR_NAMES = {
    "leadership": "Leadership, management and governance",
    "practice": "Social work practice",
    "workforce": "Workforce",
    "quality": "Quality assurance and audit",
}
RULE_TEXT = {
    "outside_limits": "a month outside the process limits",
    "shift": "a run of {run} or more months on the same side of the average",
    "trend": "{trend} or more months in a row each {updown} than the last",
    "two_in_three": "2 of 3 months close to a process limit",
}


@dataclass
class Summary:
    """Sentences by section; ``sentences()`` flattens them in reading order."""

    month: pd.Period
    pillars: list[str] = field(default_factory=list)
    improvement: list[str] = field(default_factory=list)
    concern: list[str] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    passing: list[str] = field(default_factory=list)

    improvement_titles: list[str] = field(default_factory=list)
    failing_titles: list[str] = field(default_factory=list)
    passing_titles: list[str] = field(default_factory=list)

    def sentences(self) -> list[str]:
        """Every sentence: one per pillar, then one per measure with a signal or an assurance result."""
        return [*self.pillars, *self.improvement, *self.concern, *self.neutral, *self.failing, *self.passing]

    def headline(self, max_named: int = 5) -> list[str]:
        """The executive-summary form: short enough to read aloud at a board.

        Pillar sentences; every special-cause *concern* in full (they are what a board acts on);
        improvements, consistent failures and consistent passes as one sentence each that counts
        them and names at most ``max_named`` (the report's tables list them all).
        """
        out = list(self.pillars)
        if self.improvement:
            out.append(
                f"{_plural(len(self.improvement), 'measure')} {_verb(len(self.improvement), 'shows', 'show')} "
                f"special-cause improvement: {_named(self.improvement_titles, max_named)}."
            )
        if self.concern:
            out.append(
                f"{_plural(len(self.concern), 'measure')} {_verb(len(self.concern), 'shows', 'show')} "
                "special-cause concern:"
            )
            out.extend(self.concern[:max_named])
            if len(self.concern) > max_named:
                out.append(f"… and {len(self.concern) - max_named} more (see the list of measures showing a signal).")
        if self.neutral:
            out.append(
                f"{_plural(len(self.neutral), 'context measure')} {_verb(len(self.neutral), 'shows', 'show')} "
                "special-cause variation (neither good nor bad)."
            )
        if self.failing:
            out.append(
                f"{_plural(len(self.failing), 'measure')} will not meet {_verb(len(self.failing), 'its', 'their')} "
                "target without a change to the way the work is done (the target lies outside the range the "
                f"measure varies within): {_named(self.failing_titles, max_named)}."
            )
        if self.passing:
            out.append(
                f"{_plural(len(self.passing), 'measure')} consistently {_verb(len(self.passing), 'meets', 'meet')} "
                f"{_verb(len(self.passing), 'its', 'their')} target: {_named(self.passing_titles, max_named)}."
            )
        return out


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _named(titles: list[str], max_named: int) -> str:
    shown = titles[:max_named]
    rest = len(titles) - len(shown)
    if rest:
        return "; ".join(shown) + f" and {rest} more"
    if len(shown) > 1:
        return "; ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else ""


def _number(x: float, unit: str) -> str:
    if unit == "percent":
        return f"{x:.1f}%"
    if unit == "count":
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def default_value_text(row: pd.Series) -> str:
    """The row's value in its unit, e.g. "23.4%", "16.9", "12"."""
    return _number(float(row["value"]), str(row["unit"]))


def _range_text(row: pd.Series) -> str | None:
    """The normal range (process limits) as "a to b" in the KPI's unit; None without limits.

    Shown within what the unit allows (a rate cannot be below 0 or above 100%), because XmR limits
    may fall outside it and "−14.3%" means nothing to a reader; the statistics are unchanged.
    """
    lo, hi = row.get("spc_lpl"), row.get("spc_upl")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return None
    unit = str(row.get("unit"))
    lo, hi = max(float(lo), 0.0), max(float(hi), 0.0)
    if unit == "percent":
        lo, hi = min(lo, 100.0), min(hi, 100.0)
    return f"{_number(lo, unit)} to {_number(hi, unit)}"


def _provisional_text(row: pd.Series) -> str:
    """Why the range is provisional (trial limits from a short segment), or ""."""
    trial = row.get("spc_trial")
    start = row.get("spc_segment_start")
    if trial is None or pd.isna(trial) or not bool(trial) or start is None or pd.isna(start):
        return ""
    start = pd.Period(start, freq="M")
    months = (pd.Period(row["month"], freq="M") - start).n + 1
    since = f"since the limits were recalculated in {start.strftime('%B %Y')}"
    if not row.get("spc_segment"):
        since = f"of data (from {start.strftime('%B %Y')})"
    return f" The normal range is provisional: it rests on only {_plural(months, 'month')} {since}."


def available(row: pd.Series) -> bool:
    """Whether the data support this row's figure (``availability`` ok, or no such column)."""
    status = row.get("availability")
    return status is None or pd.isna(status) or str(status) == "ok"


def unavailable_sentence(row: pd.Series) -> str:
    """Why a month has no figure, in words: the prepared table's ``availability_reason``
    (:func:`torbayreport.metrics.coverage.reason`), or a plain fallback naming the status."""
    why = row.get("availability_reason")
    if why is None or pd.isna(why) or not str(why).strip():
        why = {
            "no_events": "there was nothing to measure this month",
            "missing_source": "the data it needs are not in the extracts",
            "short_history": "the extracts do not reach back far enough",
        }.get(str(row.get("availability")), "the data do not support it")
    return f"No figure this month: {str(why).strip().rstrip('.')}."


def reading_sentence(row: pd.Series, *, value_text: Callable[[pd.Series], str] = default_value_text) -> str:
    """One plain-English sentence that reconciles this month's RAG with the SPC assurance reading.

    Why: a RAG rating judges one month against the target; MDC assurance judges the normal range
    (the process limits) against it. Shown as two labels they can seem to contradict ("Green" and
    "consistently failing"); this sentence says what each means together, e.g. "Met the target of
    85.0% this month (91.5%), but the normal range (73.3% to 89.1%) spans the target, so it will
    not be met every month." One sentence for every combination of RAG (Green / Amber / Red / none)
    and assurance (consistent pass / inconsistent / consistent fail / none); a short segment adds
    that the range is provisional. Reads ``value``, ``unit``, ``target``, ``rag``, ``polarity``,
    ``assurance``, ``spc_mean``, ``spc_lpl``, ``spc_upl``, ``spc_trial``, ``spc_segment``,
    ``spc_segment_start`` and ``month``; ``value_text`` formats the value (pass the disclosure-aware one for public).
    A month whose ``availability`` is not ok gets no reading, only the reason
    (:func:`unavailable_sentence`), so no RAG or range is ever read into a figure that is not there.
    """
    if not available(row):
        return unavailable_sentence(row)
    unit = str(row.get("unit"))
    if row.get("value") is None or pd.isna(row.get("value")):
        return "There is no value for this month, so it cannot be compared with the target."
    value = value_text(row)
    normal = _range_text(row)
    provisional = _provisional_text(row)
    target = row.get("target")
    rag_ = row.get("rag")
    if target is None or pd.isna(target) or rag_ is None or pd.isna(rag_):
        base = f"This measure has no target ({value} this month)"
        return (f"{base}; its normal range is {normal}." if normal else f"{base}.") + provisional
    target_text = _number(float(target), unit)
    this_month = {
        "Green": f"Met the target of {target_text} this month ({value})",
        "Amber": f"Narrowly missed the target of {target_text} this month ({value}, within the tolerance)",
        "Red": f"Missed the target of {target_text} this month ({value})",
    }[str(rag_)]
    met = rag_ == "Green"
    assurance = row.get("assurance")
    assurance = None if assurance is None or pd.isna(assurance) else str(assurance)
    mean = row.get("spc_mean")
    if assurance is None:
        if normal:
            return f"{this_month}; its normal range is {normal}." + provisional
        if mean is not None and not pd.isna(mean):  # a mean but no limits: one month in the segment
            return f"{this_month}; there are too few months to say what a normal month looks like." + provisional
        return f"{this_month}." + provisional
    # Without limits but with an assurance answer (a public report blanks the limits of a series
    # with a suppressed month), the sentence keeps the reading and leaves out the figures.
    rng = f" ({normal})" if normal else ""
    good_side = "above" if row.get("polarity") == "up" else "below"
    bad_side = "below" if good_side == "above" else "above"
    if assurance == "consistent_pass":
        text = (
            f"{this_month}, and the whole normal range{rng} is {good_side} the target, so it can be "
            "expected to be met every month."
            if met
            else f"{this_month}, but that was unusual: the whole normal range{rng} is {good_side} the "
            "target, so it can be expected to be met in other months."
        )
    elif assurance == "inconsistent":
        text = (
            f"{this_month}, but the normal range{rng} spans the target, so it will not be met every month."
            if met
            else f"{this_month}; the normal range{rng} spans the target, so it will be met in some months "
            "and missed in others."
        )
    else:  # consistent_fail
        text = (
            f"{this_month}, but that was unusual: the whole normal range{rng} is {bad_side} the target, "
            "so it will usually be missed without a change to the way the work is done."
            if met
            else f"{this_month}, and the whole normal range{rng} is {bad_side} the target, so it will "
            "not be met without a change to the way the work is done."
        )
    return text + provisional


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _rule_text(row: pd.Series, run: int, trend: int) -> str:
    rule = row["spc_rule"]
    if rule == "trend":
        updown = "higher" if str(row["variation"]).endswith("_high") else "lower"
        return RULE_TEXT["trend"].format(trend=trend, updown=updown)
    return RULE_TEXT.get(rule, "a special-cause pattern").format(run=run)


def pillar_sentences(rows: pd.DataFrame) -> list[str]:
    """One sentence per pillar with the RAG counts of its measures that have a target and a value."""
    out = []
    for pillar, name in PILLAR_NAMES.items():
        part = rows[rows["pillar"] == pillar]
        if part.empty:
            continue
        rated = part[part["rag"].notna()]
        if rated.empty:
            absent = int((part["availability"].astype("string") != "ok").fillna(False).sum()) if "availability" in part else 0
            if absent == len(part):
                out.append(f"{name}: the extracts do not support a figure for any of the "
                           f"{_plural(len(part), 'measure')} this month.")
            else:
                out.append(f"{name}: none of the {_plural(len(part), 'measure')} has a target and a value this month.")
            continue
        counts = rated["rag"].value_counts()
        tally = ", ".join(f"{int(counts.get(c, 0))} {c}" for c in ("Green", "Amber", "Red"))
        extra = len(part) - len(rated)
        missing = int((part["availability"].astype("string") != "ok").fillna(False).sum()) if "availability" in part else 0
        why = f", {missing} of them without a figure the data can support" if missing else ""
        note = f" ({_plural(extra, 'other measure')} not rated{why})" if extra else ""
        out.append(f"{name}: {_plural(len(rated), 'measure')} rated against target — {tally}{note}.")
    return out


def summarise(
    assessed: pd.DataFrame,
    month,
    *,
    value_text: Callable[[pd.Series], str] = default_value_text,
    run_length: int = 7,
    trend_length: int = 7,
) -> Summary:
    """The executive summary for ``month`` from the assessed table (see module docstring)."""
    month = pd.Period(month, freq="M")
    rows = assessed[assessed["month"] == month]
    summary = Summary(month=month)
    if rows.empty:
        summary.pillars.append(f"No measures were reported for {month.strftime('%B %Y')}.")
        return summary
    summary.pillars = pillar_sentences(rows)

    has_value = rows["value"].notna()
    if "availability" in rows.columns:  # only months the data support are summarised
        has_value &= (rows["availability"].astype("string") == "ok").fillna(False)
    for kind, bucket, phrase in (
        ("special_cause_improvement", summary.improvement, "shows special-cause improvement"),
        ("special_cause_concern", summary.concern, "shows special-cause concern"),
        ("special_cause_neutral", summary.neutral, "shows special-cause variation (neither good nor bad)"),
    ):
        for _, row in rows[has_value & (rows["point_type"] == kind).fillna(False)].iterrows():
            bucket.append(
                f"{row['title']} ({value_text(row)}) {phrase}: {_rule_text(row, run_length, trend_length)}."
            )
            if kind == "special_cause_improvement":
                summary.improvement_titles.append(f"{row['title']} ({value_text(row)})")

    for kind, bucket, titles in (
        ("consistent_fail", summary.failing, summary.failing_titles),
        ("consistent_pass", summary.passing, summary.passing_titles),
    ):
        for _, row in rows[has_value & (rows["assurance"] == kind).fillna(False)].iterrows():
            titles.append(f"{row['title']} ({value_text(row)})")
            bucket.append(f"{row['title']}: {reading_sentence(row, value_text=value_text)}")
    return summary


def summary_sentences(assessed: pd.DataFrame, month, *, brief: bool = False, max_named: int = 5, **kwargs) -> list[str]:
    """:func:`summarise` flattened to a list of sentences (``brief``: the headline form)."""
    summary = summarise(assessed, month, **kwargs)
    return summary.headline(max_named) if brief else summary.sentences()


__all__ = [
    "Summary", "summarise", "summary_sentences", "pillar_sentences", "reading_sentence", "default_value_text",
    "available", "unavailable_sentence",
    "PILLAR_NAMES",
]
