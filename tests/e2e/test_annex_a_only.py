"""Issue 10: a council with only its Annex A workbook (no local CSVs) gets a report that says what
the data cannot support, in words, and never 0%.

The folder is made in the test: the synthetic generator's Annex A workbook for 2020 without the
local CSVs it writes beside it (at a third of Torbay's size). One public build (the stricter audience: disclosure on), shared.

Expected by hand, not from the code: Annex A's lists (contacts, early help, referrals, assessments,
S47, CIN, CP, CLA, care leavers, adoption) carry no workforce, supervision, oversight or audit
data, so every leadership (L), workforce (W) and quality (Q) measure has a source absent; List 1
has no contact decision date (P01), List 4 no date the child was seen (P06) and List 5 no S47
child-seen date (P07) — the three the issue names as showing 0%, Red, "consistently failing".
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import Built

MONTH = "2020-12"
ABSENT = {"P01", "P06", "P07"}
ABSENT_PILLARS = ("L", "W", "Q")
#: a third of Torbay's size: what is tested is which lists Annex A carries, not volume (still
#: CP plans, care leavers and adoptions in every month; generating it costs a third as much)
SCALE = "0.3"


@pytest.fixture(scope="module")
def annex_only(tmp_path_factory):
    from torbayreport.cli import main
    from torbayreport.publish.pipeline import build_month

    root = tmp_path_factory.mktemp("annex-only")
    full = root / "full"
    assert main(["synth", "--out", str(full), "--format", "annex-a", "--start", "2020-01", "--end", MONTH,
                 "--scale", SCALE]) == 0
    data = root / "data"
    data.mkdir()
    workbooks = [p for p in full.iterdir() if p.suffix == ".xlsx"]
    assert len(workbooks) == 1
    (data / workbooks[0].name).write_bytes(workbooks[0].read_bytes())
    assert not list(data.glob("*.csv"))
    # a council's own params file with no month file beside it (so no as_at: the latest event date)
    params = root / "la.yaml"
    params.write_text("la: {name: Annex Only, code: '999', slug: annex-only}\n", encoding="utf-8")
    result = build_month(MONTH, audience="public", data_dir=data, params_file=params, out_dir=root / "reports",
                         build_root=root / "build", jobs=2, progress=False)
    metrics = pd.read_csv(Path(result.stage_dir) / "metrics.csv", dtype=str, keep_default_na=False, na_values=[""])
    return Built(result), metrics


def test_the_build_succeeds(annex_only):
    built, _ = annex_only
    assert built.html_path.is_file() and built.pdf_path.is_file()


def test_kpis_whose_sources_are_absent_are_missing_source_with_no_value(annex_only):
    _, metrics = annex_only
    absent = metrics[metrics["kpi_id"].isin(ABSENT) | metrics["kpi_id"].str[0].isin(ABSENT_PILLARS)]
    assert set(ABSENT) <= set(absent["kpi_id"]) and absent["kpi_id"].str[0].isin(ABSENT_PILLARS).any()
    assert (absent["availability"] == "missing_source").all(), absent.loc[absent["availability"] != "missing_source",
                                                                          ["kpi_id", "month", "availability"]]
    assert absent["value"].isna().all()
    assert (absent["value_display"] == "[x]").all()
    assert absent["availability_reason"].str.startswith("not in this month's extracts: ").all()
    # no RAG, direction or SPC reading is read into a month without a figure, anywhere in the table
    gone = metrics[metrics["availability"] != "ok"]
    assert gone["value"].isna().all()
    for column in ("rag", "direction", "point_type", "assurance", "spc_mean"):
        assert gone[column].isna().all(), column


def _rows_of(html: str, kpi_id: str) -> list[str]:
    """The cells' visible text of every table row whose first cell starts with the measure's id
    (its scorecard row and its coverage row)."""
    rows = []
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S | re.I):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        if cells and cells[0].startswith(f"{kpi_id} "):
            rows.append(cells)
    return rows


def _plain(text: str) -> str:
    return html.unescape(text).replace("\u2019", "'")  # entities, and pandoc's smart apostrophe


def test_the_report_gives_the_reason_and_never_0_percent(annex_only):
    built, metrics = annex_only
    text = _plain(built.html_text)
    # P01 by hand: Annex A List 1 has no decision date
    assert "[x] not in this month's extracts: contacts (contacts.decision_date) not supplied" in text
    now = metrics[(metrics["month"] == MONTH) & (metrics["availability"] == "missing_source")]
    assert len(now) >= len(ABSENT)
    for kpi_id, why in zip(now["kpi_id"], now["availability_reason"]):
        assert why in text, kpi_id
        rows = _rows_of(_plain(built.html), kpi_id)
        # its scorecard row: Latest and Previous show [x], never a percentage (the Target column
        # may rightly say "≤ 0.0%"); its coverage row: none of the 12 months
        # (columns: Measure, Latest (n/d), Previous, Target, ...)
        scorecard = [r for r in rows if len(r) > 3 and r[1].startswith("[x] ")]
        assert len(scorecard) == 1 and why in scorecard[0][1], (kpi_id, rows)
        assert scorecard[0][2] == "[x]", scorecard[0]
        assert not any(re.search(r"(?<![\d.])0(\.0+)?%", cell) for cell in scorecard[0][1:3]), scorecard[0]
        assert any("0 of 12" in r for r in rows), (kpi_id, rows)
    assert "Data coverage." in text
    assert "Data coverage." in built.pdf_text.replace("\n", " ")


def test_look_back_kpis_are_short_history_or_counted_from_annex_a_counts(annex_only):
    # By hand, from what Annex A holds: placements, visits, reviews and health assessments are
    # each child's latest only (no history), List 9 is a snapshot at the as-at date, and the
    # workbook's count columns (filled by the generator from its history) answer P11 in every
    # month and P20 in the as-at month (December 2020). P12's 24 months of plan history are not
    # there (the lists start in January 2019, the generator's first referral month).
    _, metrics = annex_only
    by_kpi = {k: g.set_index("month") for k, g in metrics.groupby("kpi_id")}
    for kpi_id in ("P12", "P13", "P14", "P15", "P16", "P17", "P18", "P19", "P21"):
        rows = by_kpi[kpi_id]
        assert (rows["availability"] == "short_history").all(), (kpi_id, rows["availability"].tolist())
        assert rows["value"].isna().all() and rows["availability_reason"].str.startswith("needs ").all()
    for kpi_id in ("P20", "P27a", "P27b"):
        rows = by_kpi[kpi_id]
        assert rows.loc[MONTH, "availability"] == "ok", kpi_id
        assert (rows.drop(index=MONTH)["availability"] == "short_history").all(), kpi_id
    assert (by_kpi["P11"]["availability"] == "ok").all()
