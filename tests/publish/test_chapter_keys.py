"""Per-chapter notebook keys (issue 13): a chapter's cached execution is keyed by what it can read,
so a change to one KPI's commentary re-executes only the chapter that shows it.

Three kinds of test:

* the keys themselves on a hand-made prepared folder (no kernels): which keys move for which change;
* the declaration (report/chapters.py) against the real notebooks of the session's internal build:
  every commentary text appears in the chapters whose key covers it and in no other;
* a real build (real prepare on the sample, the real summary, leadership and appendix notebooks):
  one KPI's commentary changed -> only leadership re-executes, and the report shows the new text.
"""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pandas as pd
import pytest
import yaml

from torbayreport import config
from torbayreport.publish.keys import notebook_keys
from torbayreport.report.chapters import CHAPTER_COMMENTARY, commentary_shown

from ..conftest import MONTH, SAMPLE, build_root_with, needs_sample

CHAPTERS = ("summary", "leadership", "practice", "workforce", "quality", "exceptions", "appendix", "fixture_new")


def _stage(tmp_path, commentary: dict, metrics: pd.DataFrame | None = None):
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    (stage / "context.json").write_text(json.dumps({"month": MONTH, "la": {"name": "X"}, "commentary": commentary}))
    if metrics is None:
        metrics = pd.DataFrame({"month": ["2020-11", "2020-12", "2020-12", "2020-12"],
                                "kpi_id": ["L01", "L01", "P04", "W01"],
                                "pillar": ["leadership", "leadership", "practice", "workforce"],
                                "value": [1.0, 2.0, 3.0, 4.0]})
    metrics.to_csv(stage / "metrics.csv", index=False)
    return stage


def _keys(stage):
    from torbayreport.publish.cache import tree_hashes

    notebooks = {name: stage / f"{name}.ipynb" for name in CHAPTERS}
    return notebook_keys(notebooks, notebook_hashes={name: f"hash-{name}" for name in CHAPTERS},
                         parameters={"month": MONTH}, artefacts=tree_hashes(stage), stage=stage, code="code")


BASE = {"summary": "Summary text.", "pillars": {"leadership": "Lead text.", "practice": "Practice text."},
        "kpis": {"L01": "L01 text.", "P04": "P04 text."}}


def _changed(tmp_path, **change) -> set[str]:
    before = _keys(_stage(tmp_path, BASE))
    commentary = json.loads(json.dumps(BASE))
    for part, value in change.items():
        if part == "summary":
            commentary["summary"] = value
        else:
            kind, name = part.split("_")
            commentary[kind][name] = value
    after = _keys(_stage(tmp_path, commentary))
    return {name for name in CHAPTERS if before[name] != after[name]}


def test_one_kpis_commentary_moves_only_its_pillars_chapter_and_undeclared_ones(tmp_path):
    # L01 is a leadership KPI in metrics.csv; "fixture_new" is not declared, so it keys on everything
    assert _changed(tmp_path, kpis_L01="New L01 text.") == {"leadership", "fixture_new"}
    assert _changed(tmp_path, kpis_P04="New P04 text.") == {"practice", "fixture_new"}
    # a KPI given commentary for the first time (W01 had none): the list "no commentary for: ..." changes
    assert _changed(tmp_path, kpis_W01="First W01 text.") == {"workforce", "fixture_new"}


def test_the_summary_and_a_pillars_text_move_only_their_chapter(tmp_path):
    assert _changed(tmp_path, summary="Another summary.") == {"summary", "fixture_new"}
    assert _changed(tmp_path, pillars_practice="Another practice overview.") == {"practice", "fixture_new"}


def test_anything_else_in_the_folder_moves_every_chapter(tmp_path):
    before = _keys(_stage(tmp_path, BASE))
    stage = _stage(tmp_path, BASE)
    context = json.loads((stage / "context.json").read_text())
    context["la"]["name"] = "Y"                                   # not commentary: every chapter may show it
    (stage / "context.json").write_text(json.dumps(context))
    after = _keys(stage)
    assert all(before[name] != after[name] for name in CHAPTERS)
    (stage / "context.json").write_text(json.dumps({**context, "la": {"name": "X"}}))
    (stage / "findings.csv").write_text("finding\nnew\n")
    after = _keys(stage)
    assert all(before[name] != after[name] for name in CHAPTERS)


