"""What the rendered report says matches what was computed (issues 4 and 5).

Reads the two session builds of the committed sample (tests/e2e/conftest.py): the PDF's text
(pypdf) and the HTML's visible text against the build's own metrics.csv (the assessed table the
notebooks read).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from torbayreport.metrics import REGISTRY

from .conftest import MONTH, needs_sample

pytestmark = needs_sample

# The report's words for the assessed table's codes. Written out here (not taken from the
# package's label helpers) so the test states independently what a reader must see.
# Issue 12: the reading gives RAG and assurance in one plain sentence (assess.narrative.reading_sentence),
# then "Since last month: <direction>; SPC variation: <words>."
RAG_WORDS = {"Green": "Met the target", "Amber": "Narrowly missed the target", "Red": "Missed the target"}
DIRECTION_WORDS = {"improved": "improved", "worsened": "worsened", "no change": "no change",
                   "higher": "higher", "lower": "lower"}
VARIATION_WORDS = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral": "Special cause: neutral",
}
ASSURANCE_WORDS = {"consistent_pass": "can be expected to be met", "inconsistent": "spans the target",
                   "consistent_fail": "without a change to the way the work is done"}


def folded(text: str) -> str:
    """Whitespace folded to single spaces (PDF text breaks lines inside titles) and typographic
    apostrophes made plain (pandoc's smart quotes turn Child's into Child’s)."""
    return " ".join(text.replace("\u2019", "'").split())


def latest_rows(built) -> pd.DataFrame:
    metrics = pd.read_csv(built.stage_dir / "metrics.csv", dtype={"kpi_id": str, "month": str})
    return metrics[metrics["month"] == MONTH].set_index("kpi_id")


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_pdf_carries_every_kpi_title_of_the_catalogue(audience, request):
    built = request.getfixturevalue(f"{audience}_build")
    text = folded(built.pdf_text)
    missing = [f"{k.id} {k.title}" for k in REGISTRY.values() if k.title not in text]
    assert not missing, f"KPI titles missing from the {audience} PDF: {missing}"


def test_pdf_shows_the_months_values_as_metrics_csv_holds_them(internal_build):
    """For several KPIs of different units, the value in metrics.csv, formatted as the report formats
    it (percent to 1 dp with %, ratio to 1 dp, count as a whole number), is on the KPI's page."""
    rows = latest_rows(internal_build)
    text = folded(internal_build.pdf_text)
    for kpi_id, unit_format in (("P04", "{:.1f}%"), ("L01", "{:.1f}"), ("W01", "{:.1f}%"),
                                ("Q01", "{:.1f}%"), ("P26", "{:.0f}")):
        value = float(rows.loc[kpi_id, "value"])
        shown = unit_format.format(value)
        # the reading line under the KPI's chart: "December 2020: <value> ..."
        assert f"December 2020: {shown}" in text, (kpi_id, shown)


def _reading(text: str, kpi_id: str) -> str:
    """The reading 'December 2020: … SPC variation: ….' (or '… withheld. ….' for a withheld
    measure) that follows the KPI's own section heading."""
    title = REGISTRY[kpi_id].title
    heading = re.search(rf"\b{re.escape(kpi_id)} {re.escape(title)} \(plan ref", text)
    assert heading, f"no section heading for {kpi_id}"
    match = re.search(r"December 2020: (withheld\. [^.]*\.|.*?SPC variation: [^.]*\.)", text[heading.end():])
    assert match, f"no reading line after the {kpi_id} heading"
    return match.group(0)


@pytest.mark.parametrize("kpi_id", ["L01", "P13", "W01", "Q06"])  # one KPI of each pillar
@pytest.mark.parametrize("audience", ["internal", "public"])
def test_rag_direction_and_spc_words_match_the_assessed_table(audience, kpi_id, request):
    built = request.getfixturevalue(f"{audience}_build")
    row = latest_rows(built).loc[kpi_id]
    for text in (built.html_text, folded(built.pdf_text)):
        reading = _reading(text, kpi_id)
        if str(row.get("value_suppressed")) == "True":  # withheld: no rating of any kind beside it
            assert reading.startswith("December 2020: withheld."), reading
            assert not any(w in reading for w in (*RAG_WORDS.values(), "SPC variation")), reading
            continue
        if pd.notna(row["rag"]):
            assert RAG_WORDS[row["rag"]] in reading, reading
        if pd.notna(row["direction"]):
            assert DIRECTION_WORDS[row["direction"]] in reading.split("Since last month", 1)[1], reading
        if pd.notna(row["point_type"]):
            assert f"SPC variation: {VARIATION_WORDS[row['point_type']]}" in reading, reading
        if pd.notna(row["assurance"]):
            assert ASSURANCE_WORDS[row["assurance"]] in reading, reading


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_html_declares_en_gb_and_every_figure_has_alt_text(audience, request):
    built = request.getfixturevalue(f"{audience}_build")
    assert re.search(r'<html[^>]*\blang="en-GB"', built.html)
    images = re.findall(r"<img\b[^>]*>", built.html, flags=re.S)
    assert images, "the report has no figures"
    for img in images:
        alt = re.search(r'\balt="([^"]*)"', img)
        assert alt and alt.group(1).strip(), img[:200]
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?://""", built.html, re.I)


def test_internal_pages_are_marked_official_sensitive_and_have_page_numbers(internal_build):
    pages = internal_build.pdf_pages
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    assert re.search(r"Page 2 of \d+", pages[1])
    first = folded(pages[0])
    assert "Torbay" in first and "December 2020" in first and "Improvement Board" in first
    assert "Contents" in folded(pages[1])


def test_commentary_comes_from_the_month_params_and_absence_is_stated(internal_build):
    text = folded(internal_build.pdf_text)
    # params/2020-12.yaml has commentary for L01; none for L02
    assert "Analyst's commentary: Average caseloads fell again this month." in text
    assert "No commentary this month for:" in text  # issue 12: missing commentary listed once per pillar
