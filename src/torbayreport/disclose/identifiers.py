"""Identifier leak guard: no child or worker identifier may appear in a public output.

What is sensitive comes from the canonical schema (columns flagged ``sensitive: true``: child,
young person, worker and auditor ids, worker names, postcodes, dates of birth). Issue 11 showed
that exact spellings are not enough -- ``C-000001``, ``Cox, Ruth``, ``R. Cox``, ``18th June 2013``
all went through -- and that a naive date search refuses clean reports. So each kind of value
is matched in its own normalised form:

* **codes** (ids, postcodes): letters and digits only, case-folded: ``C-000001``, ``C 000001``,
  ``c000001`` and ``C000001`` are one key, as are ``TQ1 1AA`` and ``tq11aa``. In the text a code
  may be split by short separators (space, ``-``, ``_``, ``.``, ``/``); the tokens either side
  are joined while they remain a prefix of some code (a prefix set makes that one lookup per
  token). A code must match whole tokens: ``C0001234`` does not contain ``C000123``.
* **names** (``worker_name``): "Forename Surname", "Surname, Forename", "F. Surname", "F Surname"
  and "Surname, F." (first and last name; accents folded; punctuation and line breaks ignored).
* **dates of birth**: every date written in the text in a common form (18/06/2013, 18-06-2013,
  18.06.2013, 18/6/13, 2013-06-18, 20130618, 18 June 2013, 18th June 2013, 18 Jun 2013,
  June 18, 2013, ...) is parsed, and it is a leak only if it is someone's date of birth **and**
  the text ties it to a person: a birth word ("born", "birth", "DOB", "d.o.b.") or another
  identifier in the same field/sentence within :data:`CONTEXT` characters. An analyst's own
  date ("the audit on 18/06/2013") never refuses a build. Dates on the ``allow`` list (dates the
  report prints for its own reasons: :func:`report_dates`) need a birth word.

Fields: a NUL character (``\\x00``) in the text is a hard field boundary -- no match or context
crosses it. :mod:`torbayreport.disclose.guard` joins CSV cells and JSON strings with it, so a lead
ending ``=2+5`` next to a 2019 date is never read as 2/5/2019.

False positives: a code or name shorter than ``min_length`` (default 4) letters/digits is skipped:
1-3 character ids ("7", "A12") are indistinguishable from the counts and page numbers every report
prints. Cost: one regex split of the text, one set lookup per token, one regex pass for dates.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

import pandas as pd

from torbayreport.disclose.cells import DisclosureError
from torbayreport.io.schema import SCHEMA

MIN_LENGTH = 4
CONTEXT = 80  # characters either side of a date searched for what ties it to a person
FIELD = "\x00"  # a hard boundary between fields (CSV cells, JSON strings)
#: the ways a report could print a date (used by :func:`sensitive_values` and :func:`date_forms`)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "{day}/{month}/%Y", "{day} %B %Y", "%d %B %Y", "{day} %b %Y")
_POSTCODE = re.compile(r"^\s*([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\s*$")
_SPLIT = re.compile(r"([^\W_]+)")
_SPLIT_ASCII = re.compile(r"([0-9a-z]+)")  # the same on folded ASCII text, and faster
#: what may split a code in the text: blanks, hyphens and dashes, underscore, dot, slash, and the
#: invisible characters (soft hyphen, zero-width space/joiners, word joiner, BOM) that hide a split
_SEPARATOR = re.compile(r"[ \-_./\u00a0\u2010-\u2015\u00ad\u200b-\u200d\u2060\ufeff]{1,3}")

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![\w.\-/])(?:"
    rf"(?P<a_d>\d{{1,2}}){_ORD}(?:\s+of)?[\s\-]{{1,3}}(?P<a_m>{_MON})\.?,?[\s\-]{{1,3}}(?P<a_y>\d{{4}})"
    rf"|(?P<b_m>{_MON})\.?[\s\-]{{1,3}}(?P<b_d>\d{{1,2}}){_ORD},?[\s\-]{{1,3}}(?P<b_y>\d{{4}})"
    r"|(?P<c_d>\d{1,2})(?P<c_s>[/.\-])(?P<c_m>\d{1,2})(?P=c_s)(?P<c_y>\d{4}|\d{2})"
    r"|(?P<d_y>\d{4})(?P<d_s>[/.\-])(?P<d_m>\d{1,2})(?P=d_s)(?P<d_d>\d{1,2})"
    r"|(?P<e>\d{8})"
    r")(?![\w]|[/.\-]\d)"
)
_BIRTH = re.compile(r"(?<![a-z])(?:born|birth[a-z]*|dob|d\.o\.b)(?![a-z])")  # also "date_of_birth"
_BOUNDARY = re.compile(r"\x00|\n[ \t]*\n|(?<=[a-z0-9]{2})[.!?](?=\s)")  # not "R. Cox", "d.o.b. "


def _fold(text: str) -> str:
    """Lower-case, accents removed (NFKD), so "Zoë" and "ZOE" compare equal. ASCII text is cheap."""
    text = text.lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _ordinal(y: int, m: int, d: int) -> int | None:
    if not (1 <= m <= 12 and 1 <= d <= 31 and 1000 <= y <= 2999):
        return None
    try:
        return date(y, m, d).toordinal()
    except ValueError:
        return None


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:  # 18/06/13: this century unless that is in the future
        y += 2000 if y <= date.today().year % 100 else 1900
    return y


def _match_dates(m: re.Match) -> list[int]:
    """The date(s) a match can mean, as ordinals (a compact 8-digit run may be yyyymmdd or ddmmyyyy)."""
    g = m.groupdict()
    if g["a_d"]:
        out = [_ordinal(int(g["a_y"]), _MONTHS[g["a_m"]], int(g["a_d"]))]
    elif g["b_d"]:
        out = [_ordinal(int(g["b_y"]), _MONTHS[g["b_m"]], int(g["b_d"]))]
    elif g["c_d"]:
        d, mo, y = int(g["c_d"]), int(g["c_m"]), _year(g["c_y"])
        out = [_ordinal(y, mo, d)] + ([_ordinal(y, d, mo)] if mo > 12 else [])  # unambiguous US order
    elif g["d_y"]:
        out = [_ordinal(int(g["d_y"]), int(g["d_m"]), int(g["d_d"]))]
    else:
        e = g["e"]
        out = [_ordinal(int(e[:4]), int(e[4:6]), int(e[6:])), _ordinal(int(e[4:]), int(e[2:4]), int(e[:2]))]
    return [o for o in out if o is not None]


def parse_date(text: str) -> date | None:
    """``text`` as a date if the whole of it is one written date this module recognises, else None."""
    m = _DATE.fullmatch(_fold(str(text).strip()))
    found = _match_dates(m) if m else []
    return date.fromordinal(found[0]) if found else None


# ----------------------------------------------------------------------------- sensitive values

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
    """Every printed form (:data:`DATE_FORMATS`) of ``dates`` -- e.g. for an ``allow`` list."""
    return _date_strings(pd.Series(list(dates), dtype="object"))


def report_dates(*, as_at=None, window: tuple | None = None, other_dates: Iterable = ()) -> set[str]:
    """Dates a report prints for reasons of its own -- the ``allow`` list of the identifier guard.

    That is: the as-at date, today's (build) date, ``other_dates`` (plan due dates), each month end
    of ``window`` (``(first_month, last_month)``) and every day inside the window (the report
    prints "<Month> <Year>" after numbers: "overdue 3 / December 2020"). A date of birth equal to
    one of these is still a leak where the text says "born"/"DOB" next to it.
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