def test_a_kpi_moved_to_another_pillar_moves_both_chapters(tmp_path):
    before = _keys(_stage(tmp_path, BASE))
    metrics = pd.DataFrame({"month": ["2020-12", "2020-12"], "kpi_id": ["L01", "P04"],
                            "pillar": ["practice", "practice"], "value": [2.0, 3.0]})
    after = _keys(_stage(tmp_path, BASE, metrics))
    assert before["leadership"] != after["leadership"] and before["practice"] != after["practice"]


def test_without_kpi_pillars_a_pillar_chapter_keys_on_all_the_commentary(tmp_path):
    metrics = pd.DataFrame({"kpi_id": ["L01"], "value": [1.0]})   # no pillar column
    assert commentary_shown("practice", BASE, None) is None
    before = _keys(_stage(tmp_path, BASE, metrics))
    after = _keys(_stage(tmp_path, {**BASE, "kpis": {"L01": "Changed."}}, metrics))
    assert before["practice"] != after["practice"] and before["summary"] == after["summary"]


def test_every_declared_chapter_is_a_chapter_or_optional_chapter():
    declared = set(config.chapters()) | set(config.optional_chapters())
    assert set(CHAPTER_COMMENTARY) <= declared


# ------------------------------------------------------------------ the declaration vs the notebooks

def _snippet(text: str) -> str:
    """A run of plain words from ``text`` (no markdown punctuation that inert text would escape)."""
    runs = re.findall(r"[A-Za-z][A-Za-z ]{30,}[A-Za-z]", " ".join(str(text).split()))
    assert runs, f"no plain-words run in {text!r}"
    return max(runs, key=len)[:60].strip()


def _shown_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(str(data.get("text/markdown", "")) + str(data.get("text/plain", "")) + str(output.get("text", "")))
    return " ".join(" ".join(parts).split())


def test_each_chapter_shows_exactly_the_commentary_its_key_covers(internal_build):
    stage = internal_build.stage_dir
    context = json.loads((stage / "context.json").read_text())
    commentary = context["commentary"]
    metrics = pd.read_csv(stage / "metrics.csv", usecols=["kpi_id", "pillar"], dtype=str)
    kpi_pillars = dict(zip(metrics["kpi_id"], metrics["pillar"]))
    pieces = [("summary", None, commentary.get("summary"))]
    pieces += [("pillars", p, t) for p, t in (commentary.get("pillars") or {}).items()]
    pieces += [("kpis", k, t) for k, t in (commentary.get("kpis") or {}).items()]
    pieces = [(kind, name, t) for kind, name, t in pieces if t and str(t).strip()]
    assert {kind for kind, _, _ in pieces} == {"summary", "pillars", "kpis"}   # the sample has each kind
    checked = 0
    for executed in sorted((stage / "executed").glob("*.ipynb")):
        chapter = executed.stem
        shown = commentary_shown(chapter, commentary, kpi_pillars)
        if shown is None:
            continue   # undeclared: keyed on everything, nothing to check
        text = _shown_text(executed)
        for kind, name, body in pieces:
            covered = (kind == "summary" and "summary" in shown) \
                or (kind == "pillars" and name == chapter and shown.get("pillar") == body) \
                or (kind == "kpis" and name in (shown.get("kpis") or {}))
            assert (_snippet(body) in text) == covered, (chapter, kind, name, covered)
            checked += covered
    assert checked >= len(pieces)   # every piece was found where its key says it is shown


# ------------------------------------------------------------------ a real build, one KPI's text changed

def _write_month(params_dir, l01: str) -> None:
    month = {"month": MONTH, "as_at": "2021-01-08", "summary": "Summary marker text for the board.",
             "pillars": {"leadership": "Leadership overview marker text."},
             "commentary": {"L01": l01, "P04": "Practice measure marker text."}}
    (params_dir / f"{MONTH}.yaml").write_text(yaml.safe_dump(month))


