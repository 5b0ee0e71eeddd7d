"""A small build project for the cache and fault tests: the fixture notebooks of tests/build, a
copy of reports/ declaring one or two chapters (so a build starts one or two kernels, not seven),
a council params file and a month commentary file, and a stand-in ``prepare`` that carries the data,
the params and the commentary into what the notebooks show (so a change to any of them must change
the report)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import yaml

from torbayreport import config

from ..build.build_fixtures import METRICS, MONTH, NOTEBOOKS

__all__ = ["MONTH", "make_project", "text_prepare"]


def text_prepare(*, month, audience, data_dir, params_file, out_dir):
    """Like tests/build's fake_prepare, but the shown labels carry the data row count, the council
    name from the params file and the month's L01 commentary."""
    out_dir = Path(out_dir)
    source = pd.read_csv(Path(data_dir) / "extract.csv")
    params = config.load_params(params_file, month)
    council = params.la.name
    note = (params.commentary or {}).get("L01", "none")
    METRICS.assign(label=METRICS["label"] + f" [{len(source)} rows; {council}; {note}]").to_csv(
        out_dir / "metrics.csv", index=False)
    pd.DataFrame({"finding": []}).to_csv(out_dir / "findings.csv", index=False)
    (out_dir / "context.json").write_text(json.dumps({
        "la": {"name": council, "slug": "fixtureshire"}, "title": "Fixture performance report",
        "month": month, "audience": audience, "as_at": "2021-01-06",
    }))
    return out_dir


def make_project(root: Path, chapters=("summary",)) -> dict:
    """Folders for one build: data, params, notebooks (copies, editable), project (reports/ copy)."""
    root = Path(root)
    data = root / "data"
    data.mkdir(parents=True)
    (data / "extract.csv").write_text("child_id,referral_date\nC1,2020-12-01\nC2,2020-12-15\n")
    params = root / "params"
    params.mkdir()
    (params / "council.yaml").write_text("la:\n  name: Fixtureshire\n")
    (params / f"{MONTH}.yaml").write_text(f'month: "{MONTH}"\ncommentary:\n  L01: first text\n')
    notebooks = root / "notebooks"
    notebooks.mkdir()
    for name in chapters:
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    project = root / "project"
    shutil.copytree(config.REPORT_PROJECT_DIR, project)
    spec = yaml.safe_load((project / "_quarto.yml").read_text())
    spec["torbayreport"]["chapters"] = list(chapters)
    optional = spec["torbayreport"].get("optional-chapters") or {}
    spec["torbayreport"]["optional-chapters"] = {name: o for name, o in optional.items() if o.get("after") in chapters}
    for audience in spec["torbayreport"]["audiences"].values():
        audience["leave-out"] = [c for c in audience.get("leave-out") or [] if c in chapters]
    (project / "_quarto.yml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return {"root": root, "data": data, "params": params / "council.yaml", "notebooks": notebooks,
            "project": project, "out": root / "reports", "build": root / "build"}


def build(project: dict, *, audience="internal", **overrides):
    """``build_month`` on the small project (pandoc renderer, one job, no progress display)."""
    from torbayreport.publish.pipeline import build_month

    kwargs = dict(audience=audience, data_dir=project["data"], params_file=project["params"],
                  out_dir=project["out"], build_root=project["build"], jobs=1, progress=False,
                  notebooks_dir=project["notebooks"], project_dir=project["project"], prepare=text_prepare,
                  renderer="pandoc")
    kwargs.update(overrides)
    return build_month(MONTH, **kwargs)
