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
from torbayreport.publish.execute import BuildError


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
    #: the build time (the manifest's ``built_at``: ``SOURCE_DATE_EPOCH`` when set) in seconds since
    #: 1970, dating the PDF and the workbook; None when not known
    built_epoch: int | None = None
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

    def pandoc_metadata(self, *, lang: str, toc_title: str) -> dict:
        """The HTML template's variables. Pandoc parses metadata strings as markdown, so every value
        goes through :func:`~torbayreport.disclose.text.inert_literal` (free text is text: a
        ``<script>`` in a council's name prints as typed). Empty front-matter values are left out
        so the template's ``$if$`` drops the line."""
        from torbayreport.disclose.text import inert_literal as lit

        values = {
            "title": lit(self.title), "pagetitle": lit(f"{self.title} — {self.council}, {self.month_label}"),
            "council": lit(self.council), "month-label": lit(self.month_label),
            "audience-label": lit(self.audience_label), "committee": lit(self.committee),
            "marking": lit(self.marking), "as-at": lit(self.as_at), "build-id": lit(self.build_id),
            "built-at": lit(self.built_at), "lang": lang, "toc-title": lit(toc_title),
            # the template puts this in an attribute as $description-meta$, which pandoc escapes for
            # attributes ("), where $title$ would let a quote in the title end the attribute
            "description": lit(f"{self.title} — {self.council}, {self.month_label} ({self.marking})"),
        }
        optional = {"meeting-date": self.meeting_date, "agenda-item": self.agenda_item, "purpose": self.purpose,
                    "author": self.author, "contact": self.contact}
        values.update({k: lit(v) for k, v in optional.items() if v})
        if self.recommendations:
            values["recommendations"] = [lit(r) for r in self.recommendations]
        return values

    @property
    def month_label(self) -> str:
        year, number = self.month.split("-")
        return f"{calendar.month_name[int(number)]} {year}"

    @property
    def audience_label(self) -> str:
        return config.audience(self.audience).label


def report_meta(context: dict, manifest: dict, artefacts: Path | None = None) -> ReportMeta:
    """The cover's facts from the prepared ``context.json`` (one source: the Params it read) and the
    build's manifest. The council's printed name is :func:`~torbayreport.report.frames.council_name`;
    the meeting is ``front_matter.meetings.<audience>``; "Built" is the manifest's time."""
    from torbayreport.report.frames import council_name
    from torbayreport.report.tables import long_date

    params = context.get("params") or {}
    front = params.get("front_matter") or {}
    audience = manifest["audience"]
    meetings = front.get("meetings") or {}
    unknown = sorted(set(meetings) - set(config.audiences()))
    if unknown:
        raise BuildError(f"params: front_matter.meetings: unknown audience(s) {unknown}; "
                         f"the audiences are {', '.join(config.audiences())} (reports/_quarto.yml)")
    meeting = meetings.get(audience) or {}
    built = dt.datetime.fromisoformat(manifest["built_at"])
    as_at = context.get("as_at")
    return ReportMeta(
        title=context["title"], council=council_name(context), month=manifest["month"],
        audience=audience, as_at=long_date(as_at) if as_at else "not recorded",
        build_id=manifest["build_id"], built_at=built.strftime("%d %B %Y %H:%M UTC").lstrip("0"),
        built_epoch=int(built.timestamp()),
        meeting_date=long_date(meeting["date"]) if meeting.get("date") else "",
        agenda_item=str(meeting.get("item") or ""), purpose=" ".join(str(meeting.get("purpose") or "").split()),
        recommendations=[" ".join(str(r).split()) for r in meeting.get("recommendations") or []],
        author=str(front.get("author") or ""), contact=str(front.get("contact") or ""), artefacts=artefacts,
    )
