"""Audiences and disclosure control, end to end (issue 6).

The public build of a synthetic month must carry no child id, worker id, worker name, date of
birth or postcode present in the input data — in the HTML, the PDF's text, the executed
notebooks, metrics.csv or manifest.json — and every count from 1 to 5 must be shown as [c].
The same search over the internal build must find the exception lists' ids, which shows the
search itself works.

The search here is deliberately simple and independent of the package's own identifier guard:
plain substring search for ids, names and postcodes; dates of birth in the three forms a report
prints dates (ISO, dd/mm/yyyy, "3 March 2012").
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from torbayreport.metrics import REGISTRY

from .conftest import MONTH, SAMPLE, needs_sample

pytestmark = needs_sample


def _csv(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False, **kwargs)


@pytest.fixture(scope="module")
def identifiers() -> dict[str, set[str]]:
    """The identifying values present in the input data, read straight from the sample CSVs."""
    child_ids = set(_csv("children")["child_id"])
    staff = _csv("staff")
    worker_ids = set(staff["worker_id"]) | set(_csv("audits")["auditor_id"])
    names = {n for n in staff["worker_name"] if n}
    postcodes = {p for p in _csv("placements")["postcode"] if p}
    dob = pd.to_datetime(_csv("children")["date_of_birth"].replace("", None)).dropna()
    # Dates the report prints for reasons of its own (month ends of the window, the as-at date,
    # plan due dates, today's build date): a child born on one of them is not a leak.
    month_ends = set(pd.period_range("2018-01", MONTH, freq="M").to_timestamp(how="end").normalize())
    plan_due = set(pd.to_datetime(_csv("plan_actions")["due_date"].replace("", None)).dropna())
    as_at = {pd.Timestamp("2021-01-08"), pd.Timestamp.today().normalize()}
    dob = dob[~dob.isin(month_ends | plan_due | as_at)]
    dates = set(dob.dt.strftime("%Y-%m-%d")) | set(dob.dt.strftime("%d/%m/%Y"))
    dates |= {f"{d.day} {d:%B %Y}" for d in dob}
    return {"child id": child_ids, "worker id": worker_ids, "worker name": names,
            "postcode": postcodes, "date of birth": dates}


def _texts(built) -> dict[str, str]:
    """Every public output as searchable text (embedded PNG data removed from notebooks and HTML)."""
    texts = {"html": re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", built.html),
             "pdf": built.pdf_text,
             "metrics.csv": (built.stage_dir / "metrics.csv").read_text(encoding="utf-8"),
             "manifest.json": (built.stage_dir / "manifest.json").read_text(encoding="utf-8")}
    for path in sorted((built.stage_dir / "executed").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                for mime in [m for m in output.get("data", {}) if m.startswith("image/")]:
                    output["data"][mime] = ""
        texts[path.name] = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", json.dumps(notebook))
    return texts


#: The shapes of the dates of birth searched for (the three forms above). Each is matched at every
#: position of a text (a zero-width lookahead, so overlapping occurrences count too), and each
#: matches at most one string at a given position (every variable-length part is ended by a
#: character it cannot contain, and the last part has a fixed length). So for a value of one of
#: these shapes, "value in text" is exactly "value is among the shape's matches": one pass over the
#: text per shape instead of one substring search per date (18,000 dates over a 2 MB HTML took
#: over a minute).
SHAPES = [re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{2}/\d{2}/\d{4}"), re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")]


def _shape(value: str) -> int | None:
    return next((i for i, shape in enumerate(SHAPES) if shape.fullmatch(value)), None)


def _hits(texts: dict[str, str], identifiers: dict[str, set[str]]) -> list[str]:
    found = []
    shapes = {value: _shape(value) for values in identifiers.values() for value in values}
    for where, text in texts.items():
        words = set(re.findall(r"[A-Za-z0-9]+", text))
        at_any = [set(re.findall(f"(?=({shape.pattern}))", text)) for shape in SHAPES]
        for kind, values in identifiers.items():
            for value in values:
                # ids are whole tokens (C000123); names, postcodes and dates are phrases
                if re.fullmatch(r"[A-Za-z0-9]+", value):
                    hit = value in words
                elif shapes[value] is not None:
                    hit = value in at_any[shapes[value]]  # the same as `value in text`, see SHAPES
                else:
                    hit = value in text
                if hit:
                    found.append(f"{where}: {kind} {value!r}")
    return found


def test_the_shaped_search_finds_what_a_substring_search_finds():
    """Known answers for SHAPES: dates inside longer runs, overlapping and at the edges are found;
    near misses are not (each checked against Python's own substring search)."""
    text = "x2013-06-1899 and 12013-06-2013-06-19 | 118/06/20135 | 21 June 20130 and 3 June 201 | 4 May 2012x"
    values = {"2013-06-18", "2013-06-20", "2013-06-19", "18/06/2013", "8/06/2013", "21 June 2013",
              "1 June 2013", "3 June 2013", "4 May 2012", "4 May 2013", "13-06-18"}
    expected = sorted(f"t: date of birth {v!r}" for v in values if v in text)
    # by hand: 2013-06-18 (inside 1899), 2013-06-20 and 2013-06-19 (overlapping), 18/06/2013 and
    # 8/06/2013 (inside 118/06/20135), 21 June 2013 and 1 June 2013 (overlapping, inside 20130),
    # 4 May 2012 (before an x), 13-06-18 (no shape: searched as a substring); not 3 June 2013, 4 May 2013
    assert sorted(v for v in values if v in text) == sorted(["2013-06-18", "2013-06-20", "2013-06-19", "18/06/2013",
                                                             "8/06/2013", "21 June 2013", "1 June 2013", "4 May 2012",
                                                             "13-06-18"])
    assert sorted(_hits({"t": text}, {"date of birth": values})) == expected


def test_public_build_carries_no_identifier_from_the_input(public_build, identifiers):
    assert sum(len(v) for v in identifiers.values()) > 1000  # the search has something to find
    texts = _texts(public_build)
    assert {"html", "pdf", "metrics.csv", "manifest.json", "summary.ipynb", "practice.ipynb"} <= set(texts)
    leaks = _hits(texts, identifiers)
    assert not leaks, f"{len(leaks)} identifiers in public outputs, e.g. {leaks[:10]}"


def test_the_same_search_finds_the_exception_lists_ids_in_the_internal_build(internal_build, identifiers):
    exceptions = sorted((internal_build.stage_dir / "exceptions").glob("*.csv"))
    assert exceptions, "the internal build wrote no exception lists"
    listed = set()
    for path in exceptions:
        frame = pd.read_csv(path, dtype=str)
        for column in [c for c in frame.columns if "child" in c.lower() or "worker" in c.lower()]:
            listed |= set(frame[column].dropna()) & (identifiers["child id"] | identifiers["worker id"])
    assert listed, "no child or worker ids in the exception lists"
    hits = _hits({"html": internal_build.html, "pdf": internal_build.pdf_text}, identifiers)
    found = {h.split("'")[1] for h in hits}
    assert listed & found, "the search did not find the exception lists' ids in the internal report"


def test_public_metrics_show_small_counts_as_c(public_build, internal_build):
    """Every numerator or denominator from 1 to 5 (a count of children or events) is [c] in the public
    metrics, and the scorecard row for that KPI in the rendered report shows [c], not the number."""
    internal = pd.read_csv(internal_build.stage_dir / "metrics.csv", dtype={"kpi_id": str, "month": str})
    public = pd.read_csv(public_build.stage_dir / "metrics.csv", dtype={"kpi_id": str, "month": str})
    public = public.set_index(["kpi_id", "month"])
    counted = [k.id for k in REGISTRY.values() if "fte" not in k.grain.lower()]
    small = []
    for field in ("numerator", "denominator"):
        rows = internal[internal["kpi_id"].isin(counted) & internal[field].between(1, 5)]
        for _, row in rows.iterrows():
            shown = public.loc[(row["kpi_id"], row["month"]), f"{field}_display"]
            assert shown == "[c]", (row["kpi_id"], row["month"], field, row[field], shown)
            small.append((row["kpi_id"], row["month"], field))
    assert small, "the sample has no small counts, so this test shows nothing"

    latest = [(k, m) for k, m, _ in small if m == MONTH]
    assert latest, "no small count in the report month"
    html = public_build.html
    for kpi_id, _ in latest:
        title = REGISTRY[kpi_id].title
        row = re.search(rf"<tr>\s*<td[^>]*>{re.escape(kpi_id)} .*?</tr>", html, flags=re.S)
        assert row, f"no scorecard row for {kpi_id} ({title})"
        cells = " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())
        assert "[c]" in cells, cells
        internal_row = internal[(internal["kpi_id"] == kpi_id) & (internal["month"] == MONTH)].iloc[0]
        n, d = internal_row["numerator"], internal_row["denominator"]
        if pd.notna(d):
            assert f"({n:,.0f}/{d:,.0f})" not in cells, cells


def test_public_report_has_the_symbol_key_and_no_exceptions_chapter(public_build):
    text = " ".join(public_build.pdf_text.split())
    assert "[c]" in text and "confidential" in text.lower()
    assert "Exceptions and team drill-down" not in text
    assert not (public_build.stage_dir / "exceptions").exists()
