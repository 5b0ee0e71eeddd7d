"""Render executed notebooks into one self-contained HTML file and one A4 PDF.

Why this shape: Quarto cannot be installed from a package registry alone (its PyPI sdist downloads
the binary from GitHub), so the report is defined once as a Quarto project (``reports/_quarto.yml``)
and rendered by ``quarto`` when a binary is on PATH, otherwise by pandoc (the ``pypandoc-binary``
wheel) and the ``typst`` wheel, reading the same options from ``_quarto.yml``.

Both paths start from the same markdown, made here from the executed notebooks:

* markdown cells are kept; code is never shown (``echo: false``), so papermill's injected-parameters
  cell cannot appear;
* ``text/markdown`` outputs (the notebooks' tables and figures) are parsed as markdown, so tables are
  real tables and figures real images with their alt text; figures' base64 PNG/SVG data are written
  to files (Typst cannot read ``data:`` URIs; the HTML embeds them again);
* stream output (stdout, stderr, warnings) is left out, and logged;
* a notebook that failed, was never executed, or shows a figure without alt text is refused —
  a broken or inaccessible report is never produced quietly.

The pandoc + typst renderers themselves (the markdown read once into pandoc's JSON AST, shared by
the HTML and Typst writers) are in :mod:`.render_pandoc`.

After rendering, the HTML is checked (no ``http(s)`` resource references, ``lang``, alt on every
image) and the build fails if a check fails.
"""

from __future__ import annotations

import datetime as dt

import json
import logging
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from torbayreport import config
from torbayreport.disclose.text import inert_literal
from torbayreport.publish.meta import ReportMeta  # noqa: F401 (re-exported: the renderers take one)
from torbayreport.publish.notebook_markdown import RenderError, notebook_to_markdown  # noqa: F401 (re-exported)
from torbayreport.publish.render_pandoc import (  # noqa: F401 (the pandoc + typst renderers)
    _render_html_pandoc,
    _render_pdf_typst,
    _run,
    forget_ast_lock,
)

log = logging.getLogger("torbayreport.render")


class Outputs:
    """``.html`` / ``.pdf`` shortcuts over an ``outputs`` mapping of format name -> file."""

    outputs: dict[str, Path]

    @property
    def html(self) -> Path | None:
        return self.outputs.get("html")

    @property
    def pdf(self) -> Path | None:
        return self.outputs.get("pdf")


@dataclass
class RenderResult(Outputs):
    outputs: dict[str, Path]   # format name -> file, in the order _quarto.yml lists the formats
    renderer: str              # "quarto" or "pandoc+typst"
    seconds: float


