"""Report tables as markdown pipe tables: scorecards, plan tracker, exceptions, definitions, data quality.

Why markdown: the executed notebooks are rendered by Quarto or by pandoc + typst, and only a
``text/markdown`` output becomes a real table (with a header row that a screen reader announces)
in both the HTML and the PDF; a pandas HTML repr becomes preformatted text in the PDF.

Why words beside every symbol: a member reading a black-and-white print, or using a screen reader,
must get the RAG rating, the direction of travel and the SPC reading without colour. Each symbol is
paired with a word ("Green ✔", "↑ improved"), and the glyphs are limited to ones DejaVu/Noto Sans
carry (↑ ↓ → ✔ ✖ ▲ ≥ ≤ ±) so the PDF never shows a missing-glyph box.

The functions only *present* the assessed and disclosed metric table; they compute nothing. When
a public table is built, the ``*_display`` columns written by disclosure control are used, so a
suppressed count appears as ``[c]`` and never as its value.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from torbayreport.report.markdown import Markdown, _cell, _missing, declare_widths, markdown_table  # noqa: F401

# ----------------------------------------------------------------------------- words and symbols

#: No-break space: a rating keeps its symbol and a target its sign on one line in a narrow column
#: (the PDF's column widths give each column its longest unbreakable word); HTML text is unchanged
#: to a reader and to any search that folds white space.
NBSP = "\u00a0"
RAG_LABELS = {
    "Green": f"Green{NBSP}✔",
    "Amber": f"Amber{NBSP}▲",
    "Red": f"Red{NBSP}✖",
}
RAG_NONE = "No target"

VARIATION_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral": "Special cause: neutral",
}
ASSURANCE_WORDS = {
    "consistent_pass": "Consistently passing",
    "consistent_fail": "Consistently failing",
    "inconsistent": "Hit and miss",
}
DIRECTION_WORDS = ("improved", "worsened", "no change", "higher", "lower")
POLARITY_WORDS = {
    "up": "higher is better",
    "down": "lower is better",
    "target": "closest to target is best",
    "neutral": "context only",
}
#: A reading that cannot be given (no SPC reading, no direction): not the GSS ``[x]`` of a missing figure.
NO_READING = "n/a"
#: What a public table shows for a withheld value and for everything worked out from it (RAG,
#: direction, SPC reading, assurance): the GSS confidential marker, never a rating beside it.
WITHHELD = "[c]"
#: The rag_counts_frame column that counts withheld measures (public report only).
WITHHELD_COLUMN = "Withheld [c]"


def format_value(value, unit: str, decimals: int = 1) -> str:
    """A metric value as the report prints it (``78.3%``, ``18.2``, ``12``): the one number format,
    ``torbayreport.disclose.format_value``."""
    from torbayreport.disclose import format_value as disclose_format

    return str(disclose_format(value, unit, decimals))


def long_date(value) -> str:
    """'2021-01-08' -> '8 January 2021' (the cover page's and title block's form); other text as given."""
    try:
        day = pd.Timestamp(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def decimals_for(kpi_id: str, default: int = 1) -> int:
    """The KPI's declared number of decimals (registry), so tables and charts agree."""
    from torbayreport.metrics import REGISTRY

    kpi = REGISTRY.get(kpi_id)
    return kpi.decimals if kpi is not None else default


def rag_label(rag) -> str:
    return RAG_NONE if _missing(rag) else RAG_LABELS.get(str(rag), str(rag))


def variation_label(point_type) -> str:
    return NO_READING if _missing(point_type) else VARIATION_WORDS.get(str(point_type), str(point_type))


def assurance_label(assurance) -> str:
    return NO_READING if _missing(assurance) else ASSURANCE_WORDS.get(str(assurance), str(assurance))