@pytest.fixture(scope="module")
def real_project(tmp_path_factory, chart_cache):
    """A copy of reports/ declaring three real chapters, built on the sample. Its chart cache is the
    session's (tests/conftest.py ``chart_cache``): the data and params are the sample's defaults
    (only the commentary differs), so the leadership charts the session build drew are reused."""
    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    root = tmp_path_factory.mktemp("chapter-keys")
    build_root_with(chart_cache, root / "build")
    chapters = ["summary", "leadership", "appendix"]
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for name in chapters:
        shutil.copy(config.NOTEBOOKS_DIR / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    project = root / "project"
    shutil.copytree(config.REPORT_PROJECT_DIR, project)
    spec = yaml.safe_load((project / "_quarto.yml").read_text())
    spec["torbayreport"]["chapters"] = chapters
    spec["torbayreport"]["optional-chapters"] = {}
    for audience in spec["torbayreport"]["audiences"].values():
        audience["leave-out"] = []
    (project / "_quarto.yml").write_text(yaml.safe_dump(spec, sort_keys=False))
    params = root / "params"
    params.mkdir()
    (params / "council.yaml").write_text("la:\n  name: Torbay\n")
    _write_month(params, "First leadership measure text.")
    return {"root": root, "notebooks": notebooks, "project": project, "params": params / "council.yaml"}


def _build_real(project):
    from torbayreport.publish.pipeline import build_month

    return build_month(MONTH, audience="internal", data_dir=SAMPLE, params_file=project["params"],
                       out_dir=project["root"] / "reports", build_root=project["root"] / "build", jobs=2,
                       progress=False, notebooks_dir=project["notebooks"], project_dir=project["project"],
                       renderer="pandoc")


@pytest.mark.slow
@needs_sample
def test_one_kpis_commentary_reexecutes_only_the_chapter_showing_it(real_project):
    first = _build_real(real_project)
    assert first.reused["notebooks"] == []
    _write_month(real_project["params"].parent, "Second leadership measure text.")
    second = _build_real(real_project)
    manifest = json.loads(second.manifest_path.read_text())
    assert manifest["reused"]["notebooks"] == ["summary", "appendix"]   # leadership shows L01: run again
    # the folder is restored (no data load, no metrics) with the new commentary; the report re-rendered
    assert second.reused["prepare"] is True and second.reused["render"] is False
    context = json.loads((second.stage_dir / "context.json").read_text())
    assert context["commentary"]["kpis"]["L01"].strip() == "Second leadership measure text."
    html = " ".join(second.html.read_text(encoding="utf-8").split())
    assert "Second leadership measure text." in html and "First leadership measure text." not in html
    assert "Summary marker text for the board." in html   # the reused chapters are still in the report


# ------------------------------------------------------------------ prepare reused across a commentary change

def test_the_prepare_key_ignores_the_commentary_but_not_the_rest_of_the_month_file(tmp_path):
    from torbayreport.publish.execute import hash_files
    from torbayreport.publish.keys import inputs_without_commentary

    council = tmp_path / "council.yaml"
    council.write_text("la:\n  name: Torbay\n")
    month = tmp_path / f"{MONTH}.yaml"

    def key(text: str) -> dict:
        month.write_text(text)
        hashes = hash_files({"params/council.yaml": council, f"params/{month.name}": month})
        return inputs_without_commentary(hashes, params_file=council, month=MONTH)

    first = key(f'month: "{MONTH}"\nas_at: 2021-01-08\nsummary: One.\ncommentary:\n  L01: One.\n')
    assert key(f'month: "{MONTH}"\nas_at: 2021-01-08\nsummary: Two.\ncommentary:\n  L01: Two.\n'
               'pillars:\n  practice: Two.\n') == first
    assert key(f'month: "{MONTH}"\nas_at: 2021-01-09\nsummary: One.\ncommentary:\n  L01: One.\n') != first


@pytest.mark.slow
@needs_sample
def test_refreshed_commentary_is_what_prepare_writes(tmp_path):
    from torbayreport.publish.prepare import prepare, refresh_commentary

    (tmp_path / "council.yaml").write_text("la:\n  name: Torbay\n")
    params = tmp_path / "council.yaml"
    _write_month(tmp_path, "First text.")
    prepare(month=MONTH, audience="public", data_dir=SAMPLE, params_file=params, out_dir=tmp_path / "restored")
    _write_month(tmp_path, "Second text.")
    refresh_commentary(tmp_path / "restored", month=MONTH, params_file=params)
    prepare(month=MONTH, audience="public", data_dir=SAMPLE, params_file=params, out_dir=tmp_path / "fresh")
    assert (tmp_path / "restored" / "context.json").read_bytes() == (tmp_path / "fresh" / "context.json").read_bytes()
    assert "Second text." in (tmp_path / "fresh" / "context.json").read_text()