def combined_markdown(executed: dict[str, Path], figures_dir: Path) -> str:
    """All chapters, in the given order, as one markdown document."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    chapters = [notebook_to_markdown(path, figures_dir, f"{i:02d}-{name}")
                for i, (name, path) in enumerate(executed.items(), start=1)]
    return "\n\n".join(chapters)


# ------------------------------------------------------------------------------- options

def project_options(project_dir: Path | str | None = None) -> dict:
    """The subset of ``_quarto.yml`` the pandoc + typst path honours, with paths made absolute."""
    project_dir = Path(project_dir or config.REPORT_PROJECT_DIR).resolve()
    try:
        project = config.project_config(project_dir)
    except config.ConfigError as exc:
        raise RenderError(str(exc)) from None
    formats = project.get("format") or {}
    html = formats.get("html") or {}
    typst_opts = formats.get("typst") or {}
    ours = project.get("torbayreport") or {}

    def path(value):
        return (project_dir / value).resolve() if value else None

    font_paths = typst_opts.get("font-paths") or []
    if isinstance(font_paths, str):
        font_paths = [font_paths]
    return {
        "project_dir": project_dir,
        "title": project.get("title", ""),
        "lang": project.get("lang", "en-GB"),
        "toc": bool(project.get("toc", True)),
        "toc_title": project.get("toc-title", "Contents"),
        "toc_depth": int(project.get("toc-depth", 2)),
        "number_sections": bool(project.get("number-sections", True)),
        "markings": {a.name: a.marking for a in config.audiences(project_dir).values()},
        "formats": config.output_formats(project_dir),
        "html_template": path(ours.get("html-template")),
        "typst_template": path(ours.get("typst-template")),
        "lua_filters": [path(f) for f in ours.get("lua-filters") or []],
        "html": {
            "css": [path(c) for c in ([html["css"]] if isinstance(html.get("css"), str) else html.get("css") or [])],
            "embed_resources": bool(html.get("embed-resources", True)),
            "toc": bool(html.get("toc", project.get("toc", True))),
        },
        "typst": {
            "papersize": typst_opts.get("papersize", "a4"),
            "margin": typst_opts.get("margin") or {"x": "2.5cm", "y": "2.5cm"},
            "mainfont": typst_opts.get("mainfont", "Carlito"),
            "fallback_fonts": list(ours.get("typst-fallback-fonts") or []),
            "fontsize": str(typst_opts.get("fontsize", "11pt")),
            "font_paths": [path(f) for f in font_paths],
            "toc": bool(typst_opts.get("toc", project.get("toc", True))),
            "section_numbering": typst_opts.get("section-numbering", "1.1")
            if project.get("number-sections", True) else None,
            "page_numbering": typst_opts.get("page-numbering", "1"),
            "pdf_standard": typst_opts.get("pdf-standard"),
        },
    }


# ------------------------------------------------------------------------------ rendering

def quarto_binary() -> str | None:
    """Path of a ``quarto`` executable on PATH, or None (then the pandoc + typst path is used)."""
    return shutil.which("quarto")


def render_report(executed: dict[str, Path], out_dir: Path, stem: str, meta: ReportMeta, *,
                  project_dir: Path | str | None = None, renderer: str = "auto") -> RenderResult:
    """Render the executed notebooks (chapter order = dict order) to ``out_dir/<stem>.<format>``
    for every format ``_quarto.yml`` lists (see :data:`RENDERERS`).

    ``renderer``: "auto" (quarto if found, else pandoc+typst), "quarto" or "pandoc".
    """
    opts = project_options(project_dir)
    if not meta.marking:
        meta.marking = opts["markings"][meta.audience]
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    use_quarto = renderer == "quarto" or (renderer == "auto" and quarto_binary())
    if renderer == "quarto" and not quarto_binary():
        raise RenderError("renderer 'quarto' requested but no quarto binary is on PATH")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="torbayreport-render-"))
    try:
        body = combined_markdown(executed, work / "figures")
        (work / "report.md").write_text(body, encoding="utf-8")
        unknown = [f for f in opts["formats"] if f not in RENDERERS]
        if unknown:
            raise RenderError(f"_quarto.yml: torbayreport.formats: no renderer for {unknown}; known: {sorted(RENDERERS)}")
        formats = opts["formats"]
        if meta.artefacts is None:  # notebooks rendered alone (tests, a quick look): no data to write
            skipped = [f for f in formats if f in NEEDS_ARTEFACTS]
            if skipped:
                log.warning("no prepared report folder given: %s not written", ", ".join(skipped))
            formats = [f for f in formats if f not in NEEDS_ARTEFACTS]
        outputs = {f: out_dir / f"{stem}{RENDERERS[f][0]}" for f in formats}
        if use_quarto:
            _render_quarto(work, body, meta, opts, outputs["html"], outputs["pdf"])
            for fmt in [f for f in outputs if f not in ("html", "pdf")]:
                RENDERERS[fmt][1](work, meta, opts, outputs[fmt])
            name = "quarto"
        else:
            try:
                # the HTML is checked in its own thread as soon as it is written, while the PDF compiles
                _render_concurrently(work, meta, opts, outputs, checks={"html": lambda html: _check(html, opts)})
            finally:
                forget_ast_lock(work)
            name = "pandoc+typst"
    finally:
        _remove_work_folder(work)
    if use_quarto and "html" in outputs:
        _check(outputs["html"], opts)
    seconds = time.perf_counter() - started
    log.info("rendered %s with %s in %.2f s", ", ".join(p.name for p in outputs.values()), name, seconds)
    return RenderResult(outputs, name, seconds)


def _remove_work_folder(work: Path, attempts: int = 50) -> None:
    """Remove the render's temporary folder, retrying for a few seconds.

    Why not ``TemporaryDirectory``: when SIGTERM ends the render, the format threads (daemon
    threads, see :func:`_render_concurrently`) may still be writing into the folder while it is
    removed; the removal then fails with "Directory not empty", and that error, not the
    interruption, was what the build reported, leaving the folder behind."""
    for _ in range(attempts):
        shutil.rmtree(work, ignore_errors=True)
        if not work.exists():
            return
        time.sleep(0.1)
    log.warning("could not remove the render's temporary folder %s", work)


def _check(html: Path, opts: dict) -> None:
    """Refuse an HTML file :func:`check_html` finds a problem in."""
    problems = check_html(html, lang=opts["lang"])
    if problems:
        raise RenderError(f"{html.name} failed its checks:\n- " + "\n- ".join(problems))


def _render_concurrently(work: Path, meta: ReportMeta, opts: dict, outputs: dict[str, Path], *,
                         checks: dict | None = None) -> None:
    """Every format at once, one thread each: the formats read the same markdown and write their own
    files, and the time goes into pandoc/typst subprocesses and file writing, so the HTML, PDF and
    workbook overlap instead of queueing (the render step of a report: about 10 s -> 5 s). The HTML
    and PDF threads share one pandoc read of the markdown (:func:`.render_pandoc.pandoc_ast`: the
    first to ask converts while the workbook and CSV are written). The first failure, in format
    order, is raised.

    Daemon threads, not a ThreadPoolExecutor: a SIGTERM during rendering must end the build at
    once (the pipeline cleans up and exits), and the executor's exit hook would first wait for every
    format to finish.

    ``checks``: format name -> check(target) run in that format's thread once it is written (a
    failed check is that format's failure)."""
    failures: dict[str, BaseException] = {}
    checks = checks or {}

    def render_one(fmt: str, target: Path) -> None:
        try:
            RENDERERS[fmt][1](work, meta, opts, target)
            if fmt in checks:
                checks[fmt](target)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread below
            failures[fmt] = exc

    threads = [threading.Thread(target=render_one, args=(fmt, target), name=f"render-{fmt}", daemon=True)
               for fmt, target in outputs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for fmt in outputs:
        if fmt in failures:
            raise failures[fmt]


def _render_quarto(work: Path, body: str, meta: ReportMeta, opts: dict, html: Path, pdf: Path) -> None:
    """Render with a quarto binary: the project's ``_quarto.yml`` + assets and one ``report.qmd``.

    The markdown is the same the pandoc path renders; there are no code cells, so nothing executes.
    """
    project = opts["project_dir"]
    shutil.copy(project / "_quarto.yml", work / "_quarto.yml")
    shutil.copytree(project / "assets", work / "assets")
    front = {"title": meta.title, "subtitle": f"{meta.council} — {meta.month_label}",
             "date": meta.as_at, "lang": opts["lang"],
             "description": f"{meta.marking}. Prepared for {meta.audience_label}. Build {meta.build_id}."}
    front = {key: inert_literal(value) for key, value in front.items()}  # YAML strings are markdown too
    lit = inert_literal

    lines = [f"**{lit(meta.marking)}** · {lit(meta.committee)}"
             + (f" · meeting {lit(meta.meeting_date)}" if meta.meeting_date else "")
             + f" · data as at {lit(meta.as_at)} · build {lit(meta.build_id)}"]
    if meta.purpose:
        lines.append(f"**Purpose of the report.** {lit(meta.purpose)}")
    if meta.recommendations:
        lines.append("**Recommendations.** The committee is recommended to:\n\n"
                     + "\n".join(f"{n}. {lit(r)}" for n, r in enumerate(meta.recommendations, start=1)))
    (work / "report.qmd").write_text("---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n"
                                     + "\n\n".join(lines) + "\n\n" + body, encoding="utf-8")
    quarto = quarto_binary()
    _run([quarto, "render", "report.qmd", "--to", "html"], work, "quarto render (HTML)")
    _run([quarto, "render", "report.qmd", "--to", "typst"], work, "quarto render (PDF)")
    shutil.move(work / "report.html", html)
    shutil.move(work / "report.pdf", pdf)


# ------------------------------------------------------------------ data outputs (metrics CSV, xlsx)

def _render_metrics_csv(work: Path, meta: ReportMeta, opts: dict, target: Path) -> None:
    """``<stem>-metrics.csv``: the tidy metrics, formula-safe (the next build reads it for revisions)."""
    from torbayreport.publish.outputs import write_metrics_csv

    if meta.artefacts is None:
        raise RenderError("the metrics CSV needs the prepared report folder (ReportMeta.artefacts)")
    write_metrics_csv(meta.artefacts, meta.audience, target)


def _render_xlsx(work: Path, meta: ReportMeta, opts: dict, target: Path) -> None:
    """``<stem>.xlsx``: the month's workbook (:func:`torbayreport.publish.outputs.write_workbook`)."""
    from torbayreport.publish.outputs import write_workbook

    if meta.artefacts is None:
        raise RenderError("the workbook needs the prepared report folder (ReportMeta.artefacts)")
    about = {"Council": meta.council, "Report": meta.title, "Reporting month": meta.month_label,
             "Committee": meta.committee, "Security marking": meta.marking, "Data as at": meta.as_at,
             "Build id": meta.build_id}
    built = dt.datetime.fromtimestamp(meta.built_epoch, dt.timezone.utc) if meta.built_epoch is not None else None
    write_workbook(meta.artefacts, meta.audience, meta.month, about, target, built=built)


#: The output-format registry (in the spirit of papermill's engines): format name -> (file
#: suffix, renderer(work, meta, opts, target)). ``_quarto.yml``'s ``torbayreport.formats`` picks
#: which run; adding a format is one entry here and its name there.
RENDERERS = {
    "html": (".html", _render_html_pandoc),
    "pdf": (".pdf", _render_pdf_typst),
    "metrics-csv": ("-metrics.csv", _render_metrics_csv),
    "xlsx": (".xlsx", _render_xlsx),
}
#: Formats written from the prepared report folder (``ReportMeta.artefacts``), not the notebooks.
NEEDS_ARTEFACTS = {"metrics-csv", "xlsx"}


# -------------------------------------------------------------------------------- checks

class _HtmlAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.images = 0
        self.images_without_alt = 0
        self.remote = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "img":
            self.images += 1
            if not (attrs.get("alt") or "").strip():
                self.images_without_alt += 1
        for name in ("src", "href", "data", "poster", "action", "srcset"):
            if tag == "a" and name == "href":
                continue  # a hyperlink is navigation the reader chooses, not a resource the page loads
            value = (attrs.get(name) or "").strip().lower()
            if value.startswith(("http://", "https://", "//")):
                self.remote.append(f"<{tag} {name}={attrs.get(name)!r}>")


_CSS_URL_RE = re.compile(r"url\(\s*['\"]?\s*(https?:)?//", re.IGNORECASE)


def check_html(path: Path, *, lang: str = "en-GB") -> list[str]:
    """Problems that would make the HTML unfit to publish offline/accessibly (empty list = fine)."""
    text = Path(path).read_text(encoding="utf-8")
    audit = _HtmlAudit()
    audit.feed(text)
    problems = []
    if audit.lang != lang:
        problems.append(f'<html lang> is {audit.lang!r}, expected "{lang}"')
    if audit.images_without_alt:
        problems.append(f"{audit.images_without_alt} of {audit.images} image(s) have no alt text")
    problems += [f"remote resource reference {r}" for r in audit.remote]
    if _CSS_URL_RE.search(text):
        problems.append("a CSS url() points to a remote resource")
    return problems


