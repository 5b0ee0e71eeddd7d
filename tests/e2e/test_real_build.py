"""End to end with the real notebooks, ``context.prepare`` and the committed sample (public, 2020-12).

The build is made once per session (tests/e2e/conftest.py) and shared.
"""

from __future__ import annotations

import re

import pandas as pd

from .conftest import needs_sample

pytestmark = needs_sample


def test_outputs_named_from_params(public_build):
    assert public_build.html_path.name == "torbay-children-2020-12-public.html"
    assert public_build.pdf_path.name == "torbay-children-2020-12-public.pdf"
    assert public_build.result.renderer in {"pandoc+typst", "quarto"}


def test_pdf_chapters_markings_and_values(public_build):
    pages = public_build.pdf_pages
    text = "\n".join(pages)
    assert "Overview and Scrutiny Board (public)" in pages[0] and "December 2020" in pages[0]
    for heading in ("Contents", "1 Executive summary", "2 Leadership, management and governance",
                    "3 A robust model of social work practice", "4 A sufficient and skilled workforce",
                    "5 Quality assurance and audit", "6 Appendix"):
        assert heading in text, heading
    assert "Exceptions" not in text.split("Contents", 1)[1][:3000]      # internal-only chapter left out
    assert all("OFFICIAL" in p and "OFFICIAL-SENSITIVE" not in p for p in pages)
    # The month's headline figures, as prepare disclosed them, appear in the report.
    metrics = pd.read_csv(public_build.stage_dir / "metrics.csv", dtype=str)
    latest = metrics[(metrics["month"] == "2020-12") & metrics["value_display"].notna()]
    shown = latest[latest["kpi_id"].isin(["P01", "L01", "W01", "Q01"])]
    assert len(shown) == 4
    for _, row in shown.iterrows():
        assert row["kpi_id"] in text and row["value_display"] in text, (row["kpi_id"], row["value_display"])


def test_html_offline_en_gb_and_alt_text(public_build):
    html = public_build.html
    assert re.search(r'<html[^>]*\blang="en-GB"', html)
    assert not re.search(r'''(src|href|data|poster|srcset)\s*=\s*["']?\s*(https?:)?//''', html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) > 10
    assert all(re.search(r'\balt="[^"]{20,}"', img) for img in images)
