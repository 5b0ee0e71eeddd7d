"""Issue 12 item 1: every count the executive summary states agrees with the report's own tables.

The public summary once said "32 measures show special-cause improvement" above a table listing
35, because the summary skipped the suppressed measures and the table did not. Here both reports
(the session's shared builds, tests/e2e/conftest.py) are parsed as HTML and each count in the
summary's bullets is checked against the tables a reader sees: the RAG table by pillar, the table
of signals, the table of consistently failing measures and the pillar scorecards. A withheld
measure is counted once, as withheld, and in no other count.

The expected figures are read from the report's tables, not from the code that writes the summary,
so a summary that drifts from its tables fails here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.e2e.conftest import needs_sample

pytestmark = needs_sample

#: The summary's names for the pillars (assess.narrative.PILLAR_NAMES) and the RAG table's rows.
PILLAR_ROWS = {
    "Leadership, management and governance": "Leadership",
    "Social work practice": "Practice",
    "Workforce": "Workforce",
    "Quality assurance and audit": "Quality",
}


class _Report(HTMLParser):
    """Sections by h2 title, each with its list items and its tables (rows of cell texts)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[dict] = []
        self._heading: list[str] | None = None
        self._item: list[str] | None = None
        self._item_depth = 0
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def _current(self) -> dict:
        if not self.sections:
            self.sections.append({"title": "", "items": [], "tables": []})
        return self.sections[-1]

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._heading = []
        elif tag == "li":
            self._item_depth += 1
            if self._item_depth == 1:
                self._item = []
        elif tag == "table":
            self._current()["tables"].append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h2" and self._heading is not None:
            title = re.sub(r"^[\d.]+\s+", "", " ".join("".join(self._heading).split()))
            self.sections.append({"title": title, "items": [], "tables": []})
            self._heading = None
        elif tag == "li":
            if self._item_depth == 1 and self._item is not None:
                self._current()["items"].append(" ".join("".join(self._item).split()))
                self._item = None
            self._item_depth -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._current()["tables"][-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        for part in (self._heading, self._item, self._cell):
            if part is not None:
                part.append(data)


def parse(html: str) -> _Report:
    report = _Report()
    report.feed(html)
    return report


def _section(report: _Report, title: str) -> dict:
    found = [s for s in report.sections if s["title"].startswith(title)]
    assert found, f"no section {title!r} in {[s['title'] for s in report.sections]}"
    return found[0]


def _records(table: list[list[str]]) -> list[dict]:
    header, *rows = table
    return [dict(zip(header, row)) for row in rows]


def _count(items: list[str], pattern: str) -> int:
    """The number a bullet states (0 when no bullet matches: the summary leaves zero counts out)."""
    hits = [m for m in (re.match(pattern, item) for item in items) if m]
    assert len(hits) <= 1, f"{pattern!r} matched {len(hits)} bullets"
    return int(hits[0].group(1)) if hits else 0


def _scorecards(report: _Report) -> list[dict]:
    rows = []
    for section in report.sections:
        if section["title"] == "Scorecard":
            for table in section["tables"]:
                rows.extend(_records(table))
    assert rows, "no scorecard rows found"
    return rows


def check_counts(html: str, *, public: bool) -> None:
    report = parse(html)
    items = _section(report, "Summary")["items"]
    assert items, "the summary has no bullets"
    assert not any(item.rstrip().endswith(":") for item in items), "a bullet ends in a colon with its items apart"
    scorecards = _scorecards(report)
    rag_rows = {r["Pillar"]: r for r in _records(_section(report, "Performance against target by pillar")["tables"][0])}
    signal_tables = _section(report, "Measures showing a signal of change")["tables"]
    signals = _records(signal_tables[0]) if signal_tables else []
    failing_tables = _section(report, "Measures consistently failing")["tables"]
    failing = _records(failing_tables[0]) if failing_tables else []

    # pillar sentences against the RAG table, row by row
    for name, row_name in PILLAR_ROWS.items():
        match = next((re.match(rf"{re.escape(name)}: (\d+) measures? rated against target — (\d+) Green, (\d+) Amber, "
                               r"(\d+) Red(?: \((\d+) other measures? not rated\))?\.", i) for i in items
                      if i.startswith(name + ":")), None)
        assert match, f"no RAG sentence for {name}"
        rated, green, amber, red, other = (int(g or 0) for g in match.groups())
        row = rag_rows[row_name]
        assert (green, amber, red) == (int(row["Green ✔"]), int(row["Amber ▲"]), int(row["Red ✖"])), name
        assert rated == green + amber + red
        assert other == int(row["No target"]), name
        withheld = int(row.get("Withheld [c]", 0))
        assert rated + other + withheld == int(row["Measures"]), name

    # signals: the summary's counts, the signal table and the scorecards agree
    for word, pattern in (
        ("improvement", r"(\d+) measures? shows? special-cause improvement"),
        ("concern", r"(\d+) measures? shows? special-cause concern"),
        ("neutral", r"(\d+) context measures? shows? special-cause variation"),
    ):
        stated = _count(items, pattern)
        in_table = sum(r["SPC variation"] == f"Special cause: {word}" for r in signals)
        in_scorecards = sum(r["SPC variation"] == f"Special cause: {word}" for r in scorecards)
        assert stated == in_table == in_scorecards, (word, stated, in_table, in_scorecards)

    stated = _count(items, r"(\d+) measures? will not meet")
    assert stated == len(failing) == sum(r["Assurance"] == "Consistently failing" for r in scorecards)
    stated = _count(items, r"(\d+) measures? consistently meets?")
    assert stated == sum(r["Assurance"] == "Consistently passing" for r in scorecards)

    # withheld: one count, the same in the summary, the RAG table and the scorecards; nowhere else
    stated = _count(items, r"(\d+) measures? withheld: small numbers")
    withheld_rows = [r for r in scorecards if r["Latest (n/d)"] == "[c]"]
    assert stated == len(withheld_rows) == sum(int(r.get("Withheld [c]", 0)) for r in rag_rows.values())
    for row in withheld_rows:  # no rating beside a withheld value
        assert {row["RAG"], row["Direction"], row["SPC variation"], row["Assurance"]} == {"[c]"}, row["Measure"]
    assert not any(r["Latest (n/d)"] == "[c]" for r in signals + failing)
    if public:
        assert stated > 0, "the sample's public report withholds some measures (L07b, Q06, W06 among them)"
    else:
        assert stated == 0


def test_internal_summary_counts_match_its_tables(internal_build):
    check_counts(internal_build.html, public=False)


def test_public_summary_counts_match_its_tables(public_build):
    check_counts(public_build.html, public=True)
