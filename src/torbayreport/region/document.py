"""The regional report notebook's API: what ``notebooks/region.ipynb`` displays, as markdown.

Why a small class: the regional report is one notebook executed by papermill and rendered by the
same path as a council's chapters (``publish.region_report``), so like a council chapter it only
lays out what this object gives it — the scorecard, coverage and quartile charts of
:mod:`torbayreport.region.report`, audience-safe, as markdown tables and figures with alt text.

The audience's ``disclosure`` flag (``_quarto.yml``) chooses the public or internal figures, as it
does for a council's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from torbayreport import config
from torbayreport.region.compare import read_region_table
from torbayreport.region.report import coverage_frame, headline_kpis, quartile_chart, scorecard_frame
from torbayreport.report import charts, tables
from torbayreport.report.tables import Markdown


def region_file(region_dir: str | Path) -> Path:
    """``region.parquet`` (else ``region.csv``) in the output folder of ``torbayreport region``."""
    folder = Path(region_dir)
    for name in ("region.parquet", "region.csv"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{folder}: no region.parquet or region.csv (run `torbayreport region --out {folder}`)")


@dataclass
class RegionDocument:
    """One month's regional report for one audience."""

    table: pd.DataFrame
    councils: pd.DataFrame
    month: str
    audience: str
    headline: list[str]
    missing: str = ""   # why there is nothing to show (no regional table given)

    @classmethod
    def read(cls, region_dir, *, month: str, audience: str, params: str | None = None) -> "RegionDocument":
        """The document for ``region_dir``; with ``region_dir`` empty (a notebook opened with its
        default parameters) every section says that no regional table was given."""
        if not region_dir:
            config.audience(audience)
            return cls(pd.DataFrame(), pd.DataFrame(), str(month), audience, [],
                       missing="No regional table was given: run `torbayreport region` and pass its output folder.")
        folder = Path(region_dir)
        table = read_region_table(region_file(folder))
        councils_path = folder / "councils.csv"
        if not councils_path.is_file():
            raise FileNotFoundError(f"{folder}: no councils.csv (written by `torbayreport region`)")
        councils = pd.read_csv(councils_path, dtype={"la_code": str, "reason": str})
        settings = config.load_params(params or None, month)
        return cls(table, councils, str(month), audience, headline_kpis(table, settings.as_dict()))

    @property
    def mode(self) -> str:
        return "public" if config.audience(self.audience).disclosure else "internal"

    def _titles(self) -> dict[str, str]:
        rows = self.table.drop_duplicates("kpi_id")
        return dict(zip(rows["kpi_id"].astype(str), rows["title"].astype(str)))

    def introduction(self) -> Markdown:
        if self.missing:
            return Markdown(self.missing)
        n = int(self.table["la_code"].astype(str).nunique())
        return Markdown(f"{n} councils compared for {self.month}; {len(self.headline)} headline measures. "
                        f"Report for the {config.audience(self.audience).label}.")

    def scorecard(self) -> Markdown:
        if self.missing:
            return Markdown(self.missing)
        grid = scorecard_frame(self.table, self.mode, month=self.month, kpi_ids=self.headline)
        titles = self._titles()
        key = "; ".join(f"{k} {titles.get(k, k)}" for k in self.headline)
        return Markdown(f"{tables.markdown_table(grid)}\n\nMeasures: {key}.")

    def coverage(self) -> Markdown:
        if self.missing:
            return Markdown(self.missing)
        return tables.markdown_table(coverage_frame(self.table, self.councils, month=self.month),
                                     empty="No council was in the data root.")

    def quartile_charts(self) -> Markdown:
        """One figure per headline KPI (alt text written from the data); a KPI with no council to
        plot says so in a sentence instead."""
        if self.missing:
            return Markdown(self.missing)
        parts = []
        for kpi_id in self.headline:
            fig, alt = quartile_chart(self.table, kpi_id, self.mode, month=self.month)
            if " 0 councils shown" in alt:
                fig.clear()
                parts.append(f"*{alt}*")
                continue
            chart = charts.Chart(kpi_id, kpi_id, alt, charts.png_bytes(fig))
            parts.append(chart.markdown())
        return Markdown("\n\n".join(parts))
