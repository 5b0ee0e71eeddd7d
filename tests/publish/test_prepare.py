"""prepare -> load on the sample: the report folder a build and a notebook read (the public table's blanking is tested in tests/disclose/test_kpi_table.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from torbayreport.publish import prepare as context
from torbayreport.report.context import ReportContext

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
DEFAULTS = ROOT / "params" / "defaults.yaml"
MONTH = "2020-12"


# ------------------------------------------------------------------------------ public guard

def test_the_committed_december_commentary_is_valid():
    from torbayreport.config import load_params

    params = load_params(DEFAULTS, MONTH)   # commentary ids are checked against defaults.yaml's KPIs
    assert params.as_at and params.summary and params.commentary


def _need_sample():
    if not (SAMPLE.is_dir() and any(SAMPLE.iterdir())):
        pytest.skip("data/sample has not been generated in this checkout")


@pytest.fixture(scope="module")
def built(sample_prepared):
    """The internal and public folders prepared from the sample with the default params: the
    session build's prepare step (tests/conftest.py ``sample_prepared``), which is ``prepare``'s
    computation shared by both audiences (tests/publish/test_multi.py checks it writes the same
    files as ``prepare``; ``test_prepare_is_reproducible`` below compares it with a ``prepare``)."""
    _need_sample()
    return sample_prepared


def test_prepare_writes_the_artefacts(built):
    internal, public = built["internal"], built["public"]
    for folder in (internal, public):
        assert (folder / "metrics.csv").is_file() and (folder / "context.json").is_file()
        assert (folder / "findings.csv").is_file() and (folder / "plan_counts.csv").is_file()
    assert (internal / "exceptions" / "cp_visits_overdue.csv").is_file() and (internal / "teams.csv").is_file()
    assert not (public / "exceptions").exists() and not (public / "teams.csv").exists()
    meta = json.loads((internal / "context.json").read_text())
    assert meta["month"] == MONTH and meta["la"]["name"] == "Torbay"
    assert meta["commentary"]["kpis"]["P04"].startswith("Assessment timeliness")
    assert meta["as_at"] == "2021-01-08"
    metrics = pd.read_csv(internal / "metrics.csv", dtype=str)
    assert metrics["month"].str.fullmatch(r"\d{4}-\d{2}").all() and metrics["month"].max() == MONTH


def test_load_round_trip(built):
    ctx = ReportContext.read(built["internal"], month=MONTH, audience="internal", data=SAMPLE)
    assert ctx.month == pd.Period(MONTH, "M")
    raw = pd.read_csv(built["internal"] / "metrics.csv")
    assert len(ctx.metrics) == len(raw)
    assert np.allclose(ctx.metrics["value"].to_numpy(dtype=float), raw["value"].to_numpy(dtype=float), equal_nan=True)
    card = ctx.scorecard("practice")
    table = [line for line in card.splitlines() if line.startswith("|")]  # inside its column-widths block
    assert table[0].startswith("| Measure")
    assert "No commentary was provided for this month." in ctx.commentary("P05")
    assert ctx.commentary("P04").startswith("*Analyst's commentary:* Assessment timeliness")
    with pytest.raises(ValueError, match="not 2020-11"):
        ReportContext.read(built["internal"], month="2020-11", audience="internal")


def test_public_artefacts_carry_no_identifiers_or_record_frames(built, sample_tables):
    from torbayreport.disclose import IdentifierIndex, sensitive_values

    tables_ = sample_tables   # load(SAMPLE).tables, loaded once for the session (tests/conftest.py)
    public = built["public"]
    # Dates the artefacts legitimately print (plan due dates, the as-at date) may equal a young
    # child's date of birth by chance; those are allowed, as the build's own guard allows them.
    allow = {json.loads((public / "context.json").read_text())["as_at"]}
    for plan in public.glob("plan_*.csv"):
        frame = pd.read_csv(plan, dtype=str)
        if "due_date" in frame.columns:
            allow |= set(frame["due_date"].dropna())
    index = IdentifierIndex(sensitive_values(tables_), allow=allow)
    files = [p for p in public.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"metrics.csv", "findings.csv", "context.json"}
    for path in files:
        assert index.find(path.read_text(encoding="utf-8")) == [], path.name
    metrics = pd.read_csv(public / "metrics.csv", dtype=str)
    assert "record_id" not in metrics.columns
    # a suppressed value is never in the public table
    flagged = metrics[metrics["value_suppressed"] == "True"]
    assert flagged["value"].isna().all() and (flagged["value_display"] == "[c]").all()
    # and the internal artefacts do name children (the check above is not vacuous)
    internal_text = (built["internal"] / "exceptions" / "cp_visits_overdue.csv").read_text()
    assert pd.read_csv(built["internal"] / "exceptions" / "cp_visits_overdue.csv").empty or index.find(internal_text)


def test_public_context_has_no_internal_sections(built):
    ctx = ReportContext.read(built["public"], month=MONTH, audience="public", data=SAMPLE)
    assert ctx.exception_frames == {} and ctx.teams.empty
    for shown in (ctx.exceptions("cp_visits_overdue"), ctx.team_drilldown()):
        assert shown == "This section is for the internal report only and is not included in the public report."


def test_load_without_build_dir_prepares_once_into_a_cache(monkeypatch, tmp_path):
    _need_sample()
    monkeypatch.setenv("TORBAYREPORT_CACHE", str(tmp_path))
    calls = []
    real = context.prepare

    def counting(**kwargs):
        calls.append(kwargs["audience"])
        return real(**kwargs)

    monkeypatch.setattr(context, "prepare", counting)
    first = context.load_context(month=MONTH, audience="internal", data=SAMPLE, params=DEFAULTS)
    second = context.load_context(month=MONTH, audience="internal", data=SAMPLE, params=DEFAULTS)
    assert calls == ["internal"]
    assert first.folder == second.folder and first.folder.parent == tmp_path
    assert first.scorecard("quality") == second.scorecard("quality")


def test_prepare_is_reproducible(built, sample_public_prepare):
    """Same inputs and params -> byte-identical artefacts (the design's reproducibility promise):
    a ``prepare`` of its own (tests/conftest.py) against the session build's."""
    again = sample_public_prepare
    for name in ("metrics.csv", "findings.csv", "context.json", "plan_counts.csv"):
        assert (again / name).read_bytes() == (built["public"] / name).read_bytes(), name


def test_prepare_refuses_extracts_that_break_the_contract(tmp_path):
    """A missing required column is an error: no report is built on a table that was not loaded."""
    from torbayreport.publish.prepare import prepare
    from torbayreport.io import LoadError
    from torbayreport.io.schema import tables_from
    from torbayreport.io.write import write_csv_folder

    data = tmp_path / "data"
    write_csv_folder(tables_from(cp_plans=[{"child_id": "C1", "cp_start": "2020-01-06", "initial_category": "Neglect",
                                            "latest_category": "Neglect"}]), data)
    frame = (data / "cp_plans.csv").read_text().replace("initial_category,", "", 1).replace("Neglect,", "", 1)
    (data / "cp_plans.csv").write_text(frame)
    with pytest.raises(LoadError, match=r"cp_plans\.csv, column 'initial_category'"):
        prepare(month="2020-03", audience="internal", data_dir=data, out_dir=tmp_path / "out")


# ------------------------------------------------------------------------------ the notebook API returns data

def test_kpi_returns_the_series_and_the_records_behind_a_month(built):
    ctx = ReportContext.read(built["internal"], month=MONTH, audience="internal", data=SAMPLE)
    p13 = ctx.kpi("P13")
    assert isinstance(p13.series, pd.DataFrame) and p13.series["month"].dtype == "period[M]"
    assert pd.api.types.is_float_dtype(p13.series["value"])
    october = p13.series.set_index("month").loc[pd.Period("2019-10", "M")]
    records = p13.records("2019-10")
    # the records are the month's denominator, those in the numerator its numerator
    assert len(records) == october["denominator"] and records["in_numerator"].sum() == october["numerator"]
    assert records["child_id"].str.startswith("C").all()
    assert records["in_numerator"].dtype == bool
    with pytest.raises(ValueError, match="outside this report's window"):
        p13.records("2010-01")


def test_records_are_refused_for_an_audience_with_disclosure(built):
    ctx = ReportContext.read(built["public"], month=MONTH, audience="public", data=SAMPLE)
    with pytest.raises(PermissionError):
        ctx.kpi("P13").records()


def test_exception_lists_are_dataframes_with_real_dtypes_that_render_as_the_reports_table(built):
    from torbayreport.report.context import LIST_LABELS
    from torbayreport.report.tables import markdown_table

    ctx = ReportContext.read(built["internal"], month=MONTH, audience="internal", data=SAMPLE)
    cp = ctx.exceptions("cp_visits_overdue")
    assert isinstance(cp, pd.DataFrame) and pd.api.types.is_datetime64_any_dtype(cp["last_visit"])
    assert (cp["last_visit"].dropna() <= pd.Timestamp("2020-12-31")).all()   # NaT: never visited
    opened = ctx.exceptions("assessments_open_overdue")
    assert str(opened["working_days_open"].dtype) == "Int64"
    # what the report prints: the artefact's text under the report's headings (as before the change)
    text = pd.read_csv(built["internal"] / "exceptions" / "cp_visits_overdue.csv", dtype=str,
                       keep_default_na=False, na_values=[""])
    expected = (f"Children on a plan at month end who were not seen in the last 10 working days (P13). "
                f"**{len(text)}** this month.\n\n{markdown_table(text.rename(columns=LIST_LABELS), empty='None this month.')}")
    assert cp._repr_markdown_() == expected
    assert cp.head(2)._repr_markdown_().startswith("Children on a plan")   # still a list after slicing


# ------------------------------------------------------------------------------ as-at date and aliases (issue 10)

def test_prepare_passes_the_as_at_date_and_the_councils_aliases_to_the_loader(tmp_path, monkeypatch):
    import datetime as dt

    import torbayreport.io

    seen = []

    def load(path, **options):
        seen.append(options)
        raise RuntimeError("stop after the load call")

    monkeypatch.setattr(torbayreport.io, "load", load)
    params = tmp_path / "la.yaml"
    params.write_text("as_at: 2021-01-08\nextracts:\n  aliases: {'Ref Date': referral_date}\n", encoding="utf-8")
    for override in (None, dt.date(2021, 1, 15)):
        with pytest.raises(RuntimeError, match="stop after the load call"):
            context.prepare(month=MONTH, audience="internal", data_dir=tmp_path, params_file=params,
                            out_dir=tmp_path / "out", as_at=override)
    assert seen == [
        {"as_at": dt.date(2021, 1, 8), "aliases": {"Ref Date": "referral_date"}},   # the params' as_at
        {"as_at": dt.date(2021, 1, 15), "aliases": {"Ref Date": "referral_date"}},  # --as-at wins
    ]


def test_prepared_metrics_carry_availability_and_its_reason(built):
    frame = pd.read_csv(built["internal"] / "metrics.csv", dtype=str, keep_default_na=False, na_values=[""])
    assert {"availability", "availability_reason"} <= set(frame.columns)
    ok = frame["availability"] == "ok"
    assert frame.loc[ok, "availability_reason"].isna().all()          # "" for ok: no reason printed
    assert frame.loc[~ok, "availability_reason"].notna().all()