def direction_label(direction, value=None, previous=None) -> str:
    """Arrow for the movement of the value, word for whether that is better or worse.

    The arrow follows the number (↑ rose, ↓ fell, → unchanged); the word follows the polarity
    (a falling re-referral rate is "↓ improved"). When the values are not available (suppressed in
    a public report) the arrow is inferred from the word and polarity is not needed.
    """
    if _missing(direction) or str(direction) not in DIRECTION_WORDS:
        return NO_READING
    word = str(direction)
    if word == "no change":
        return f"→{NBSP}no change"
    if not _missing(value) and not _missing(previous):
        diff = float(value) - float(previous)
        arrow = "↑" if diff > 0 else "↓" if diff < 0 else "→"
        return f"{arrow}{NBSP}{word}"  # the arrow never wraps away from its word
    return word


def target_label(target, polarity: str, unit: str, tolerance=None, decimals: int = 1) -> str:
    if _missing(target) or polarity == "neutral":
        return "Context only"
    text = format_value(target, unit, decimals)
    if polarity == "up":
        return f"≥{NBSP}{text}"
    if polarity == "down":
        return f"≤{NBSP}{text}"
    if not _missing(tolerance):
        return f"{text}{NBSP}±{NBSP}{format_value(tolerance, 'count' if unit == 'count' else 'ratio', decimals)}"
    return text


# ----------------------------------------------------------------------------- scorecard

def _display(row: Mapping, name: str, unit: str, decimals: int) -> str:
    """A disclosed display column if present (public: ``[c]``), else the formatted raw value."""
    shown = row.get(f"{name}_display")
    if not _missing(shown):
        return str(shown)
    if row.get(f"{name}_suppressed") is True:
        return "[c]"
    raw = row.get(name)
    if name in ("numerator", "denominator"):
        return "" if _missing(raw) else format_value(raw, "count", 0)
    return format_value(raw, unit, decimals)


def is_withheld(row: Mapping) -> bool:
    """True when the row's value is withheld for disclosure (a public report's small numbers)."""
    flag = row.get("value_suppressed")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true") or (
        not _missing(flag) and not isinstance(flag, str) and bool(flag)
    )


def withheld_mask(rows: pd.DataFrame) -> pd.Series:
    """Vectorised :func:`is_withheld` over a table (False where there is no flag column)."""
    if "value_suppressed" not in rows.columns:
        return pd.Series(False, index=rows.index)
    flags = rows["value_suppressed"]
    if flags.dtype == object:
        flags = flags.astype("string").str.lower().map({"true": True, "false": False})
    return flags.fillna(False).astype(bool)


#: availability -> the GSS symbol a month without a figure shows when the row has no value_display
UNAVAILABLE_SYMBOLS = {"no_events": "[z]", "missing_source": "[x]", "short_history": "[x]"}


def unavailable_label(row: Mapping) -> str | None:
    """``[x] not in this month's extracts: ...``: the symbol and the reason for a month whose
    ``availability`` is not ok (the prepared table's ``availability_reason``); None when it is ok
    or the table has no such column."""
    status = row.get("availability")
    if _missing(status) or str(status) == "ok":
        return None
    symbol = row.get("value_display")
    symbol = UNAVAILABLE_SYMBOLS.get(str(status), "[x]") if _missing(symbol) else str(symbol)
    reason = row.get("availability_reason")
    return symbol if _missing(reason) else f"{symbol} {' '.join(str(reason).split())}"


def latest_label(row: Mapping) -> str:
    """Latest value with its count behind it: ``78.3% (47/60)``; a count KPI shows just the count.

    A month with nothing to count (denominator 0) reads "no data (none due)", never 0% or 100%;
    a month the data cannot support reads as its symbol and reason (:func:`unavailable_label`).
    """
    unavailable = unavailable_label(row)
    if unavailable is not None:
        return unavailable
    unit = str(row.get("unit", "percent"))
    decimals = decimals_for(str(row.get("kpi_id", "")))
    if is_withheld(row):  # no value, no n/d: "[c] ([c]/[c])" only repeats the marker
        return WITHHELD
    if unit != "count" and _missing(row.get("value")):
        den = row.get("denominator")
        if not _missing(den) and float(den) == 0:
            return "no data (none due)"
    value = _display(row, "value", unit, decimals)
    if unit == "count":
        return value
    num = _display(row, "numerator", unit, decimals)
    den = _display(row, "denominator", unit, decimals)
    if num and den and not _missing(row.get("value")):
        return f"{value} ({num}/{den})"
    return value


