"""Executed notebooks -> the report's markdown: each output a reader should see, figures saved
beside it with their alt text, and a clear error for anything that would print wrong.

Why a module of its own: both renderers (pandoc + typst and Quarto) start from this markdown, and
its rules (no error outputs, no figure without alt text, no HTML-only output) are the contract
between the notebooks and the page.
"""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

from torbayreport.publish.execute import BuildError

log = logging.getLogger("torbayreport.render")

# `![ALT](data:image/png;base64,....)` as the notebooks emit it; optional {attributes} after.
_DATA_IMAGE_RE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\(\s*data:image/(?P<kind>png|jpeg|svg\+xml);base64,(?P<data>[A-Za-z0-9+/=\s]+?)\s*\)"
)
_EMPTY_ALT_RE = re.compile(r"!\[\s*\]\(")
_EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg+xml": "svg"}


class RenderError(BuildError):
    """The notebooks cannot be rendered into an acceptable report; the message says why."""


def notebook_to_markdown(path: Path, figures_dir: Path, prefix: str) -> str:
    """Pandoc markdown for one executed notebook (see the module docstring for the rules)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    name = Path(path).stem
    meta = nb.metadata.get("papermill", {})
    if meta.get("exception"):
        raise RenderError(f"{name}: the notebook failed when executed; it cannot be rendered")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if code_cells and not any(c.get("outputs") for c in code_cells) and not meta:
        raise RenderError(f"{name}: no code cell has outputs — this looks like an unexecuted template")

    parts: list[str] = []
    dropped_streams = 0
    figure_no = 0

    def save_figure(match: re.Match) -> str:
        nonlocal figure_no
        alt = match.group("alt").strip()
        if not alt:
            raise RenderError(f"{name}: a figure has no alt text (write ![description](...))")
        figure_no += 1
        raw = base64.b64decode(re.sub(r"\s+", "", match.group("data")))
        target = figures_dir / f"{prefix}-fig{figure_no:02d}.{_EXTENSIONS[match.group('kind')]}"
        target.write_bytes(raw)
        return f"![{alt}]({figures_dir.name}/{target.name})"

    for index, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "papermill-error-cell-tag", "parameters", "injected-parameters"}:
            continue
        if cell.cell_type == "markdown":
            parts.append(_with_figures(cell.source, save_figure, name, index))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                kind = output.get("output_type")
                if kind == "error":
                    raise RenderError(f"{name}: cell {index} holds an error output "
                                      f"({output.get('ename')}: {output.get('evalue')})")
                if kind == "stream":
                    dropped_streams += 1
                    continue
                data = output.get("data", {})
                if "text/markdown" in data:
                    text = data["text/markdown"]
                    text = "".join(text) if isinstance(text, list) else text
                    parts.append(_with_figures(text, save_figure, name, index))
                elif any(k.startswith("image/") for k in data):
                    raise RenderError(
                        f"{name}: cell {index} shows a figure without alt text (a bare image output); "
                        "emit figures as markdown ![alt text](data:image/png;base64,...)")
                elif "text/html" in data:
                    log.warning("%s: cell %d: an HTML-only output is left out (emit tables as markdown)",
                                name, index)
                else:
                    log.info("%s: cell %d: a plain-text output is left out", name, index)
    if dropped_streams:
        log.info("%s: %d stream output(s) (print, warnings) left out of the report", name, dropped_streams)
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


def _with_figures(text: str, save_figure, name: str, index: int) -> str:
    if _EMPTY_ALT_RE.search(text):
        raise RenderError(f"{name}: cell {index}: an image has empty alt text")
    return _DATA_IMAGE_RE.sub(save_figure, text)
