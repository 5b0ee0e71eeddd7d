"""Tables as pandoc markdown, with the column widths each table declares.

Why a module of its own: this is the one place a data frame becomes a markdown table (so the one
place cell text is made inert), and the one place a table's declared column widths are looked up
and written for the renderers. :mod:`.tables` declares each table's widths next to its frame
(:func:`declare_widths`); :func:`markdown_table` finds them by the frame's column headings, so a
table built anywhere (the report context, the coverage table) gets its widths without passing them.

How widths reach the page: a table with declared widths is wrapped in a pandoc div
``::: {.widths widths="30 11 7 ..."}``; the Lua filter (reports/assets/filters/report.lua) gives
the PDF's columns those shares of the line (typst ``columns: (27%, 10%, ...)``) and unwraps the
div; the HTML keeps columns sized to their content. A table without a declaration gets widths
from its content in the PDF (the same filter). The weights are roughly characters of the table's
type: wide for a measure's name, narrow for a symbol.
"""

from __future__ import annotations

import functools
from typing import Iterable, Mapping

import pandas as pd
from tabulate import tabulate

from torbayreport.disclose.text import inert_inline


class Markdown(str):
    """A string that Jupyter displays as markdown (``text/markdown``) and a terminal prints as is."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # plain print in a terminal or a text/plain output
        return str(self)


def _missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, str):
        return x.strip() == "" or x.strip().lower() in {"na", "nan", "none", "<na>"}
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _cell(text) -> str:
    """One pipe-table cell as inert markdown (``disclose.text.inert_inline``).

    Why here: this is the one place tables become markdown, and their cells carry text from the
    data (team names, plan actions and evidence, file names): a ``<img onerror>`` or ``@name`` in a
    cell must print as typed, not become live HTML or a citation. Line breaks become spaces and
    ``|`` is escaped, so a cell cannot break the table; emphasis and https links are kept.
    """
    if type(text) is str:  # noqa: E721 (exactly str: 1, 1.0 and True are equal keys but print apart)
        return _text_cell(text)
    if _missing(text):
        return ""
    return inert_inline(text)  # keeps a no-break space (NBSP) inside the cell


@functools.lru_cache(maxsize=1 << 16)
def _text_cell(text: str) -> str:
    """:func:`_cell` of a string, kept: tables repeat the same words and figures in many cells
    (months, "Common cause", a chart's mean on every row), and each costs two regex passes."""
    return "" if _missing(text) else inert_inline(text)


#: Every table's declared widths, in declaration order: column heading -> weight.
_DECLARED: list[dict[str, float]] = []


def declare_widths(widths: Mapping[str, float]) -> dict[str, float]:
    """Declare a table's column widths (heading -> weight, first heading first) and return them.

    A frame takes a declaration's widths when its first column is the declaration's first and
    every column is declared (so optional columns, declared too, may be absent)."""
    declared = {str(k): float(v) for k, v in widths.items()}
    if not declared or min(declared.values()) <= 0:
        raise ValueError(f"column widths must be positive: {widths}")
    _DECLARED.append(declared)
    return declared


def widths_for(columns: Iterable) -> list[float] | None:
    """The declared widths of a table with these column headings, in their order (None: none declared)."""
    names = [str(c) for c in columns]
    for declared in _DECLARED:
        if names and names[0] == next(iter(declared)) and set(names) <= set(declared):
            return [declared[n] for n in names]
    return None


def markdown_table(frame: pd.DataFrame, *, empty: str = "There is nothing to show.",
                   widths: Iterable[float] | None = None) -> Markdown:
    """A pipe table with one header row, in a ``widths`` div when its widths are declared (or
    given: ``widths``, one per column, for a table whose headings vary); an empty frame gives a
    sentence instead of an empty grid."""
    if frame is None or len(frame) == 0:
        return Markdown(empty)
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    headers = [_cell(c) for c in frame.columns]
    table = tabulate(body, headers=headers, tablefmt="pipe", disable_numparse=True)
    widths = list(widths) if widths is not None else widths_for(frame.columns)
    if widths is not None and len(widths) != len(frame.columns):
        raise ValueError(f"{len(widths)} column widths for {len(frame.columns)} columns")
    if widths is None:
        return Markdown(table)
    shares = " ".join(f"{w:g}" for w in widths)
    return Markdown(f'::: {{.widths widths="{shares}"}}\n{table}\n:::')
