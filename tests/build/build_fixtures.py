"""Helpers for the build tests: the fixture notebooks, a stand-in for ``publish.prepare.prepare``, fixture data.

Also used by benchmarks/bench_build.py --fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures"
NOTEBOOKS = FIXTURES / "notebooks"
MONTH = "2020-12"

# The values the fixture notebooks show, chapter by chapter (the test reads them back from the PDF);
# keyed by chapter name, so a chapter added to _quarto.yml needs only its fixture notebook.
METRICS = pd.DataFrame({
    "chapter": ["summary", "leadership", "practice", "workforce", "quality", "exceptions", "appendix"],
    "kpi_id": ["S01", "L01", "P01", "W01", "Q01", "X01", "A01"],
    "label": ["Headline measure", "Board attendance", "Visits in time", "Agency staff",
              "Audits good", "Overdue visits", "Definitions"],
    "value": [71.5, 18.0, 85.25, 12.0, 64.0, 3.0, 1.0],
    "rag": ["Amber", "Green", "Green", "Amber", "Red", "Red", "Green"],
})


def fake_prepare(*, month, audience, data_dir, params_file, out_dir):
    """Stands in for torbayreport.publish.prepare.prepare: reads the data folder, writes the artefacts."""
    out_dir = Path(out_dir)
    source = pd.read_csv(Path(data_dir) / "extract.csv")      # a build reads its inputs ...
    METRICS.assign(rows_read=len(source)).to_csv(out_dir / "metrics.csv", index=False)
    pd.DataFrame({"finding": []}).to_csv(out_dir / "findings.csv", index=False)
    (out_dir / "context.json").write_text(json.dumps({
        "la": {"name": "Fixtureshire", "slug": "fixtureshire"}, "title": "Fixture performance report",
        "month": month, "audience": audience, "as_at": "2021-01-06",
    }))
    return out_dir


def make_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "extract.csv").write_text("child_id,referral_date\nC1,2020-12-01\nC2,2020-12-15\n")
    return folder