def previous_label(row: Mapping) -> str:
    unit = str(row.get("unit", "percent"))
    shown = row.get("previous_display")
    if not _missing(shown):
        return str(shown)
    return format_value(row.get("previous_value"), unit, decimals_for(str(row.get("kpi_id", ""))))


def _reference_label(row: Mapping, value_key: str, label_key: str) -> str:
    """A comparator's figure in the measure's format, with its label: ``62.1% (England 2019-20)``."""
    value = row.get(value_key)
    if _missing(value):
        return NO_READING
    text = format_value(value, str(row.get("unit", "percent")), decimals_for(str(row.get("kpi_id", ""))))
    label = row.get(label_key)
    return text if _missing(label) else f"{text} ({label})"


def benchmark_label(row: Mapping) -> str:
    return _reference_label(row, "benchmark_value", "benchmark_label")


#: The scorecard's columns and their widths in the PDF (report.markdown.declare_widths; weights are
#: about characters of its 7.5pt type): the measure's name wide enough for two lines, a rating or
#: an arrow and its word on one line, "Special cause:" and "Consistently" unbroken. The plan
#: reference is in each measure's heading below the scorecard, not a column of it (a tenth
#: column squeezed the names to four or five lines); statistical neighbours only when supplied.
SCORECARD_WIDTHS = declare_widths({
    "Measure": 29.5, "Latest (n/d)": 12.5, "Previous": 7.5, "Target": 9, "RAG": 8, "Direction": 10,
    "SPC variation": 13.5, "Assurance": 11.5, "England": 12.5, "Statistical neighbours": 12.5,
})
SCORECARD_COLUMNS = list(SCORECARD_WIDTHS)[:-1]


