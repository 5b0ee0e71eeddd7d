"""GSS / Analysis Function shorthand symbols and the key the report prints.

Why these four: the Analysis Function guidance "Releasing statistics in spreadsheets" and the DfE
analysts' guide (research note §B1–B2) use square-bracketed shorthand that screen readers read
out sensibly (unlike ``*``, ``†`` or ``:``), and DfE's children's social care releases use
``c`` for small numbers, ``x`` for unavailable, ``z`` for not applicable and ``low`` for a
non-zero figure that rounds to zero. Every part of the report takes its symbols from here so a
cell and the key beneath it cannot disagree.

When each is used in this report:
- ``[c]`` a count of 1..threshold children/workers/events, or any figure hidden so that such a
  count cannot be worked out from totals, differences or a percentage (secondary suppression);
- ``[x]`` the figure should exist but the data do not support it: a needed table or column is not
  in the extracts (availability ``missing_source``) or their history is too short for the KPI's
  look-back (``short_history``); its counts are ``[x]`` as well, and the report gives the reason;
- ``[z]`` the figure does not apply, nothing to count: a percentage of nothing (denominator 0,
  availability ``no_events``, never 0% or 100%) or the denominator of a KPI that is a plain count;
- ``[low]`` a value that is not zero but shows as 0 at the precision printed (e.g. 0.04%).
"""

from __future__ import annotations

from typing import Iterable

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
LOW = "[low]"

#: symbol -> legend text (GSS meanings, worded for this report)
SYMBOLS: dict[str, str] = {
    CONFIDENTIAL: (
        "confidential: a number from 1 to {threshold}, or a figure from which such a number could be "
        "worked out, withheld to protect the people it describes"
    ),
    NOT_AVAILABLE: (
        "not available: the data do not support this figure (a table or column not in the extracts, or "
        "too short a history); the report says which"
    ),
    NOT_APPLICABLE: (
        "not applicable: nothing to count, for example a percentage when there were no cases to measure "
        "or the denominator of a plain count"
    ),
    LOW: "low: not zero, but rounds to zero at the precision shown",
}


def legend(symbol: str, threshold: int = 5) -> str:
    """The legend text for one symbol, with the suppression threshold filled in."""
    return SYMBOLS[symbol].format(threshold=threshold)


def symbols_used(*columns: Iterable[str]) -> list[str]:
    """Which symbols occur in the given display columns, in SYMBOLS order (for a key that lists only those)."""
    seen = set()
    for column in columns:
        seen.update(str(v) for v in column)
    return [s for s in SYMBOLS if s in seen]


def key_markdown(used: Iterable[str] | None = None, *, threshold: int = 5) -> str:
    """A markdown table "Symbol | Meaning" for the symbols ``used`` (default: all of them).

    Pass ``symbols_used(frame["value_display"], ...)`` to print only the ones a table shows; a
    zero is always a true zero, which the key says in its last line because readers ask.
    """
    chosen = list(SYMBOLS) if used is None else [s for s in SYMBOLS if s in set(used)]
    unknown = set(used or ()) - set(SYMBOLS)
    if unknown:
        raise ValueError(f"unknown symbols {sorted(unknown)}; known: {list(SYMBOLS)}")
    lines = ["| Symbol | Meaning |", "|:--|:--|"]
    lines += [f"| {s} | {legend(s, threshold)} |" for s in chosen]
    lines.append("| 0 | a true zero (a zero is never hidden for being small) |")
    return "\n".join(lines) + "\n"
