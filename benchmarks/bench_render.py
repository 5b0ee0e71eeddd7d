"""The render step, piece by piece (issue 13). Prints figures; asserts nothing.

    python3 benchmarks/bench_render.py BUILD_STAGE [--repeat 3]

BUILD_STAGE is an audience's folder of a finished build (``--build-root R`` gives
``R/<month>/<audience>``: manifest.json, context.json, executed/). In one run:

* the whole render (``render_report``: every format on its threads) -- wall, and CPU seconds of
  this process (Python, typst, the workbook) and of its children (pandoc);
* each piece alone, CPU seconds, best of ``--repeat``: the notebooks -> markdown step, pandoc reading
  the markdown into the JSON AST, the HTML writer and the Typst writer reading that AST (with the
  Lua filters and the runtime options the renderer uses), the same two writers reading the markdown
  themselves (the path before issue 13, one read per format), typst compiling the PDF, the
  workbook, the metrics CSV and the HTML check.

Why CPU seconds: the machine is shared, and the formats run at once on two cores, so the render's
wall time is bounded by its total CPU divided by the cores; CPU moves much less with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from torbayreport.publish import render, render_pandoc  # noqa: E402
from torbayreport.publish.pipeline import _report_meta  # noqa: E402


# typst memoises compilation within a process (a second compile of a document is nearly free), so
# the PDF compile is timed in a fresh interpreter; its CPU includes importing typst (about 0.05 s)
TYPST_COMPILE = ("import typst; typst.compile('main.typ', output='z.pdf', font_paths={fonts!r}, "
                 "ignore_system_fonts=True, root='.', pdf_standards=[{standard!r}] if {standard!r} else [], "
                 "timestamp=1700000000)")


def _cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _best(repeat: int, fn) -> tuple[float, float]:
    """(best CPU seconds of this process + children, wall of that run) over ``repeat`` runs."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        c0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        fn()
        wall = time.perf_counter() - w0
        cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - c0
        best = min(best, (cpu, wall))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    manifest = json.loads((args.stage / "manifest.json").read_text())
    meta, slug = _report_meta(args.stage, manifest)
    opts = render.project_options()
    meta.marking = meta.marking or opts["markings"][meta.audience]
    executed = {name: args.stage / "executed" / f"{name}.ipynb" for name in manifest["notebooks"]}
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; stage {args.stage}")

    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        tmp = Path(tmp)
        s0, k0, w0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
        render.render_report(executed, tmp / "out", f"{slug}-bench", meta)
        print(f"whole render: wall {time.perf_counter() - w0:.2f} s; CPU {_cpu(resource.RUSAGE_SELF) - s0:.2f} s "
              f"in this process + {_cpu(resource.RUSAGE_CHILDREN) - k0:.2f} s in pandoc")

        work = tmp / "work"
        work.mkdir()
        pieces = {"notebooks -> markdown": lambda: (work / "report.md").write_text(
            render.combined_markdown(executed, work / "figures"), encoding="utf-8")}
        pieces["notebooks -> markdown"]()
        pandoc = render_pandoc._pandoc_cmd()
        filters = [a for lua in opts["lua_filters"] for a in ("--lua-filter", str(lua))]
        html_opts = ["--standalone", "--resource-path", str(work), "--template", str(opts["html_template"]),
                     *[a for css in opts["html"]["css"] for a in ("--css", str(css))], "--embed-resources",
                     "--toc", f"--toc-depth={opts['toc_depth']}", "--number-sections", *filters]
        metadata = render_pandoc._metadata_file(work, meta, opts)

        def run(*cmd):
            subprocess.run([*cmd], cwd=work, check=True, capture_output=True)

        ast = render_pandoc.pandoc_ast(work, meta, opts)
        render_pandoc._render_pdf_typst(work, meta, opts, work / "x.pdf")   # writes main.typ
        pieces.update({
            "pandoc: markdown -> JSON AST": lambda: run(*pandoc, "report.md", "-f", render_pandoc._PANDOC_FROM,
                                                        "--metadata-file", str(metadata), "-t", "json", "-o", "x.json"),
            "pandoc: AST -> HTML": lambda: run(*pandoc, ast.name, "-f", "json", "-t", "html5", *html_opts, "-o", "x.html"),
            "pandoc: AST -> Typst": lambda: run(*pandoc, ast.name, "-f", "json", "-t", "typst", *filters, "-o", "x.typ"),
            "one read per format: markdown -> HTML": lambda: run(render_pandoc._pandoc(), "report.md", "-f", render_pandoc._PANDOC_FROM,
                                                    "--metadata-file", str(metadata), "-t", "html5", *html_opts,
                                                    "-o", "y.html"),
            "one read per format: markdown -> Typst": lambda: run(render_pandoc._pandoc(), "report.md", "-f",
                                                     render_pandoc._PANDOC_FROM, "-t", "typst", *filters, "-o", "y.typ"),
            "typst compile, fresh process": lambda: run(sys.executable, "-c", TYPST_COMPILE.format(
                fonts=[str(f) for f in opts["typst"]["font_paths"]], standard=opts["typst"]["pdf_standard"])),
            "workbook": lambda: render.RENDERERS["xlsx"][1](work, meta, opts, work / "x.xlsx"),
            "metrics CSV": lambda: render.RENDERERS["metrics-csv"][1](work, meta, opts, work / "x.csv"),
            "HTML check": lambda: render.check_html(work / "x.html", lang=opts["lang"]),
        })
        for name, fn in pieces.items():
            cpu, wall = _best(args.repeat, fn)
            print(f"  {name:38s} CPU {cpu:5.2f} s (wall {wall:5.2f} s)")


if __name__ == "__main__":
    main()
