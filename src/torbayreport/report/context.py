"""The notebook API: what a report notebook cell calls, read from a prepared report folder.

Why this module: the notebooks hold no metric logic. ``ReportContext`` reads the small artefacts
``torbayreport.publish.prepare`` wrote (metrics.csv, findings, plan tracker, and for an audience
without disclosure the exception lists and the team breakdown) and offers

* **data** for ad hoc questions: ``ctx.kpi("P13")`` (the series with real dtypes, the records
  behind a month's numerator and denominator, the chart), ``ctx.exceptions(name)`` (a DataFrame
  with dates as dates that still displays as the report's table);
* **one helper per report cell** (``ctx.scorecard("practice")``, ``ctx.trend_figures(...)``),
  each returning markdown built by :mod:`.tables` and :mod:`.charts` (frames in :mod:`.frames`).
Open a context with ``torbayreport.publish.load_context`` (it prepares the folder when needed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from torbayreport import config
from torbayreport.disclose.text import inert_literal
from torbayreport.metrics.drilldown import DRILLDOWNS, TEAM_MEASURES, why
from torbayreport.metrics.period import as_month
from torbayreport.report import chartcache, charts, tables
from torbayreport.report.summary import summary_bullets
from torbayreport.report.frames import (  # noqa: F401 (re-exported: the notebook API's names)
    NUMERIC_COLUMNS,
    BOOL_SUFFIX,
    ARTEFACT_VERSION, council_name,
    NO_COMMENTARY,
    PREVIOUS_METRICS,
    DATE_COLUMNS,
    INTEGER_COLUMNS,
    LIST_LABELS,
    _read_metrics,
    _read_csv,
    _analyst_text,
    _typed,
    ExceptionList,
    RevisedFigures,
    ComparisonTable,
)
from torbayreport.report.tables import Markdown, long_date


@dataclass
class KpiView:
    """One KPI for an analyst: its series (one row per month), its chart and the records behind it."""

    kpi_id: str
    series: pd.DataFrame
    context: "ReportContext" = field(repr=False)

    def chart(self) -> charts.Chart:
        return self.context.chart(self.kpi_id)

    def records(self, month=None) -> pd.DataFrame:
        """The records behind ``month``'s numerator and denominator (default: the report month):
        one row per member with ``in_numerator``; internal audiences only (computed from the data)."""
        return self.context.records(self.kpi_id, month)

    def _repr_markdown_(self) -> str:
        return str(self.context.reading(self.kpi_id))


@dataclass
class ReportContext:
    """Everything a report notebook shows, read from the prepared artefacts."""

    folder: Path
    month: pd.Period
    audience: str
    meta: dict
    metrics: pd.DataFrame
    findings: pd.DataFrame
    plan: dict[str, pd.DataFrame] = field(default_factory=dict)
    exception_frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    teams: pd.DataFrame = field(default_factory=pd.DataFrame)
    data: Path | None = None          # the extracts, for records behind a figure (internal only)

    @classmethod
    def read(cls, folder, *, month, audience, data=None) -> "ReportContext":
        folder = Path(folder)
        reader = config.audience(audience)
        meta = json.loads((folder / "context.json").read_text(encoding="utf-8"))
        if meta.get("month") != str(as_month(month)) or meta.get("audience") != audience:
            raise ValueError(
                f"{folder} holds the {meta.get('month')} {meta.get('audience')} context, "
                f"not {as_month(month)} {audience}"
            )
        plan = {p.stem.removeprefix("plan_"): _read_csv(p) for p in sorted(folder.glob("plan_*.csv"))}
        exceptions_ = {}
        teams = pd.DataFrame()
        if not reader.disclosure:
            exceptions_ = {p.stem: _read_csv(p) for p in sorted((folder / "exceptions").glob("*.csv"))}
            teams = _read_csv(folder / "teams.csv")
        return cls(folder, as_month(month), audience, meta, _read_metrics(folder / "metrics.csv"),
                   _read_csv(folder / "findings.csv"), plan, exceptions_, teams, Path(data) if data else None)

    @property
    def reader(self) -> config.Audience:
        return config.audience(self.audience)

    # ------------------------------------------------------------------ basics
    @property
    def la_name(self) -> str:
        return self.meta.get("la", {}).get("name", "")

    @property
    def month_words(self) -> str:
        return self.month.strftime("%B %Y")

    def _memo(self) -> dict:
        """What the chapter helpers look up per KPI, worked out once per context (for a chapter of
        28 KPIs, filtering the 1,800-row metric table again for each KPI cost more than the tables
        drawn from it): the month's rows, them indexed by KPI, and each KPI's series. Worked out
        again if ``metrics`` or ``month`` is replaced (the memo holds the frame itself, so a new
        frame is never mistaken for the old one)."""
        memo = self.__dict__.get("_memo_cache")
        if memo is None or memo["frame"] is not self.metrics or memo["month"] != self.month:
            rows = self.metrics[self.metrics["month"] == self.month].reset_index(drop=True)
            memo = self.__dict__["_memo_cache"] = {"frame": self.metrics, "month": self.month, "rows": rows,
                                                   "by_kpi": rows.set_index("kpi_id")}
        return memo

    def current(self, pillar: str | None = None) -> pd.DataFrame:
        """The report month's rows (optionally one pillar), in registry order."""
        rows = self._memo()["rows"]
        if pillar is not None:
            return rows[rows["pillar"] == pillar].reset_index(drop=True)
        return rows.copy()

    def _row(self, kpi_id: str) -> pd.Series:
        """The report month's row of one KPI (a copy), indexed by column."""
        return self._memo()["by_kpi"].loc[kpi_id].copy()

    def counted(self, pillar: str | None = None) -> pd.DataFrame:
        """The report month's rows every count of this audience reads: the summary's sentences,
        the RAG table and the signal tables. A withheld measure (public small numbers) is not here;
        it is counted once, as withheld (:meth:`withheld`)."""
        rows = self.current(pillar)
        return rows[~tables.withheld_mask(rows)].reset_index(drop=True)

    def withheld(self, pillar: str | None = None) -> pd.DataFrame:
        """The report month's rows whose value is withheld (small numbers); empty for internal."""
        rows = self.current(pillar)
        return rows[tables.withheld_mask(rows)].reset_index(drop=True)

    def value_text(self, row) -> str:
        """A row's value as this audience prints it (the disclosed display value when there is one)."""
        shown = row.get("value_display") if hasattr(row, "get") else None
        if shown is not None and not pd.isna(shown) and str(shown).strip():
            return str(shown)
        return tables.format_value(row.get("value"), str(row.get("unit")), tables.decimals_for(str(row.get("kpi_id"))))

    def kpi_ids(self, pillar: str) -> list[str]:
        return list(self.current(pillar)["kpi_id"])

    def _series(self, kpi_id: str) -> pd.DataFrame:
        """One KPI's rows by month, shared (the chart code only reads it): the table is split by
        KPI once (:meth:`_memo`), not filtered again for each."""
        memo = self._memo()
        if "series" not in memo:
            memo["series"] = {str(k): g.sort_values("month").reset_index(drop=True)
                              for k, g in self.metrics.groupby("kpi_id", sort=False, observed=True)}
        found = memo["series"].get(kpi_id)
        return found if found is not None else self.metrics.iloc[:0].reset_index(drop=True)

    def series(self, kpi_id: str) -> pd.DataFrame:
        return self._series(kpi_id).copy()

    # ------------------------------------------------------------------ data for ad hoc questions
    def kpi(self, kpi_id: str) -> KpiView:
        """One KPI as data: ``.series`` (a DataFrame, month as a monthly period), ``.chart()``,
        ``.records(month)``."""
        if kpi_id not in set(self.metrics["kpi_id"]):
            raise KeyError(f"unknown KPI id {kpi_id!r}")
        return KpiView(kpi_id, self.series(kpi_id), self)

    def records(self, kpi_id: str, month=None) -> pd.DataFrame:
        """The members behind ``kpi_id`` in ``month``: ``record_id``, the person (child, worker or
        audit id), any detail the record id carries, and ``in_numerator``."""
        if self.reader.disclosure:
            raise PermissionError(f"the {self.audience} report holds no record-level data")
        if self.data is None:
            raise ValueError("this context was read without its data folder; open it with load_context")
        from torbayreport.io import load
        from torbayreport.metrics import REGISTRY
        from torbayreport.metrics.engine import compute_one

        when = as_month(month or self.month)
        window = pd.period_range(self.meta["window"]["start"], self.meta["window"]["end"], freq="M", name="month")
        if when not in window:
            raise ValueError(f"{when} is outside this report's window ({window[0]} to {window[-1]})")
        _, members = compute_one(REGISTRY[kpi_id], load(self.data).tables, window)
        if members is None:
            raise ValueError(f"{kpi_id} is counted from totals, so it has no records to list")
        rows = members[members["month"] == when].reset_index(drop=True)
        subject = next((d.subject for d in DRILLDOWNS.values() if d.kpi_id == kpi_id), TEAM_MEASURES.get(kpi_id, "record"))
        parts = rows["record_id"].astype("string").str.split("|", n=1)
        rows.insert(1, f"{subject}_id", parts.str[0])
        rows.insert(2, "detail", parts.str.get(1))
        rows["in_numerator"] = rows["in_numerator"].astype(bool)
        return rows

    # ------------------------------------------------------------------ front matter
    def title_block(self) -> Markdown:
        as_at = self.meta.get("as_at")
        audience = self.reader.description
        lines = [
            f"**{inert_literal(self.meta.get('title', ''))}** for {inert_literal(council_name(self.meta))}, {self.month_words}.",
            "",
            f"- Audience: {audience}",
            f"- Data as at: {long_date(as_at) if as_at else 'not stated'}",
            f"- Trend period: {pd.Period(self.meta['window']['start'], 'M').strftime('%B %Y')} to {self.month_words}",
        ]
        return Markdown("\n".join(lines))

    # ------------------------------------------------------------------ scorecards and charts
    def scorecard(self, pillar: str) -> Markdown:
        return tables.scorecard(self.current(pillar))

    @property
    def chart_cache(self) -> Path:
        """Charts keyed by content, shared by the audiences of a build: ``<build_root>/charts`` for a
        build folder (``<build_root>/<month>/<audience>``), else beside the cached context."""
        if self.folder.parent.name == str(self.month):
            return self.folder.parent.parent / "charts"
        return self.folder.parent / "charts"

    def chart(self, kpi_id: str) -> charts.Chart:
        chart = charts.spc_chart(self._series(kpi_id), self.month, la_name=self.la_name,
                                 disclosure=self.reader.disclosure, trend_months=int(self.meta["trend_months"]),
                                 cache_dir=self.chart_cache)
        if chart.png is not None and self.folder.parent.name == str(self.month):  # a build folder
            chartcache.log_chart(self.folder, kpi_id, chart.cached)
        return chart

    def commentary(self, kpi_id: str) -> Markdown:
        text = (self.meta.get("commentary", {}).get("kpis") or {}).get(kpi_id)
        return _analyst_text("*Analyst's commentary:*", text)

    def pillar_commentary(self, pillar: str) -> Markdown:
        text = (self.meta.get("commentary", {}).get("pillars") or {}).get(pillar)
        return _analyst_text("", text)

    def has_commentary(self, kpi_id: str) -> bool:
        text = (self.meta.get("commentary", {}).get("kpis") or {}).get(kpi_id)
        return bool(text and str(text).strip())

    def missing_commentary(self, pillar: str) -> Markdown:
        """One line per pillar naming the measures without commentary ("" when every one has some),
        instead of "no commentary" under each measure."""
        missing = [k for k in self.kpi_ids(pillar) if not self.has_commentary(k)]
        return Markdown(f"*No commentary this month for:* {', '.join(missing)}." if missing else "")

    def kpi_section(self, kpi_id: str, level: int = 3) -> None:
        """Display one KPI: a heading, its reading, its SPC chart with its data (or why there is
        none), and the commentary when there is some (missing commentary is listed once per pillar)."""
        from IPython.display import Markdown as IPyMarkdown, display

        row = self._row(kpi_id)
        display(IPyMarkdown(f"{'#' * level} {kpi_id} {row['title']} (plan ref {row['ref']})"))
        # the reading first: a heading is always followed by its words, never left alone at the
        # foot of a page above a chart that moved to the next one
        display(IPyMarkdown(self.reading(kpi_id)))
        chart = self.chart(kpi_id)
        display(IPyMarkdown(chart.markdown()))
        if self.has_commentary(kpi_id):
            display(IPyMarkdown(self.commentary(kpi_id)))

    def reading(self, kpi_id: str) -> Markdown:
        """The latest month in words: RAG and assurance in one plain sentence
        (``assess.narrative.reading_sentence``), then direction and SPC variation (a month the data
        cannot support: its symbol and reason, and no reading).

        A withheld measure gets one sentence saying what is withheld and why, and no figure or rating.
        """
        from torbayreport.assess.narrative import reading_sentence

        row = self._row(kpi_id)
        row["kpi_id"] = kpi_id
        row["month"] = self.month
        unavailable = tables.unavailable_label(row.to_dict())
        if unavailable is not None:
            return Markdown(f"**{self.month_words}:** {unavailable}; so there is no RAG rating, direction of "
                            "travel or SPC reading this month.")
        if tables.is_withheld(row.to_dict()):
            threshold = (self.meta.get("params") or {}).get("disclosure", {}).get("threshold")
            band = f" (between 1 and {threshold})" if threshold else ""
            return Markdown(
                f"**{self.month_words}:** withheld. The numbers behind this measure are small{band}, so its value, "
                "RAG rating, direction of travel and SPC reading are not published, to protect the "
                "confidentiality of the people they describe."
            )
        data = row.to_dict()
        sentence = reading_sentence(row, value_text=self.value_text)
        direction = tables.direction_label(data.get("direction"), data.get("value"), data.get("previous_value"))
        variation = tables.variation_label(data.get("point_type"))
        return Markdown(
            f"**{self.month_words}:** {tables.latest_label(data)}. {sentence} "
            f"Since last month: {direction}; SPC variation: {variation}."
        )

    def trend_figures(self, pillar: str) -> None:
        """Display every KPI of a pillar, in registry order (see :meth:`kpi_section`), then the
        measures without commentary, named once."""
        from IPython.display import Markdown as IPyMarkdown, display

        for kpi_id in self.kpi_ids(pillar):
            self.kpi_section(kpi_id)
        missing = self.missing_commentary(pillar)
        if missing:
            display(IPyMarkdown(missing))

    # ------------------------------------------------------------------ summary
    def executive_summary(self) -> Markdown:
        """Bullets generated from :meth:`counted` (the rows the tables below read), so every
        count agrees with them; withheld measures are one bullet of their own."""
        summary = self.meta.get("commentary", {}).get("summary")
        analyst = _analyst_text("**Analyst's summary.**", summary)
        return Markdown(f"{summary_bullets(self)}\n\n{analyst}")

    def rag_summary(self) -> Markdown:
        from torbayreport.metrics.registry import PILLARS

        return tables.markdown_table(tables.rag_counts_frame(self.current(), PILLARS))

    def special_cause_rows(self) -> pd.DataFrame:
        rows = self.counted()
        return rows[rows["value"].notna() & rows["point_type"].astype("string").str.startswith("special_cause", na=False)]

    def failing_rows(self) -> pd.DataFrame:
        rows = self.counted()
        return rows[rows["value"].notna() & (rows["assurance"].astype("string") == "consistent_fail").fillna(False)]

    def special_cause(self) -> Markdown:
        return tables.markdown_table(tables.kpi_list_frame(self.special_cause_rows()),
                                     empty="No measure shows special-cause variation in the latest month.")

    def consistently_failing(self) -> Markdown:
        rows = self.failing_rows()
        return tables.markdown_table(
            tables.kpi_list_frame(rows),
            empty="No measure is consistently failing its target (the target is within or beyond the process limits).",
        )

    # ------------------------------------------------------------------ plan tracker
    def _plan_frame(self, name: str, pillar: str | None) -> pd.DataFrame:
        frame = self.plan.get(name, pd.DataFrame())
        if pillar is not None and "pillar" in frame.columns:
            frame = frame[frame["pillar"].str.lower() == pillar.lower()]
        return frame

    def plan_headline(self) -> Markdown:
        return tables.plan_counts_table(self._plan_frame("counts", None))

    def plan_tracker(self, pillar: str) -> Markdown:
        counts = tables.plan_counts_table(self._plan_frame("counts", pillar))
        overdue = tables.plan_overdue_table(self._plan_frame("overdue", pillar).drop(columns=["pillar"], errors="ignore"))
        changes = tables.plan_changes_table(self._plan_frame("changes", pillar).drop(columns=["pillar"], errors="ignore"))
        return Markdown(
            f"**Actions by RAG rating, this month and last.**\n\n{counts}\n\n"
            f"**Overdue actions.**\n\n{overdue}\n\n"
            f"**Actions whose RAG rating changed, with the evidence recorded.**\n\n{changes}"
        )

    # ------------------------------------------------------------------ appendix
    def definitions(self, pillar: str | None = None) -> Markdown:
        from torbayreport.metrics import REGISTRY

        kpis = [k for k in REGISTRY.values() if pillar is None or k.pillar == pillar]
        return tables.definitions_table(kpis)

    def method_notes(self) -> Markdown:
        """How RAG, direction of travel and SPC are worked out, with the parameters this build used."""
        from torbayreport.report.notes import method_notes

        return method_notes(self.meta.get("params") or {}, disclosure=self.reader.disclosure)

    def coverage(self):
        """The data-quality appendix's coverage table (a DataFrame that displays as the table):
        each KPI, its sources and look-back, and the months of the window it could be computed."""
        from torbayreport.report.coverage import CoverageTable, coverage_frame

        return CoverageTable(coverage_frame(self.metrics))

    def data_quality(self) -> Markdown:
        return tables.findings_summary(self.findings)

    def symbol_key(self) -> Markdown:
        return tables.symbol_key(self.meta.get("disclosure_key") or None)

    def inputs(self) -> Markdown:
        """Input files and their SHA-256 hashes (for reproducibility)."""
        frame = pd.DataFrame(self.meta["inputs"], columns=["file", "kind", "sha256"])
        frame = frame.rename(columns={"file": "File", "kind": "Format", "sha256": "SHA-256"})
        return tables.markdown_table(frame, empty="No input files were recorded.")

    def provenance(self) -> Markdown:
        """Where the report came from: one short paragraph (data as at, build id, manifest); the
        internal report adds the input files with their hashes, the public one leaves them to the
        manifest (two pages of hashes tell a member nothing)."""
        as_at = self.meta.get("as_at")
        n = len(self.meta.get("inputs") or [])
        text = (
            f"This report was built from {n} extract file{'s' if n != 1 else ''} with data as at "
            f"{long_date(as_at) if as_at else 'a date not stated'}. The build id at the foot of each page identifies "
            "the exact input files, parameters and code; the manifest published beside the report (the file "
            "ending .manifest.json) lists every input file with its SHA-256 fingerprint, so the report can be "
            "reproduced exactly."
        )
        if self.reader.disclosure:
            return Markdown(text)
        return Markdown(f"{text}\n\n{self.inputs()}")

    # ------------------------------------------------------------------ internal only
    def _internal_only(self) -> Markdown | None:
        if self.reader.disclosure:
            return Markdown("This section is for the internal report only and is not included in the public report.")
        return None

    def exceptions(self, name: str) -> ExceptionList | Markdown:
        """One exception list (internal only) as an :class:`ExceptionList`; ``name`` is a key of
        ``metrics.drilldown.DRILLDOWNS`` or ``assessments_open_overdue``."""
        blocked = self._internal_only()
        if blocked is not None:
            return blocked
        explanation = why(name)
        out = ExceptionList(_typed(self.exception_frames.get(name, pd.DataFrame())))
        out.why = explanation
        return out

    def team_drilldown(self) -> Markdown:
        """Teams as rows, the drill-down measures as columns (value and n/d), with a key to the ids."""
        blocked = self._internal_only()
        if blocked is not None:
            return blocked
        frame = self.teams
        if frame.empty:
            return Markdown("No team-level breakdown is available.")
        numbers = frame.assign(**{c: pd.to_numeric(frame[c]) for c in ("numerator", "denominator", "value")})
        numbers["cell"] = [f"{v:.1f}% ({n:.0f}/{d:.0f})" for v, n, d in
                           zip(numbers["value"], numbers["numerator"], numbers["denominator"])]
        order = [k for k in TEAM_MEASURES if k in set(numbers["kpi_id"])]
        wide = numbers.pivot(index="team", columns="kpi_id", values="cell").reindex(columns=order).fillna("")
        wide = wide.reset_index().rename(columns={"team": "Team"})
        titles = dict(zip(numbers["kpi_id"], numbers["title"]))
        key = "; ".join(f"{k} {titles[k]}" for k in order)
        return Markdown(f"{tables.markdown_table(wide)}\n\nMeasures: {key}.")

    # ------------------------------------------------------------------ revisions
    def revised_figures(self) -> RevisedFigures:
        """Last month's figures that moved by more than ``revisions.margin`` since they were
        published (late recording), from the previous build's published metrics; the public report
        compares only figures shown both times. Empty, with a sentence saying why, otherwise."""
        from torbayreport.assess.revisions import REVISION_COLUMNS, revisions
        from torbayreport.disclose.csvsafe import read_csv

        previous = self.month - 1
        when = previous.strftime("%B %Y")
        margin = ((self.meta.get("params") or {}).get("revisions") or {}).get("margin")
        path = self.folder / PREVIOUS_METRICS
        if margin is None:
            out = pd.DataFrame(columns=REVISION_COLUMNS)
            note = "Revised figures are not checked (no revisions margin is set in the parameters)."
        elif not path.is_file():
            out = pd.DataFrame(columns=REVISION_COLUMNS)
            note = f"No published report for {when} was found, so no figure can be compared with it."
        else:
            published = read_csv(path, dtype={"month": str}, keep_default_na=False, na_values=[""])
            out = revisions(published, self.metrics, previous, margin=float(margin))
            note = (f"These figures for {when} have changed since the {when} report was published, by more "
                    f"than {margin:g} (in each measure's own units), because records were added or corrected "
                    f"after that month's data were taken." if len(out) else
                    f"No figure for {when} has changed by more than {margin:g} since it was published.")
        result = RevisedFigures(out)
        result.note = note
        return result

    # ------------------------------------------------------------------ regional comparison
    def how_we_compare(self) -> ComparisonTable:
        """The council against its statistical neighbours, the region and England per KPI, as
        ``publish.prepare.write_region_compare`` wrote it for this audience (``how_we_compare.csv``;
        empty when the build was given no ``--region``)."""
        from torbayreport.disclose.csvsafe import read_csv

        path = self.folder / "how_we_compare.csv"
        if not path.is_file():
            return ComparisonTable(pd.DataFrame())
        return ComparisonTable(read_csv(path, dtype=str, keep_default_na=False, na_values=[]))
