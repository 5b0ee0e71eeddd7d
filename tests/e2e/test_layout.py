"""Issue 12 items 4 and 5: pages a committee would accept, a lean HTML, a data table for each chart.

Read from the session's shared builds (tests/e2e/conftest.py), no build of their own:

* **PDF pages** (pypdf text and the PDF outline typst writes from the headings): no page with
  fewer than 8 lines of text (a chart counting as 12) unless it is the last page of a chapter (or
  the cover); no heading as the last line of a page (a heading is kept with what follows it).
* **HTML**: the full internal report under 2.5 MB (charts as optimised PNG); every chart image is
  followed by its data in a ``<details>`` table.
* **Public provenance** is one paragraph: no SHA-256 hash is printed in the public report.
"""

from __future__ import annotations

import re

import pypdf
import pytest

from tests.e2e.conftest import needs_sample

pytestmark = needs_sample

MIN_LINES = 8
#: A chart is a raster image with no extractable text but fills about a third of a page: it counts
#: as this many lines (a page of two charts and their readings is full, not "7 lines of text").
LINES_PER_CHART = 12
MAX_HTML_BYTES = 2_500_000
#: The running head and foot typst prints on every page (report.typ): not the page's own text.
RUNNING = re.compile(r"OFFICIAL")


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every bookmark, in order."""
    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, " ".join(str(item.title).split()), reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return out


def _body_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip() and not RUNNING.search(line)]


def layout_problems(pdf_path) -> list[str]:
    reader = pypdf.PdfReader(pdf_path)
    outline = _outline(reader)
    assert outline, "the PDF has no outline (typst writes one from the headings)"
    pages = [_body_lines(page.extract_text()) for page in reader.pages]
    images = [len(page.images) for page in reader.pages]
    chapter_starts = sorted({page for level, _, page in outline if level == 1})
    chapter_last = {start - 1 for start in chapter_starts} | {len(pages) - 1}
    headings = {re.sub(r"^[\d.]+\s+", "", title) for _, title, _ in outline}
    problems = []
    for index, lines in enumerate(pages):
        if index == 0 or index in chapter_last:  # the cover; a chapter's last page
            continue
        if len(lines) + LINES_PER_CHART * images[index] < MIN_LINES:
            problems.append(f"page {index + 1}: {len(lines)} lines of text and {images[index]} chart(s)")
    for index, lines in enumerate(pages[:-1]):
        if lines:
            last = re.sub(r"^[\d.]+\s+", "", lines[-1])
            # a whole heading, or the end of one that wrapped onto a second line
            if last in headings or (len(last) > 15 and any(h.endswith(" " + last) for h in headings)):
                problems.append(f"page {index + 1} ends with the heading {lines[-1]!r}")
    return problems


@pytest.mark.parametrize("audience", ["internal", "public"])
def test_pdf_pages_are_full_and_headings_kept_with_what_follows(audience, request):
    built = request.getfixturevalue(f"{audience}_build")
    assert layout_problems(built.pdf_path) == []


def chart_table_problems(html: str) -> list[str]:
    """Each chart image (alt text "Line chart of …") must be followed by its data in <details>."""
    problems = []
    images = list(re.finditer(r'<img [^>]*alt="(Line chart of [^"]*)"', html))
    assert images, "no charts in the report"
    for match in images:
        after = html[match.end(): match.end() + 3000]
        table = re.search(r'<details class="chart-data">\s*<summary>[^<]+</summary>\s*<table', after)
        next_image = after.find("<img ")
        if not table or (0 <= next_image < table.start()):
            problems.append(match.group(1)[:80])
    return problems


def test_every_chart_has_its_data_beside_it(internal_build, public_build):
    for built in (internal_build, public_build):
        assert chart_table_problems(built.html) == []


def test_internal_html_is_lean(internal_build):
    size = internal_build.html_path.stat().st_size
    assert size < MAX_HTML_BYTES, f"{size:,} bytes"


def test_public_provenance_is_a_paragraph_not_a_list_of_hashes(public_build, internal_build):
    sha = re.compile(r"\b[0-9a-f]{64}\b")
    assert not sha.search(public_build.html_text) and not sha.search(public_build.pdf_text)
    assert "manifest" in public_build.html_text
    assert sha.search(internal_build.html_text)  # the internal appendix keeps the hashes
