"""Cover and front matter from params (issue 12, item 4 framing): council name, committee, meeting,
author, contact, purpose and recommendations per audience, all printed as plain text.

Expected values are the literals of the context/manifest dicts below and of params/defaults.yaml
and params/2020-12.yaml (the demo values), not output of the code under test.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.render.test_render import executed_notebook, write
from torbayreport import config
from torbayreport.publish.meta import report_meta
from torbayreport.publish.render import render_report

MANIFEST = {"audience": "public", "month": "2020-12", "build_id": "2020-12-pub-abc123",
            "built_at": "2021-01-07T09:05:00+00:00"}


def context(**front):
    return {"title": "Performance report", "la": {"name": "Torbay", "slug": "torbay"}, "as_at": "2021-01-08",
            "params": {"front_matter": {"council": "Torbay Council", "author": "Performance Team",
                                        "contact": "perf@example.org", **front}}}


MEETINGS = {"public": {"date": "2021-02-03", "item": "Item 7", "purpose": "To inform the  Board.",
                       "recommendations": ["Consider the report.", "Note <b>this</b> & *that*."]},
            "internal": {"date": "2021-01-21", "recommendations": ["Internal only."]}}


def test_meta_takes_the_council_name_the_audience_meeting_and_the_committee_from_one_place_each():
    meta = report_meta(context(meetings=MEETINGS), MANIFEST)
    assert meta.council == "Torbay Council"                 # not la.name
    assert meta.committee == config.audience("public").label
    assert (meta.meeting_date, meta.agenda_item) == ("3 February 2021", "Item 7")
    assert meta.purpose == "To inform the Board."           # YAML folded text: one line
    assert meta.recommendations == ["Consider the report.", "Note <b>this</b> & *that*."]
    assert meta.built_at == "7 January 2021 09:05 UTC" and meta.as_at == "8 January 2021"


def test_without_front_matter_the_cover_falls_back_to_la_name_and_leaves_lines_out():
    meta = report_meta({"title": "T", "la": {"name": "Torbay", "slug": "torbay"}, "as_at": None}, MANIFEST)
    assert meta.council == "Torbay" and meta.meeting_date == "" and meta.recommendations == []
    assert meta.as_at == "not recorded"


def test_demo_params_give_each_audience_its_own_meeting_and_the_summary_addresses_no_board():
    params = config.load_params(None, "2020-12")
    meetings = params.front_matter.meetings
    assert str(meetings["internal"].date) == "2021-01-21" and str(meetings["public"].date) == "2021-02-03"
    assert meetings["internal"].recommendations != meetings["public"].recommendations
    assert "Improvement Board" not in (params.summary or "")
    assert "Improvement Board" not in " ".join(meetings["public"].recommendations + [meetings["public"].purpose])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("cover")
    chapter = write(executed_notebook("Summary"), root / "summary.ipynb")
    hostile = context(meetings=MEETINGS, council="Torbay Council <script>alert(1)</script>")
    meta = report_meta(hostile, MANIFEST)
    return render_report({"summary": chapter}, root / "out", "cover", meta, renderer="pandoc")


def test_html_cover_shows_the_front_matter_as_inert_text(rendered):
    html = rendered.html.read_text(encoding="utf-8")
    cover = html[html.index('<header class="cover">'):html.index('<nav id="TOC"')]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in cover
    for text in ("Overview and Scrutiny Board", "3 February 2021", "Item 7", "Performance Team",
                 "perf@example.org", "To inform the Board.", "Consider the report."):
        assert text in cover, text
    assert "Note &lt;b&gt;this&lt;/b&gt; &amp; *that*." in cover  # no bold, no emphasis: as typed
    assert '<p class="built"><small>' in cover


def test_pdf_cover_carries_the_council_name_and_the_meeting(rendered):
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(rendered.pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    for expected in ("Torbay Council <script>alert(1)</script>", "Overview and Scrutiny Board", "Meeting date",
                     "3 February 2021", "Recommendations", "Note <b>this</b> & *that*."):
        assert expected in text, expected


def test_a_meeting_for_an_undeclared_audience_is_refused_with_the_key_path():
    from torbayreport.publish.execute import BuildError

    with pytest.raises(BuildError, match=r"front_matter\.meetings: unknown audience\(s\) \['pubic'\]"):
        report_meta(context(meetings={"pubic": {"date": "2021-02-03"}}), MANIFEST)


def test_recommendations_without_a_purpose_are_still_printed(tmp_path):
    chapter = write(executed_notebook("Summary"), tmp_path / "summary.ipynb")
    meetings = {"public": {"recommendations": ["Consider the report."]}}
    meta = report_meta(context(meetings=meetings), MANIFEST)
    result = render_report({"summary": chapter}, tmp_path / "out", "cover", meta, renderer="pandoc")
    html = result.html.read_text(encoding="utf-8")
    assert "Consider the report." in html and "Purpose of the report" not in html