def scorecard_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI (the report month's assessed rows) in scorecard column order."""
    out = []
    for row in rows.to_dict("records"):
        kpi_id = str(row.get("kpi_id", ""))
        unit = str(row.get("unit", "percent"))
        decimals = decimals_for(kpi_id)
        value_known = not _missing(row.get("value")) and not is_withheld(row)
        prev_known = not _missing(row.get("previous_value"))
        cells = {
            "Measure": f"{kpi_id} {row.get('title', '')}".strip(),
            "Latest (n/d)": latest_label(row),
            "Previous": previous_label(row),
            "Target": target_label(row.get("target"), str(row.get("polarity", "")), unit, row.get("tolerance"), decimals),
            # a month without a figure has no rating, which is not "no target"
            "RAG": rag_label(row.get("rag")) if unavailable_label(row) is None else NO_READING,
            "Direction": direction_label(
                row.get("direction"),
                row.get("value") if value_known else None,
                row.get("previous_value") if prev_known else None,
            ),
            "SPC variation": variation_label(row.get("point_type")),
            "Assurance": assurance_label(row.get("assurance")),
            "England": benchmark_label(row),
        }
        if is_withheld(row):  # withhold_derived blanked the readings: say so, do not print "n/a"
            cells.update(dict.fromkeys(("Latest (n/d)", "RAG", "Direction", "SPC variation", "Assurance"), WITHHELD))
        out.append(cells)
    return pd.DataFrame(out, columns=SCORECARD_COLUMNS)


def neighbours_label(row: Mapping) -> str:
    return _reference_label(row, "sn_value", "sn_label")


def scorecard(rows: pd.DataFrame) -> Markdown:
    """The pillar scorecard as a markdown table (rows: the report month's assessed rows of one pillar).

    A "Statistical neighbours" column is added only when the LA supplied neighbour figures.
    """
    frame = scorecard_frame(rows)
    if "sn_value" in rows.columns and pd.to_numeric(rows["sn_value"], errors="coerce").notna().any():
        frame["Statistical neighbours"] = [neighbours_label(r) for r in rows.to_dict("records")]
    return markdown_table(frame, empty="No measures are reported for this pillar this month.")


# ----------------------------------------------------------------------------- summaries

def rag_counts_frame(rows: pd.DataFrame, pillars: Iterable[str]) -> pd.DataFrame:
    """Count of KPIs per pillar by RAG word (this month), for the executive summary.

    A withheld measure (public small numbers) is counted in its own column, never as "No target".
    """
    labels = ["Green", "Amber", "Red"]
    withheld = withheld_mask(rows)
    rag = rows["rag"].astype("object").where(rows["rag"].isin(labels), RAG_NONE).where(~withheld, WITHHELD_COLUMN)
    columns = labels + [RAG_NONE] + ([WITHHELD_COLUMN] if withheld.any() else [])
    counts = pd.crosstab(rows["pillar"], rag).reindex(index=list(pillars), columns=columns, fill_value=0)
    counts.columns = [RAG_LABELS.get(c, c) for c in counts.columns]
    counts.insert(0, "Measures", counts.sum(axis=1))
    counts = counts.reset_index().rename(columns={"pillar": "Pillar"})
    counts["Pillar"] = counts["Pillar"].str.capitalize()
    return counts.astype({c: "string" for c in counts.columns})


#: The summary's lists of measures (signals, failing targets): columns and widths (8.5pt type).
KPI_LIST_WIDTHS = declare_widths({"Measure": 32, "Pillar": 9, "Latest (n/d)": 13, "Target": 9, "RAG": 8,
                                  "SPC variation": 14, "Assurance": 12})


def kpi_list_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """A short list of KPIs (measure, pillar, latest, SPC, assurance, RAG) for summary call-outs."""
    frame = scorecard_frame(rows)
    frame.insert(1, "Pillar", [str(p).capitalize() for p in rows["pillar"]])
    return frame[list(KPI_LIST_WIDTHS)]


# ----------------------------------------------------------------------------- plan tracker

PLAN_LABELS = {
    "pillar": "Pillar", "ref": "Plan ref", "action": "Action", "lead": "Lead", "due_date": "Due",
    "status": "Status", "rag": "RAG", "days_overdue": "Days overdue", "rag_from": "RAG last month",
    "rag_to": "RAG this month", "evidence": "Evidence of progress", "this_month": "This month",
    "last_month": "Last month", "change": "Change",
}


def _plan_display(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns=[c for c in ("month",) if c in frame.columns]).copy()
    for col in [c for c in out.columns if c in ("rag", "rag_from", "rag_to")]:
        out[col] = out[col].map(rag_label)
    if "pillar" in out.columns:
        out["pillar"] = out["pillar"].astype("string").str.capitalize()
    if "due_date" in out.columns:
        out["due_date"] = pd.to_datetime(out["due_date"], errors="coerce").dt.strftime("%d %b %Y")
    return out.rename(columns=PLAN_LABELS)


def plan_counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Per pillar: actions rated Red / Amber / Green this month, with last month's count beside it."""
    if counts is None or counts.empty:
        return pd.DataFrame()
    frame = counts.copy()
    frame["this_month"] = pd.to_numeric(frame["this_month"]).astype(int)
    frame["last_month"] = pd.to_numeric(frame["last_month"]).astype(int)
    frame["cell"] = [f"{a} (last month {b})" for a, b in zip(frame["this_month"], frame["last_month"])]
    order = [r for r in ("Red", "Amber", "Green") if r in set(frame["rag"])]
    wide = frame.pivot(index="pillar", columns="rag", values="cell").reindex(columns=order)
    pillars = list(dict.fromkeys(frame["pillar"]))
    wide = wide.reindex(pillars).reset_index()
    wide.columns = ["Pillar"] + [RAG_LABELS.get(c, c) for c in order]
    wide["Pillar"] = wide["Pillar"].astype("string").str.capitalize()
    return wide


def plan_counts_table(counts: pd.DataFrame) -> Markdown:
    """Per-pillar RAG counts of improvement-plan actions, this month and last."""
    return markdown_table(plan_counts_frame(counts), empty="No improvement-plan actions were reported.")


def plan_changes_table(changes: pd.DataFrame) -> Markdown:
    """Actions whose RAG changed since last month, with the evidence recorded."""
    return markdown_table(_plan_display(changes), empty="No action changed its RAG rating since last month.")


def plan_overdue_table(overdue: pd.DataFrame) -> Markdown:
    """Actions past their due date and not complete."""
    return markdown_table(_plan_display(overdue), empty="No improvement-plan action is overdue.")


# ----------------------------------------------------------------------------- appendix

#: The appendix's compact table: what a reader needs to read a figure (the pillar and plan ref are
#: in each measure's heading, what is counted is in the definition).
DEFINITION_WIDTHS = declare_widths({"Measure": 22, "Definition": 62, "Period": 10, "Polarity": 10})
DEFINITION_COLUMNS = list(DEFINITION_WIDTHS)
WINDOW_WORDS = {"flow": "events in the month", "snapshot": "position at month end",
                "r3m": "rolling 3 months", "r12m": "rolling 12 months"}


def definitions_frame(kpis: Iterable) -> pd.DataFrame:
    """KPI definitions straight from the registry, so the appendix cannot drift from the code."""
    rows = [[f"{k.id} {k.title}", k.definition, WINDOW_WORDS.get(k.window, k.window),
             POLARITY_WORDS.get(k.polarity, k.polarity)] for k in kpis]
    return pd.DataFrame(rows, columns=DEFINITION_COLUMNS)


def definitions_table(kpis: Iterable) -> Markdown:
    return markdown_table(definitions_frame(kpis), empty="No measures are registered.")


#: The data-quality findings table: columns and widths (a check's code and a column name are long words).
FINDINGS_WIDTHS = declare_widths({"Severity": 8, "File": 18, "Column": 22, "Check": 26, "Findings": 8})


def findings_summary_frame(findings: pd.DataFrame) -> pd.DataFrame:
    """Data-quality findings counted by severity, file, column and code (no record values)."""
    if findings is None or len(findings) == 0:
        return pd.DataFrame(columns=list(FINDINGS_WIDTHS))
    if "count" in findings.columns:  # already summarised (public artefact)
        frame = findings.rename(columns={"count": "n"})
    else:
        frame = findings.assign(n=1)
    keys = [c for c in ("severity", "file", "column", "code") if c in frame.columns]
    grouped = (
        frame.fillna({k: "" for k in keys})
        .groupby(keys, dropna=False, sort=True)["n"]
        .sum()
        .reset_index()
        .sort_values(["severity", "n"] if "severity" in keys else ["n"], ascending=[True, False] if "severity" in keys else [False])
    )
    grouped = grouped.rename(columns={"severity": "Severity", "file": "File", "column": "Column", "code": "Check", "n": "Findings"})
    grouped["Findings"] = grouped["Findings"].map(lambda n: f"{int(n):,}")
    return grouped


def findings_summary(findings: pd.DataFrame) -> Markdown:
    return markdown_table(findings_summary_frame(findings), empty="The extracts passed every data-quality check.")


def symbol_key(disclosure_key: str | None = None) -> Markdown:
    """The key to every symbol and word the tables use."""
    rows = [
        ("Green ✔", "Meets the target."),
        ("Amber ▲", "Misses the target but within the agreed tolerance."),
        ("Red ✖", "Misses the target by more than the tolerance."),
        (RAG_NONE, "A context measure: watched for change, not rated."),
        ("↑ / ↓ / →", "The value rose / fell / did not change since last month."),
        ("improved / worsened", "Whether that change is better or worse, given the measure's polarity."),
        ("Common cause", "The latest month is within the range the process normally produces."),
        ("Special cause: improvement / concern", "A signal that the process has changed for the better / worse (SPC rules)."),
        ("Consistently passing / failing", "The target lies outside the process limits, so it will (not) be met without change."),
        ("Hit and miss", "The target lies inside the process limits: met in some months, missed in others."),
        ("n/a", "Not applicable or not available."),
        ("no data", "Nothing was due in the month (a zero denominator), so no percentage is shown."),
    ]
    text = markdown_table(pd.DataFrame(rows, columns=["Symbol or word", "Meaning"]))
    if disclosure_key:
        text = Markdown(f"{text}\n\n{disclosure_key}")
    return text
