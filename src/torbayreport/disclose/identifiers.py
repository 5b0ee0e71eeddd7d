"""Identifier leak guard: no child or worker identifier may appear in a public output.

``sensitive_values(tables)`` collects every value of every column flagged ``sensitive: true`` in
the canonical schema (child ids, worker ids and names, auditor ids, dates of birth, postcodes),
writing dates the ways a report could print them. ``assert_no_identifiers(text, values)`` is
the guard the build runs over every public output (HTML, markdown, alt text, metadata).

Matching works on tokens, not substrings: text and values are split into runs of letters and
digits, lower-cased, and a value matches when its token sequence occurs in the text's. This is
an Aho–Corasick-like set lookup: one pass over the text, checking each n-gram (n = the token
lengths present among the values, typically 1–4) against a hash set, so the cost is
O(tokens × distinct lengths) whatever the number of values. Tokens also make the match immune to
line breaks and punctuation ("Jane\\nSmith", "(C000123)", "03/03/2012" vs "03-03-2012").

False positives: a value shorter than ``min_length`` (default 4) characters of letters/digits is
skipped, because 1–3 character ids ("7", "A12") are indistinguishable from the counts, page
numbers and table cells every report prints; flagging them would make the guard useless.
Dates of birth of young children can equal dates the report legitimately prints (a month end,
the as-at date), so the build passes those dates as ``allow``.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import pandas as pd

from torbayreport.disclose.cells import DisclosureError
from torbayreport.io.schema import SCHEMA

TOKEN = re.compile(r"[0-9A-Za-z]+")
MIN_LENGTH = 4
#: the ways a report could print a date: ISO, dd/mm/yyyy (with and without leading zeros),
#: "3 March 2012", "03 March 2012", "3 Mar 2012". {day}/{month} are unpadded numbers.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "{day}/{month}/%Y", "{day} %B %Y", "%d %B %Y", "{day} %b %Y")
_POSTCODE = re.compile(r"^\s*([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\s*$")


def _date_strings(values: pd.Series) -> set[str]:
    dates = pd.Series(pd.to_datetime(values.dropna()).unique())
    if dates.empty:
        return set()
    day = dates.dt.day.astype(str)
    month = dates.dt.month.astype(str)
    out: set[str] = set()
    for fmt in DATE_FORMATS:
        text = dates.dt.strftime(fmt.replace("{day}", "@D@").replace("{month}", "@M@"))
        out.update(
            (t.replace("@D@", d).replace("@M@", m) for t, d, m in zip(text, day, month))
        )
    return out


def date_forms(dates: Iterable) -> set[str]:
    """Every printed form (:data:`DATE_FORMATS`) of ``dates`` — for an ``allow`` list of dates a
    report legitimately prints, so a date of birth that equals one is not a false alarm in any form."""
    return _date_strings(pd.Series(list(dates), dtype="object"))


def report_dates(*, as_at=None, window: tuple | None = None, other_dates: Iterable = ()) -> set[str]:
    """Dates a report prints for reasons of its own, in every printed form — the ``allow`` list for
    an identifier search, since a young child's date of birth can coincide with one.

    That is: the as-at date, today's (build) date, ``other_dates`` (plan due dates), each month end
    of ``window`` (``(first_month, last_month)``), and the *long form* ("3 December 2020") of every
    day inside the window: the report prints "<Month> <Year>" for each month of it, often right
    after a number ("overdue 3 / December 2020: …"), so that form cannot be told apart from report
    text. The ISO and dd/mm/yyyy forms of those days are still searched for.
    """
    dates = {pd.Timestamp.today().normalize(), *(pd.Timestamp(d) for d in other_dates if not pd.isna(d))}
    if as_at:
        dates.add(pd.Timestamp(str(as_at)))
    allow = set()
    if window and window[0] and window[1]:
        months = pd.period_range(pd.Period(str(window[0]), "M"), pd.Period(str(window[1]), "M"), freq="M")
        dates |= {m.end_time.normalize() for m in months}
        days = pd.date_range(months[0].start_time, months[-1].end_time.normalize())
        allow |= {f"{d.day} {d:%B %Y}" for d in days} | {f"{d:%d %B %Y}" for d in days} | {f"{d.day} {d:%b %Y}" for d in days}
    return allow | date_forms(dates)


def _text_strings(values: pd.Series) -> set[str]:
    out = set(values.dropna().astype(str).str.strip().tolist())
    for v in list(out):
        m = _POSTCODE.match(v)
        if m:  # postcodes: printed with one space or none, any case
            out.update({f"{m[1]} {m[2]}".upper(), f"{m[1]}{m[2]}".upper()})
    out.discard("")
    return out


def sensitive_values(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """Every value of every ``sensitive: true`` column (per SCHEMA) of ``tables``, as printable strings.

    Tables or columns not present are skipped; a table name not in the schema is an error (its
    columns' sensitivity would be unknown, and silently skipping it could hide a leak).
    """
    out: set[str] = set()
    for name, frame in tables.items():
        if name not in SCHEMA.tables:
            raise KeyError(f"table {name!r} is not in the canonical schema; cannot tell which columns are sensitive")
        table = SCHEMA[name]
        for col in table.sensitive_columns:
            if col not in frame.columns:
                continue
            if table.columns[col].is_date:
                out |= _date_strings(frame[col])
            else:
                out |= _text_strings(frame[col])
    return out


def _key(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in TOKEN.findall(text))


class IdentifierIndex:
    """The values as token-sequence keys grouped by length, built once, searched many times."""

    def __init__(self, values: Iterable[str], *, allow: Iterable[str] = (), min_length: int = MIN_LENGTH):
        allowed = {_key(a) for a in allow}
        self.keys: dict[tuple[str, ...], str] = {}
        for value in values:
            key = _key(str(value))
            if not key or sum(map(len, key)) < min_length or key in allowed:
                continue
            self.keys.setdefault(key, str(value))
        self.lengths = sorted({len(k) for k in self.keys})
        self._starts = {k[0] for k in self.keys}

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, text: str) -> list[tuple[str, int]]:
        """(value, character offset) of every occurrence, in text order.

        Only positions whose token starts some value are looked at further, so the pass over a
        large HTML file (with embedded images) stays cheap.
        """
        tokens = [(m.group().lower(), m.start()) for m in TOKEN.finditer(text)]
        words = [t for t, _ in tokens]
        starts = self._starts
        hits = []
        for i in [i for i, w in enumerate(words) if w in starts]:
            for n in self.lengths:
                key = tuple(words[i : i + n])
                if len(key) == n and key in self.keys:
                    hits.append((self.keys[key], tokens[i][1]))
        return hits


def assert_no_identifiers(
    text: str,
    values: Iterable[str] | IdentifierIndex,
    *,
    where: str = "output",
    allow: Iterable[str] = (),
    min_length: int = MIN_LENGTH,
) -> None:
    """Raise :class:`DisclosureError` if any sensitive value occurs in ``text``.

    Pass an :class:`IdentifierIndex` when checking many outputs against the same values.
    The message names the output, the offsets and the values (the build log is internal; the
    analyst needs to find and remove them).
    """
    index = values if isinstance(values, IdentifierIndex) else IdentifierIndex(values, allow=allow, min_length=min_length)
    hits = index.find(text)
    if hits:
        shown = ", ".join(f"{v!r} at {pos}" for v, pos in hits[:10])
        more = f" (and {len(hits) - 10} more)" if len(hits) > 10 else ""
        raise DisclosureError(f"{where}: {len(hits)} identifier(s) found: {shown}{more}", hits)
