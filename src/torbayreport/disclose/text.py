"""Free text is text: the one gate through which params and data text reach the report's markdown.

Why: the report is pandoc markdown rendered to HTML and Typst/PDF. Pandoc markdown is very
permissive -- raw HTML, raw TeX (``\\input``), raw blocks (``{=html}``), citations (``@name``),
footnotes, spans, divs, attributes, math, YAML blocks, tables, headings -- so commentary, a council
name, a team name from an extract or a plan-tracker cell pasted into the markdown as it is can
become live script in the published HTML, break the PDF ("the document does not contain a
bibliography") or silently vanish (``\\alpha``, ``<meta>``). Filtering dangerous constructs out
would remove what the analyst wrote; instead everything is *escaped* so it prints literally.

Contract (both functions take any value; ``None``/NaN give ""; anything else is ``str()``-ed):

* :func:`inert_markdown` -- a block of prose (commentary, evidence, notes). It keeps exactly the
  light formatting analysts use: ``*emphasis*``, ``**strong**``, bullet lists (``-``, ``*``, ``+``)
  and numbered lists (``1.`` / ``1)``), and links ``[text](https://...)`` whose target is an
  https URL of ordinary URL characters. Every other ASCII punctuation character is
  backslash-escaped (pandoc markdown lets any ASCII punctuation be escaped), so raw HTML, TeX,
  Typst, citations, attributes, footnotes, images, math, tables and headings show as the characters
  typed. Leading indentation of prose lines is dropped (it would make a code block, where the
  escapes would print), trailing spaces too (a hard line break). Invisible bidirectional-override
  and control characters, which can make text read differently from what it is, are shown as
  ``[U+202E]`` rather than kept or dropped.
* :func:`inert_literal` -- a value that takes no formatting at all (a council name, a report
  title, a pandoc metadata value: pandoc parses ``--metadata-file`` strings as markdown, so a
  ``<script>`` in ``la.name`` would reach the HTML header live): every punctuation character
  escaped, one line. Not for Typst string arguments, which are not markdown.
* :func:`inert_inline` -- one table cell or heading: the same inline rules (emphasis, strong, https
  links), no lists, every line break becomes a space so a pipe table cannot be broken, and ``|``
  is escaped like all other punctuation.

Apply once, where the text becomes markdown: the output is markdown, not text, and escaping it
again would print the backslashes. The result is safe for any pandoc markdown reader variant the
project uses (the guarantees do not depend on which extensions are switched off).
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

__all__ = ["inert_markdown", "inert_inline", "inert_literal", "inert_cells"]

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# https links: text without brackets, target of ordinary URL characters (no quotes, spaces,
# parentheses, angle brackets or backslashes, which could end the link or smuggle markup).
_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\((https://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9\-._~/?#&=%+,;:@!*$]*)?)\)")
_STRONG = re.compile(r"(?<![0-9A-Za-z*])\*\*(?=[^\s*])(.+?)(?<=[^\s*])\*\*(?![0-9A-Za-z*])", re.S)
_EMPH = re.compile(r"(?<![0-9A-Za-z*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![0-9A-Za-z*])", re.S)
_LIST = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|[0-9]{1,3}[.)])[ \t]+(?=\S)(?P<rest>.*)$")
# Shown visibly instead of acting: bidi embeddings/overrides/isolates, other C0/C1 controls.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]")


def _as_text(value) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _escape(text: str) -> str:
    return _PUNCT.sub(r"\\\1", text)


def _inline(text: str) -> str:
    """Escape ``text`` except the allowed inline formatting (links, strong, emphasis), recursively."""
    out = []
    pos = 0
    while pos < len(text):
        candidates = [m for m in (rx.search(text, pos) for rx in (_LINK, _STRONG, _EMPH)) if m]
        if not candidates:
            break
        m = min(candidates, key=lambda m: (m.start(), -len(m.group())))
        out.append(_escape(text[pos:m.start()]))
        if m.re is _LINK:
            out.append(f"[{_escape(m.group(1))}]({m.group(2)})")
        elif m.re is _STRONG:
            out.append(f"**{_inline(m.group(1))}**")
        else:
            out.append(f"*{_inline(m.group(1))}*")
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def inert_inline(value) -> str:
    """One table cell or heading as markdown that prints ``value`` literally (see module docstring).

    Keeps *emphasis*, **strong** and https links; line breaks become spaces; ``|`` is escaped.
    """
    text = " ".join(line.strip() for line in _as_text(value).split("\n"))
    return _inline(text.strip())


def inert_literal(value) -> str:
    """``value`` as markdown that prints exactly as typed, with no formatting at all, on one line."""
    return _escape(" ".join(line.strip() for line in _as_text(value).split("\n")).strip())


def inert_markdown(value) -> str:
    """A block of analyst prose as markdown that prints ``value`` literally (see module docstring).

    Keeps emphasis, strong, https links, bullet and numbered lists (nested by indentation) and
    paragraphs (blank lines); everything else is escaped, nothing is removed.
    """
    lines = _as_text(value).split("\n")
    out: list[str] = []
    stack: list[int] = []  # indents of the open list levels
    prev = "blank"  # "blank", "text" or "list"
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            out.append("")
            prev = "blank"
            continue
        item = _LIST.match(line)
        if item:
            indent = len(item["indent"].expandtabs(4))
            if prev != "list":
                stack = [indent]
                if prev == "text":
                    out.append("")  # pandoc needs a blank line before a list
            while len(stack) > 1 and indent < stack[-1]:
                stack.pop()
            if indent > stack[-1]:
                stack.append(indent)
            depth = len(stack) - 1
            marker = item["marker"]
            out.append(" " * (4 * depth) + marker + " " + _inline(item["rest"]))
            prev = "list"
            continue
        if prev == "list":
            out.append("")  # end the list: the prose after it is its own paragraph
        out.append(_inline(line.strip()))
        prev = "text"
    while out and out[-1] == "":
        out.pop()
    while out and out[0] == "":
        out.pop(0)
    return "\n".join(out)


def inert_cells(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (or ``columns``) are :func:`inert_inline` markdown.

    For tables that become pipe tables: numbers are left alone (a number is not text from the
    data); text cells, including display symbols such as ``[c]``, are escaped.
    """
    out = frame.copy()
    chosen = list(columns) if columns is not None else [
        c for c in out.columns if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype)
    ]
    for col in chosen:
        out[col] = out[col].map(lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool)
                                and not (isinstance(v, float) and math.isnan(v)) else inert_inline(v))
    return out
