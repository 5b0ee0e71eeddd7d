"""What the cover page, the HTML head and the PDF metadata say about the report (:class:`ReportMeta`).

Why its own module: the cover's facts come from three places -- the Params the build read (the
council's printed name, the meeting of each audience's committee, author, contact, purpose and
recommendations: ``front_matter`` in params), the audience declarations in reports/_quarto.yml
(the committee is the audience's label) and the build's manifest (build id, when it was built) --
and :func:`report_meta` is the one place they are put together. The values are plain text here;
each template's writer makes them inert for its own language (pandoc metadata through
``disclose.text.inert_literal``, Typst as string literals).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from torbayreport import config


@dataclass
class ReportMeta:
    """What the cover page, the HTML head and the PDF metadata say about the report."""

    title: str
    council: str
    month: str
    audience: str
    as_at: str
    build_id: str
    built_at: str
    marking: str = ""
    # front matter (params ``front_matter``; empty = not given, and the cover leaves the line out)
    meeting_date: str = ""
    agenda_item: str = ""
    purpose: str = ""
    recommendations: list[str] = field(default_factory=list)
    author: str = ""
    contact: str = ""
    #: the prepared report folder (metrics.csv, exceptions/) for formats built from data (xlsx)
    artefacts: Path | None = None

    @property
    def committee(self) -> str:
        """The committee the paper goes to: the audience's label, declared once in _quarto.yml."""
        return self.audience_label

    @property
    def month_label(self) -> str:
        year, number = self.month.split("-")
        return f"{calendar.month_name[int(number)]} {year}"

    @property
    def audience_label(self) -> str:
        return config.audience(self.audience).label


def report_meta(context: dict, manifest: dict, artefacts: Path | None = None) -> ReportMeta:
    """The cover's facts from the prepared ``context.json`` (one source: the Params it read) and the
    build's manifest. The council's printed name is ``front_matter.council`` (else ``la.name``);
    the meeting is ``front_matter.meetings.<audience>``; "Built" is the manifest's time."""
    from torbayreport.report.tables import long_date

    params = context.get("params") or {}
    front = params.get("front_matter") or {}
    audience = manifest["audience"]
    meeting = (front.get("meetings") or {}).get(audience) or {}
    built = dt.datetime.fromisoformat(manifest["built_at"])
    as_at = context.get("as_at")
    return ReportMeta(
        title=context["title"], council=front.get("council") or context["la"]["name"], month=manifest["month"],
        audience=audience, as_at=long_date(as_at) if as_at else "not recorded",
        build_id=manifest["build_id"], built_at=built.strftime("%d %B %Y %H:%M UTC").lstrip("0"),
        meeting_date=long_date(meeting["date"]) if meeting.get("date") else "",
        agenda_item=str(meeting.get("item") or ""), purpose=" ".join(str(meeting.get("purpose") or "").split()),
        recommendations=[" ".join(str(r).split()) for r in meeting.get("recommendations") or []],
        author=str(front.get("author") or ""), contact=str(front.get("contact") or ""), artefacts=artefacts,
    )
