"""What a load returns: the tables, the data-quality findings and the files read.

Why findings are data, not exceptions: a real extract has hundreds of small faults; the report's
data-quality appendix lists them and the build stops only on errors (the contract is broken: a
required column is missing, a file is unreadable). ``raise_for_errors`` is the switch the build uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Finding:
    """One data-quality finding, located as the user sees it.

    ``row`` is the CSV line number (header = 1, first data row = 2) or the Excel sheet row;
    ``None`` for findings about a whole file or column. ``column`` is the header as written in the
    file. ``table`` is the canonical table concerned (for counts per table).
    """

    severity: str
    file: str
    row: int | None
    column: str | None
    code: str
    message: str
    table: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Source:
    """A file that was read, with its hash (the build's manifest records these)."""

    name: str
    path: Path
    sha256: str
    kind: str  # "csv" | "annex_a"


ORIGINS = ("csv", "annex_a", "annex_a+csv", "none")


@dataclass(frozen=True)
class TableOrigin:
    """Where one canonical table's rows came from, and from which month they are a full history.

    Why the loader records it: a table built from an Annex A workbook looks like a long history
    (a child in care since 2012 brings a 2012 start date) but only holds what the lists hold: the
    episodes open in, or events of, the extract's period, and for the "date of last ..." columns
    only each child's latest event. Coverage (``metrics.coverage``) cannot tell that from the
    dates, so the loader, which knows, says it here.

    ``origin``: ``csv``, ``annex_a``, ``annex_a+csv`` (a workbook table with a supplement CSV) or
    ``none`` (no source). ``history_from``: the first month the rows are a complete record of the
    table's events; ``None`` means the rows are the council's own event history, judged from their
    dates (a CSV, or a supplement CSV that adds rows the workbook lacks). ``latest_only``: the rows
    are each child's latest event as at ``as_at`` (Annex A's "date of last visit/review ..."), so
    there is no history at all before that month.
    """

    origin: str
    history_from: pd.Period | None = None
    latest_only: bool = False
    as_at: pd.Timestamp | None = None

    def __post_init__(self):
        if self.origin not in ORIGINS:
            raise ValueError(f"origin {self.origin!r} is not one of {ORIGINS}")


class LoadedTables(dict):
    """The canonical tables of one load ({name: frame}, a plain dict to every reader) that also
    carry ``origins`` ({name: :class:`TableOrigin`}), so whoever gets the tables gets their
    provenance with them (``metrics.compute(loaded.tables, ...)``)."""

    def __init__(self, tables=(), origins: dict[str, TableOrigin] | None = None):
        super().__init__(tables)
        self.origins: dict[str, TableOrigin] = dict(origins or {})


class LoadError(Exception):
    """Raised by :meth:`LoadResult.raise_for_errors`; the message lists every error."""

    def __init__(self, errors: list[Finding]):
        self.errors = errors
        lines = [f"{len(errors)} error(s) in the input data:"]
        for f in errors:
            where = f.file + (f", row {f.row}" if f.row is not None else "") + (
                f", column {f.column!r}" if f.column else ""
            )
            lines.append(f"  - {where}: {f.message}")
        super().__init__("\n".join(lines))


FINDING_COLUMNS = ["severity", "table", "file", "row", "column", "code", "message"]


@dataclass
class LoadResult:
    """Canonical tables (every table, canonical dtypes), findings and sources of one load."""

    tables: dict[str, pd.DataFrame]
    findings: list[Finding] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    as_at: pd.Timestamp | None = None  # the extract's as-at date, when known
    as_at_source: str | None = None  # "front sheet" | "given" | "latest event date"

    @property
    def origins(self) -> dict[str, TableOrigin]:
        """{table: :class:`TableOrigin`} (empty when the tables were not built by ``load``)."""
        return dict(getattr(self.tables, "origins", {}))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            raise LoadError(self.errors)

    def findings_frame(self) -> pd.DataFrame:
        rows = [f.to_dict() for f in self.findings]
        frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
        for name in ("severity", "table", "file", "column", "code", "message"):
            frame[name] = frame[name].astype("string")
        frame["row"] = frame["row"].astype("Int64")
        return frame
