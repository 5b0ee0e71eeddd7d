"""The pandoc + typst renderers of the report's HTML and PDF (:data:`.render.RENDERERS` "html", "pdf").

Why its own module, and why this shape (issue 13, render time): both formats start from the same
``report.md``, and reading it is most of pandoc's work (about 1.2 CPU s of the 300 kB of pipe
tables a month's report holds). So the markdown is read **once** into pandoc's JSON AST
(:func:`pandoc_ast`, shared by the format threads: the first to ask converts, the other waits) and
each writer reads the AST with ``-f json``, running the Lua filters for its own ``FORMAT`` as
before. Pandoc's JSON is its AST written out in full, so the writers produce the same bytes as when
they read the markdown themselves; the metadata file is read at the markdown step, by the same
markdown reader as before. Every pandoc call also gets a bigger GHC allocation area
(:data:`PANDOC_RTS`): less garbage-collector work, the same output.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from torbayreport.publish.meta import ReportMeta
from torbayreport.publish.notebook_markdown import RenderError

log = logging.getLogger("torbayreport.render")

_PANDOC_FROM = "markdown-implicit_figures-tex_math_dollars-raw_attribute"

#: GHC runtime options for every pandoc call: a 64 MB allocation area (the binary's default is a
#: 64 MB suggested heap with 4 MB areas) halves the young-generation collections of a report;
#: measured 0.3 CPU s less for the HTML writer, the same bytes. Left out when the binary refuses
#: runtime options (:func:`_pandoc_rts`).
PANDOC_RTS = ("+RTS", "-A64m", "-RTS")


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.lru_cache(maxsize=None)
def _pandoc_rts(pandoc: str) -> tuple[str, ...]:
    """:data:`PANDOC_RTS` if this pandoc accepts runtime options (a binary linked without
    ``-rtsopts`` exits with an error), else nothing. Asked once per binary and process."""
    try:
        done = subprocess.run([pandoc, *PANDOC_RTS, "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ()
    return PANDOC_RTS if done.returncode == 0 else ()


def _pandoc_cmd() -> list[str]:
    pandoc = _pandoc()
    return [pandoc, *_pandoc_rts(pandoc)]


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RenderError(f"{what} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    if done.stderr.strip():
        log.info("%s said: %s", what, done.stderr.strip())


def _metadata_file(work: Path, meta: ReportMeta, opts: dict) -> Path:
    """Template variables for pandoc (:meth:`ReportMeta.pandoc_metadata`), as a JSON (= YAML) file."""
    values = meta.pandoc_metadata(lang=opts["lang"], toc_title=opts["toc_title"])
    path = work / "meta.json"
    # written by each format's thread: same content, swapped in whole so no reader sees half a file
    partial = work / f"meta.{threading.get_ident()}.json"
    partial.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
    return path


_AST_LOCKS: dict[str, threading.Lock] = {}
_AST_LOCKS_GUARD = threading.Lock()


def pandoc_ast(work: Path, meta: ReportMeta, opts: dict) -> Path:
    """``work/report.md`` and the report's metadata read once by pandoc's markdown reader, as a
    JSON AST file every pandoc writer reads (``-f json``).

    Named by the digest of what it was read from, so a changed ``report.md`` or metadata is read
    again, never served stale. The format threads of one render share it: one lock per work
    folder, so the first thread converts and the others wait for its file (renders of other work
    folders go on meanwhile)."""
    work = Path(work)
    metadata = _metadata_file(work, meta, opts)
    digest = hashlib.sha256((work / "report.md").read_bytes() + b"\0" + metadata.read_bytes()).hexdigest()[:16]
    ast = work / f"report-{digest}.json"
    with _AST_LOCKS_GUARD:
        lock = _AST_LOCKS.setdefault(str(work.resolve()), threading.Lock())
    with lock:
        if not ast.is_file():
            partial = work / f"report-{digest}.{threading.get_ident()}.json"
            _run([*_pandoc_cmd(), "report.md", "-f", _PANDOC_FROM, "--metadata-file", metadata,
                  "-t", "json", "-o", partial.name], work, "pandoc (reading the markdown)")
            os.replace(partial, ast)
    return ast


def forget_ast_lock(work: Path) -> None:
    """Drop the lock :func:`pandoc_ast` kept for ``work`` (called when its render is over)."""
    with _AST_LOCKS_GUARD:
        _AST_LOCKS.pop(str(Path(work).resolve()), None)


def _render_html_pandoc(work: Path, meta: ReportMeta, opts: dict, target: Path) -> None:
    ast = pandoc_ast(work, meta, opts)
    cmd = [*_pandoc_cmd(), ast.name, "-f", "json", "-t", "html5", "--standalone",
           "--resource-path", work, "-o", target]
    if opts["html_template"]:
        cmd += ["--template", opts["html_template"]]
    for css in opts["html"]["css"]:
        cmd += ["--css", css]
    if opts["html"]["embed_resources"]:
        cmd.append("--embed-resources")
    if opts["html"]["toc"]:
        cmd += ["--toc", f"--toc-depth={opts['toc_depth']}"]
    if opts["number_sections"]:
        cmd.append("--number-sections")
    for lua in opts["lua_filters"]:
        cmd += ["--lua-filter", lua]
    _run(cmd, work, "pandoc (HTML)")


def _typst_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _typst_value(value) -> str:
    """A Python option value as Typst code: lengths stay raw, dicts become Typst dictionaries."""
    if value is None or value is False:
        return "none" if value is None else "false"
    if value is True:
        return "true"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}: {_typst_value(v)}" for k, v in value.items()) + ")"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.fullmatch(r"-?\d+(\.\d+)?(pt|mm|cm|in|em|%)", text):
        return text
    return _typst_str(text)


def _render_pdf_typst(work: Path, meta: ReportMeta, opts: dict, target: Path) -> None:
    import typst

    t = opts["typst"]
    ast = pandoc_ast(work, meta, opts)
    cmd = [*_pandoc_cmd(), ast.name, "-f", "json", "-t", "typst", "-o", "body.typ", "--resource-path", work]
    for lua in opts["lua_filters"]:
        cmd += ["--lua-filter", lua]
    _run(cmd, work, "pandoc (Typst)")
    template = opts["typst_template"]
    if not template or not template.is_file():
        raise RenderError(f"typst template not found: {template}")
    shutil.copy(template, work / "report-template.typ")
    lang, _, region = opts["lang"].partition("-")
    args = {
        "title": _typst_str(meta.title), "council": _typst_str(meta.council),
        "month-label": _typst_str(meta.month_label), "audience-label": _typst_str(meta.audience_label),
        "marking": _typst_str(meta.marking), "as-at": _typst_str(meta.as_at),
        "build-id": _typst_str(meta.build_id), "built-at": _typst_str(meta.built_at),
        "committee": _typst_str(meta.committee), "meeting-date": _typst_str(meta.meeting_date),
        "agenda-item": _typst_str(meta.agenda_item), "purpose": _typst_str(meta.purpose),
        "recommendations": "(" + "".join(_typst_str(r) + ", " for r in meta.recommendations) + ")",
        "author": _typst_str(meta.author), "contact": _typst_str(meta.contact),
        "toc": _typst_value(t["toc"]), "toc-title": _typst_str(opts["toc_title"]),
        "toc-depth": str(opts["toc_depth"]),
        "section-numbering": _typst_value(t["section_numbering"]),
        "page-numbering": _typst_value(t["page_numbering"]),
        "papersize": _typst_str(t["papersize"]), "margin": _typst_value(t["margin"]),
        "font": "(" + ", ".join(_typst_str(f) for f in [t["mainfont"], *t["fallback_fonts"]]) + ",)",
        "fontsize": _typst_value(t["fontsize"]),
        "lang": _typst_str(lang.lower()), "region": _typst_str(region.upper()) if region else "none",
    }
    body = (work / "body.typ").read_text(encoding="utf-8")
    # pandoc centres every table; a committee paper reads down the left margin.
    body = body.replace("align(center)[#table(", "align(left)[#table(")
    main = ['#import "report-template.typ": report, horizontalrule, chart-with-data',
            "#show: report.with(" + ", ".join(f"{k}: {v}" for k, v in args.items()) + ")", "",
            body]
    (work / "main.typ").write_text("\n".join(main), encoding="utf-8")
    fonts = [str(p) for p in t["font_paths"] if p]
    missing = [p for p in fonts if not Path(p).is_dir()]
    if missing:
        raise RenderError(f"font folder(s) not found: {', '.join(missing)}")
    kwargs = {"font_paths": fonts, "ignore_system_fonts": True, "root": str(work),
              "timestamp": meta.built_epoch}
    if t["pdf_standard"]:
        kwargs["pdf_standards"] = [str(t["pdf_standard"])]
    try:
        _, warnings = typst.compile_with_warnings(str(work / "main.typ"), output=str(target), **kwargs)
    except Exception as exc:  # typst raises its own TypstError with the source location
        raise RenderError(f"typst could not compile the PDF: {exc}") from exc
    for warning in warnings or []:
        log.warning("typst: %s", warning)
