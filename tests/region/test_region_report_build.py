"""The regional report (issue 14, part 3) built for both audiences from ``region``'s output.

One small build per audience (3 synthetic councils, 6 months). A figure a council's own public
report withholds (``public_suppressed``, decided on the worker by disclosure control) must appear
nowhere in the public regional report — HTML text, alt text or PDF text — while the internal
report does show it (so the check can fail). The withheld figures come from the regional table's
unrounded ``value`` formatted by the toolkit's formatter, not from the report code.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from torbayreport.disclose.formatting import format_value
from torbayreport.metrics import REGISTRY
from torbayreport.publish.execute import BuildError
from torbayreport.publish.region_report import build_region_report
from torbayreport.region.document import RegionDocument

from .conftest import MONTH


@pytest.fixture(scope="module")
def reports(good_run, tmp_path_factory):
    _, _, region_out, _ = good_run
    out = tmp_path_factory.mktemp("region-report")
    built = {a: build_region_report(region_out, MONTH, audience=a, out_dir=out, build_root=out / "build")
             for a in ("internal", "public")}
    return region_out, out, built


def _text(path) -> str:
    if path.suffix == ".pdf":
        import pypdf

        return " ".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    html = re.sub(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+", "", path.read_text(encoding="utf-8"))
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _fmt(value, unit, kpi_id) -> str:
    return format_value(value, unit, REGISTRY[kpi_id].decimals)


def test_both_audiences_render_html_and_pdf(reports):
    region_out, out, built = reports
    councils = pd.read_csv(region_out / "councils.csv", dtype={"la_code": str})
    for audience, outputs in built.items():
        assert outputs["html"] == out / f"region-{MONTH}-{audience}.html" and outputs["html"].stat().st_size
        assert outputs["pdf"] == out / f"region-{MONTH}-{audience}.pdf" and outputs["pdf"].stat().st_size
        text = _text(outputs["html"])
        assert "Scorecard" in text and "Where each council sits" in text and "Data coverage" in text
        for name, code in zip(councils["la_name"], councils["la_code"]):
            assert f"{name} ({code})" in text  # every council in the scorecard and the coverage


def test_a_withheld_council_figure_appears_nowhere_in_the_public_report(reports):
    region_out, _, built = reports
    table = pd.read_parquet(region_out / "region.parquet")
    doc = RegionDocument.read(region_out, month=MONTH, audience="public")
    now = table[(table["month"].astype(str) == MONTH) & table["kpi_id"].isin(doc.headline)]
    ok = now["availability"] == "ok"
    hidden = ok & now["public_suppressed"].astype("boolean").fillna(True)
    shown = now[ok & ~hidden]
    # text the public report may legitimately carry: publishable values and the public statistics
    allowed = {_fmt(v, u, k) for v, u, k in zip(shown["value"], shown["unit"], shown["kpi_id"])}
    for column in ("public_region_median", "public_region_q1", "public_region_q3"):
        allowed |= {_fmt(v, u, k) for v, u, k in zip(now[column], now["unit"], now["kpi_id"]) if pd.notna(v)}
    secrets = {_fmt(v, u, k) for v, u, k in zip(now.loc[hidden, "value"], now.loc[hidden, "unit"],
                                                    now.loc[hidden, "kpi_id"])} - allowed
    assert secrets, "the small synthetic region should withhold some headline figures"
    internal = _text(built["internal"]["html"])
    assert any(s in internal for s in secrets)  # the internal report shows them: the check can fail
    for fmt in ("html", "pdf"):
        public = _text(built["public"][fmt])
        leaked = sorted(s for s in secrets if re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", public))
        assert not leaked, f"public {fmt} shows withheld figure(s) {leaked}"
    assert "[c]" in _text(built["public"]["html"])


def test_a_folder_without_a_regional_table_is_refused(tmp_path):
    with pytest.raises(BuildError, match="no region.parquet or region.csv"):
        build_region_report(tmp_path, MONTH, audience="public", build_root=tmp_path / "build")