def _sensitive_columns(tables: Mapping[str, pd.DataFrame]):
    for name, frame in tables.items():
        if name not in SCHEMA.tables:
            raise KeyError(f"table {name!r} is not in the canonical schema; cannot tell which columns are sensitive")
        table = SCHEMA[name]
        for col in table.sensitive_columns:
            if col in frame.columns:
                yield table.columns[col], col, frame[col]


def sensitive_values(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """Every value of every ``sensitive: true`` column (per SCHEMA) of ``tables``, as printable strings.

    Dates are written in every :data:`DATE_FORMATS` form. Tables or columns not present are skipped;
    a table name not in the schema is an error (silently skipping it could hide a leak).
    """
    out: set[str] = set()
    for column, _, values in _sensitive_columns(tables):
        out |= _date_strings(values) if column.is_date else _text_strings(values)
    return out


@dataclass
class Sensitive:
    """The sensitive values of the input, by kind (what :class:`IdentifierIndex` needs)."""

    codes: set = field(default_factory=set)   # ids and postcodes, as given
    names: set = field(default_factory=set)   # people's names, as given
    dates: set = field(default_factory=set)   # dates of birth (datetime.date)


def sensitive_identifiers(tables: Mapping[str, pd.DataFrame]) -> Sensitive:
    """:func:`sensitive_values` sorted by kind: dates of birth as dates, names (``*name*`` columns), codes."""
    out = Sensitive()
    for column, col, values in _sensitive_columns(tables):
        if column.is_date:
            out.dates |= {d.date() for d in pd.to_datetime(values.dropna()).unique()}
        else:
            unique = {str(v).strip() for v in values.dropna().unique().tolist()} - {""}
            if "name" in col:
                out.names |= unique
            else:
                out.codes |= unique
    return out


# ----------------------------------------------------------------------------- the index

def _code_key(value: str) -> str:
    """Letters and digits only, case and accents folded: "C-000001" -> "c000001"."""
    low = value.lower()
    if low.isascii() and low.isalnum():
        return low  # the common case, without a regex
    return "".join(_SPLIT.findall(_fold(value)))


def _name_keys(value: str) -> list[tuple[str, ...]]:
    words = tuple(_SPLIT.findall(_fold(value)))
    if len(words) < 2:
        return [words] if words else []
    first, last = words[0], words[-1]
    return list(dict.fromkeys([words, (first, last), (last, first), (first[0], last), (last, first[0])]))


_NAME_LIKE = re.compile(r"[^\W\d_]+(?:[\s.,'\-]+[^\W\d_]+)+\.?")


def _classify(values: Iterable[str]) -> Sensitive:
    """Strings of unknown kind (the :func:`sensitive_values` form): a date, a name (words only) or a code."""
    out = Sensitive()
    for value in values:
        value = str(value).strip()
        if value.isascii() and value.isalnum() and not (len(value) == 8 and value.isdigit()):
            out.codes.add(value)  # fast path: one run of letters/digits is a code (or a one-word name)
            continue
        d = parse_date(value)
        if d is not None:
            out.dates.add(d)
        elif _NAME_LIKE.fullmatch(value):
            out.names.add(value)
        else:
            out.codes.add(value)
    return out


class IdentifierIndex:
    """Normalised codes, names and dates of birth, built once and searched in many texts.

    ``values``: strings of any kind (:func:`sensitive_values`), classified by :func:`_classify`;
    or pass a :class:`Sensitive` (from :func:`sensitive_identifiers`). ``allow``: strings the
    report may print (dates in any written form, or codes/names) -- see the module docstring.
    """

    def __init__(self, values: Iterable[str] | Sensitive = (), *, allow: Iterable[str] = (),
                 min_length: int = MIN_LENGTH):
        given = values if isinstance(values, Sensitive) else _classify(values)
        allowed = _classify(allow)
        allowed_codes = {_code_key(a) for a in allowed.codes}
        allowed_names = {k for a in allowed.names for k in _name_keys(a)}
        self.allowed_dates = {d.toordinal() for d in allowed.dates}

        self.codes: dict[str, str] = {}
        for value in sorted(given.codes):
            key = _code_key(value)
            if len(key) >= min_length and key not in allowed_codes:
                self.codes.setdefault(key, value)
        self.max_code = max(map(len, self.codes), default=0)
        self.prefixes: set[str] = set()
        for i in range(1, self.max_code):
            self.prefixes.update([k[:i] for k in self.codes if len(k) > i])

        self.names: dict[tuple[str, ...], str] = {}
        for value in sorted(given.names):
            for key in _name_keys(value):
                if sum(map(len, key)) >= min_length and key not in allowed_names:
                    self.names.setdefault(key, value)
        self.name_lengths = sorted({len(k) for k in self.names})
        self.name_starts = {k[0] for k in self.names}

        self.dates = {d.toordinal() if isinstance(d, date) else pd.Timestamp(d).toordinal() for d in given.dates}
        years = {date.fromordinal(o).year for o in self.dates}
        self.years = {str(y) for y in years} | {f"{y % 100:02d}" for y in years}  # a cheap first filter
        self.candidates = self.prefixes | set(self.codes) | self.name_starts
        self.size = len(set(self.codes.values()) | set(self.names.values())) + len(self.dates)

    def __len__(self) -> int:
        """How many distinct identifiers (codes, names, dates of birth) are searched for."""
        return self.size

    def _tokens(self, text: str):
        parts = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)
        return parts[1::2], parts[0::2]  # tokens; gaps[i] is the text before token i

    def find(self, text: str) -> list[tuple[str, int]]:
        """(value, character offset) of every identifier in ``text``, in text order.

        Dates of birth are reported as "date of birth YYYY-MM-DD". Offsets are into ``text``
        (approximate where accents were folded).
        """
        folded = _fold(text)
        words, gaps = self._tokens(folded)
        found: list[tuple[int, str]] = []  # (token index, value); offsets only computed for hits
        prefixes, codes, starts = self.prefixes, self.codes, self.name_starts
        candidates = self.candidates
        for i in [i for i, w in enumerate(words) if w in candidates]:
            w = words[i]
            if w in codes:
                found.append((i, codes[w]))
            key, j = w, i
            while key in prefixes and j + 1 < len(words) and _SEPARATOR.fullmatch(gaps[j + 1]):
                j += 1
                key += words[j]
                if len(key) > self.max_code:
                    break
                if key in codes:
                    found.append((i, codes[key]))
            if w in starts:
                for n in self.name_lengths:
                    gram = tuple(words[i:i + n])
                    if len(gram) == n and gram in self.names and not any(FIELD in g for g in gaps[i + 1:i + n]):
                        found.append((i, self.names[gram]))
        hits: list[tuple[str, int]] = []
        if found:
            offsets = self._offsets(words, gaps)
            hits = [(value, offsets[i]) for i, value in found]
        if self.dates:
            hits += self._dates_of_birth(folded, [pos for _, pos in hits])
        return sorted(hits, key=lambda h: h[1])

    @staticmethod
    def _offsets(words, gaps) -> list[int]:
        out, pos = [], 0
        for w, g in zip(words, gaps):
            pos += len(g)
            out.append(pos)
            pos += len(w)
        return out

    def _dates_of_birth(self, folded: str, identifier_positions: list[int]) -> list[tuple[str, int]]:
        hits = []
        positions = sorted(identifier_positions)
        years = self.years
        for m in _DATE.finditer(folded):
            g = m.group()
            if g[-4:] not in years and g[:4] not in years and g[-2:] not in years:
                continue  # no date of birth has this year: skip the parse
            dob = [o for o in _match_dates(m) if o in self.dates]
            if not dob:
                continue
            start, end = m.start(), m.end()
            left = folded[max(0, start - CONTEXT):start]
            cut = [b.end() for b in _BOUNDARY.finditer(left)]
            lo = start - len(left) + (cut[-1] if cut else 0)
            right = folded[end:end + CONTEXT]
            stop = _BOUNDARY.search(right)
            hi = end + (stop.start() if stop else len(right))
            context = folded[lo:start] + " " + folded[end:hi]
            tied = bool(_BIRTH.search(context))
            if not tied and not any(o in self.allowed_dates for o in dob):
                k = bisect.bisect_left(positions, lo)
                tied = k < len(positions) and positions[k] <= hi
            if tied:
                hits.append((f"date of birth {date.fromordinal(dob[0]).isoformat()}", start))
        return hits


def assert_no_identifiers(
    text: str,
    values: Iterable[str] | Sensitive | IdentifierIndex,
    *,
    where: str = "output",
    allow: Iterable[str] = (),
    min_length: int = MIN_LENGTH,
) -> None:
    """Raise :class:`DisclosureError` if any sensitive value occurs in ``text``.

    Pass an :class:`IdentifierIndex` when checking many outputs against the same values. The
    message names the output, the offsets and the values (the build log is internal; the analyst
    needs to find and remove them).
    """
    index = values if isinstance(values, IdentifierIndex) else IdentifierIndex(values, allow=allow, min_length=min_length)
    hits = index.find(text)
    if hits:
        shown = ", ".join(f"{v!r} at {pos}" for v, pos in hits[:10])
        more = f" (and {len(hits) - 10} more)" if len(hits) > 10 else ""
        raise DisclosureError(f"{where}: {len(hits)} identifier(s) found: {shown}{more}", hits)
