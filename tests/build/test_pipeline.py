"""torbayreport.publish.pipeline: the published outputs of one built month (fixture notebooks)."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf

import pytest

from torbayreport import config
from torbayreport.publish.execute import BuildError
from torbayreport.publish.pipeline import _publish, report_stem

from .build_fixtures import MONTH


def _pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_outputs_are_named_by_la_month_and_audience(fixture_build):
    result = fixture_build["result"]
    folder = fixture_build["root"] / "reports" / MONTH / "internal"
    assert result.html == folder / "fixtureshire-children-2020-12-internal.html"
    assert result.pdf == folder / "fixtureshire-children-2020-12-internal.pdf"
    assert result.html.stat().st_size > 10_000 and result.pdf.stat().st_size > 10_000
    assert result.manifest_path.is_file()


def test_pdf_has_cover_contents_chapters_values_and_markings(fixture_build):
    pages = _pdf_pages(fixture_build["result"].pdf)
    text = "\n".join(pages)
    cover = pages[0]
    for expected in ("Fixtureshire", "December 2020", "Improvement Board (internal)", "6 January 2021",
                     fixture_build["result"].build_id):
        assert expected in cover, expected
    assert "Contents" in pages[1]
    for heading in ("1 Summary", "2 Leadership, management and governance", "6 Exceptions",
                    "7 Appendix: definitions", "1.1 Key figures"):
        assert heading in text, heading
    for value in ("Headline measure", "71.5", "85.25", "Amber"):   # the fixture METRICS rows
        assert value in text, value
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    assert f"Page 3 of {len(pages)}" in pages[2]


def test_pdf_is_a4(fixture_build):
    box = pypdf.PdfReader(fixture_build["result"].pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)   # 210 x 297 mm in points


def test_noise_and_code_never_reach_the_report(fixture_build):
    html = fixture_build["result"].html.read_text()
    pdf = "\n".join(_pdf_pages(fixture_build["result"].pdf))
    for leak in ("debug print", "stderr noise", "a warning that must not", 'month = "', "build_root",
                 "import base64"):
        assert leak not in html and leak not in pdf, leak


def test_html_is_offline_and_accessible(fixture_build):
    html = fixture_build["result"].html.read_text()
    assert re.search(r'<html[^>]*\blang="en-GB"', html)
    # no remote resource: attributes or CSS url() pointing at http(s) or protocol-relative addresses
    assert not re.search(r'''(src|href|data|poster|srcset)\s*=\s*["']?\s*(https?:)?//''', html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    assert not re.search(r"<script", html, re.I)
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) == len(config.audience_chapters("internal"))   # one chart per fixture chapter
    assert all(re.search(r'\balt="[^"]+"', img) for img in images)
    assert all('src="data:image/png;base64,' in img for img in images)
    assert '<nav id="TOC"' in html and "<table>" in html and "<th" in html


def test_no_staging_folders_left_beside_the_report(fixture_build):
    month_dir = fixture_build["root"] / "reports" / MONTH
    assert sorted(p.name for p in month_dir.iterdir()) == ["internal"]


def test_publish_replaces_the_old_folder_whole(tmp_path):
    old = tmp_path / "internal"
    old.mkdir()
    (old / "stale.html").write_text("old")
    new = tmp_path / ".staging"
    new.mkdir()
    (new / "fresh.html").write_text("new")
    _publish(new, old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["internal"]
    assert [p.name for p in old.iterdir()] == ["fresh.html"]


def test_report_stem():
    assert report_stem("torbay", "2020-12", "public") == "torbay-children-2020-12-public"


def test_latest_month_is_the_last_month_of_the_reporting_period(tmp_path, monkeypatch):
    import types

    import torbayreport.io
    from torbayreport.io.schema import tables_from
    from torbayreport.publish.pipeline import latest_month

    # contacts run to December, referrals only to October: the period ends in October
    # (metrics.period.data_period, the rule every command uses); a future due date is ignored
    tables = tables_from(
        contacts=[{"contact_id": "K1", "child_id": "X", "contact_date": "2020-11-03"},
                  {"contact_id": "K2", "child_id": "X", "contact_date": "2020-12-30"}],
        referrals=[{"referral_id": "R1", "child_id": "X", "referral_date": "2020-10-01"}],
        plan_actions=[{"action_id": "A1", "due_date": "2021-06-30"}],
    )
    monkeypatch.setattr(torbayreport.io, "load", lambda path: types.SimpleNamespace(tables=tables))
    assert latest_month(tmp_path) == "2020-10"
    monkeypatch.setattr(torbayreport.io, "load", lambda path: types.SimpleNamespace(tables=tables_from()))
    with pytest.raises(BuildError, match="no contacts or referrals"):
        latest_month(tmp_path)


def test_demo_generates_the_sample_only_when_missing(tmp_path, monkeypatch):
    import torbayreport.io.write as write
    import torbayreport.synth as synth
    from torbayreport.publish.pipeline import ensure_sample

    calls = []
    monkeypatch.setattr(synth, "generate", lambda: {"contacts": "frame"})
    monkeypatch.setattr(write, "write_csv_folder", lambda tables, out: calls.append((tables, out)))
    assert ensure_sample(tmp_path / "sample") is True
    assert calls == [({"contacts": "frame"}, tmp_path / "sample")]
    present = tmp_path / "present"
    present.mkdir()
    (present / "contacts.csv").write_text("contact_id\n")
    assert ensure_sample(present) is False and len(calls) == 1
