"""Write the report's template notebooks (run: ``python3 notebooks/generate_notebooks.py``).

Why generated: the notebooks are templates committed without outputs, and every one follows the
same shape — a chapter heading, a ``parameters`` cell of literal assignments (papermill injects the
build's values after it), one ``ctx = load_context(...)`` cell, then markdown that explains the
section to a member of the board and code cells that each call ONE helper of
``torbayreport.context.ReportContext``. Writing them from this script keeps that shape uniform and
makes a change to it a reviewable diff of Python rather than of notebook JSON. Edit the text here,
re-run, and commit both.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

PARAMETERS = '''month = "2020-12"  # report month, YYYY-MM
audience = "internal"  # "internal" (Improvement Board) or "public" (Overview and Scrutiny)
data_dir = "../data/sample"  # folder of extracts
params_file = "../params/defaults.yaml"  # LA, targets and tolerances (month commentary beside it)
build_dir = ""  # folder prepared by torbayreport build (empty: prepare here, cached)'''

LOAD = '''from torbayreport.context import load_context

ctx = load_context(month=month, audience=audience, data_dir=data_dir, params_file=params_file, build_dir=build_dir)'''

READING_GUIDE = (
    "Each measure is shown in three ways. The **RAG rating** compares this month with the target "
    "(Green ✔ met, Amber ▲ within tolerance, Red ✖ missed). The **direction of travel** compares this "
    "month with last month; a single month's change is often just normal variation. The **SPC reading** "
    "(statistical process control, as in the NHS *Making Data Count* approach) looks at the whole trend "
    "and says whether the latest month is a real signal of change (*special cause*) or within the normal "
    "range (*common cause*), and whether the target is likely to be met (*assurance*). The symbols are "
    "explained in the appendix."
)

PILLARS = {
    "leadership": (
        "Leadership, management and governance",
        "Improvement Plan pillar 1 (objectives 1.1 to 1.3): caseloads, supervision, management "
        "oversight, the response to children who go missing, the pace of the improvement plan itself "
        "and the handling of allegations against adults who work with children (LADO).",
    ),
    "practice": (
        "A robust model of social work practice",
        "Improvement Plan pillar 2 (objectives 2.1 to 2.8): the front door (contacts and referrals), "
        "assessments, child protection enquiries, plans and visits, children in care and care leavers, "
        "and pre-proceedings work.",
    ),
    "workforce": (
        "A sufficient and skilled workforce",
        "Improvement Plan pillar 3 (objective 3.1): agency use, turnover and vacancies, how often "
        "children change social worker, mandatory training and the caseloads of newly qualified "
        "social workers.",
    ),
    "quality": (
        "Quality assurance and audit",
        "Improvement Plan pillar 4 (objective 4.1): whether the audit programme is completed, what "
        "audits find, whether inadequate work is put right, and the response to complaints.",
    ),
}


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    for index, cell in enumerate(nb.cells):  # stable ids: regenerating gives an identical file
        cell["id"] = f"cell-{index:02d}"
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def code(source: str, tags: list[str] | None = None):
    cell = new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def opening(title: str, intro: str) -> list:
    return [
        new_markdown_cell(f"# {title}\n\n{intro}"),
        code(PARAMETERS, tags=["parameters"]),
        code(LOAD),
    ]


def summary() -> nbformat.NotebookNode:
    return notebook([
        *opening("Executive summary", "The headlines of this month's performance report on the Improvement Plan."),
        code("ctx.title_block()"),
        new_markdown_cell(
            "## Summary\n\nThe points below are written automatically from the figures, so that they always "
            "match the tables; the analyst's summary follows them."
        ),
        code("ctx.executive_summary()"),
        new_markdown_cell(
            "## Performance against target by pillar\n\nHow many measures in each pillar of the plan met "
            "their target this month (Green ✔), were close to it (Amber ▲) or missed it (Red ✖). Context "
            "measures have no target and are watched for change only.\n\n" + READING_GUIDE
        ),
        code("ctx.rag_summary()"),
        new_markdown_cell(
            "## Measures showing a signal of change\n\nThese measures show *special-cause variation* in the "
            "latest month: a change larger or more sustained than the process normally produces, for better "
            "(improvement) or worse (concern). They are the ones to ask about."
        ),
        code("ctx.special_cause()"),
        new_markdown_cell(
            "## Measures consistently failing their target\n\nFor these measures the target lies outside the "
            "range the figures normally vary within, so the target will not be met by waiting: something in "
            "the way the work is done has to change."
        ),
        code("ctx.consistently_failing()"),
        new_markdown_cell(
            "## Improvement plan progress\n\nThe number of Improvement Plan actions that each lead rated Red, "
            "Amber or Green this month, by pillar, with last month's count for comparison."
        ),
        code("ctx.plan_headline()"),
    ])


def pillar(name: str) -> nbformat.NotebookNode:
    title, intro = PILLARS[name]
    return notebook([
        *opening(title, intro),
        new_markdown_cell(
            "## Scorecard\n\nOne row per measure: the latest month's figure (with the numbers behind a "
            "percentage), last month's, the target, and the ratings. " + READING_GUIDE
        ),
        code(f'ctx.scorecard("{name}")'),
        new_markdown_cell("## Analyst's overview"),
        code(f'ctx.pillar_commentary("{name}")'),
        new_markdown_cell(
            "## Measures in detail\n\nFor each measure: a chart of the last two years with its average "
            "(solid line), the process limits within which it normally varies (dashed) and the target; "
            "points are marked by shape and colour when they are a signal of improvement or concern. Below "
            "each chart is the latest reading in words and the analyst's commentary for the month."
        ),
        code(f'ctx.trend_figures("{name}")'),
        new_markdown_cell(
            "## Improvement plan actions\n\nThe actions of this pillar of the Improvement Plan as their leads "
            "rated them this month: the counts by RAG, the actions that are overdue, and the actions whose "
            "rating changed since last month with the evidence given."
        ),
        code(f'ctx.plan_tracker("{name}")'),
    ])


def exceptions() -> nbformat.NotebookNode:
    sections = [
        ("Children on a child protection plan whose visit is overdue", "cp_visits_overdue"),
        ("Children in need whose visit is overdue", "cin_visits_overdue"),
        ("Children looked after whose visit is overdue", "cla_visits_overdue"),
        ("Assessments completed late this month", "assessments_late"),
        ("Assessments still open after 45 working days", "assessments_open_overdue"),
        ("Inadequate audits awaiting re-audit", "reaudits_awaited"),
        ("Social workers over the caseload limit", "caseload_over_limit"),
        ("Newly qualified social workers over 18 children", "asye_over_limit"),
    ]
    cells = opening(
        "Exceptions and team drill-down",
        "**Internal: contains information about individual children and staff. Not for publication.** "
        "These lists are the children and workers behind the measures that missed their standard this "
        "month, so that team managers can act on each one. They are drawn from the same records the "
        "measures count, so a list's length matches the gap in its measure.",
    )
    for heading, name in sections:
        cells += [new_markdown_cell(f"## {heading}"), code(f'ctx.exceptions("{name}")')]
    cells += [
        new_markdown_cell(
            "## Team drill-down\n\nThe practice measures by team this month (children counted with the team "
            "of their allocated social worker at month end; workers with their own team). Small teams move a "
            "long way with one child, so read the numbers beside each percentage."
        ),
        code("ctx.team_drilldown()"),
    ]
    return notebook(cells)


def appendix() -> nbformat.NotebookNode:
    return notebook([
        *opening("Appendix: definitions, method and data quality",
                 "How each measure is defined and rated, what the symbols mean, and how complete the data were."),
        new_markdown_cell(
            "## Measure definitions\n\nThe definitions are printed from the same code that counts each "
            "measure, so they cannot drift apart."
        ),
        code("ctx.definitions()"),
        new_markdown_cell("## Symbols and words used in this report"),
        code("ctx.symbol_key()"),
        new_markdown_cell("## How the ratings are worked out"),
        code("ctx.method_notes()"),
        new_markdown_cell(
            "## Data quality\n\nProblems found when the extracts were checked, counted by file, column and "
            "check. Records with errors are reported here rather than silently dropped."
        ),
        code("ctx.data_quality()"),
        new_markdown_cell("## Input files\n\nThe files this report was built from, with a fingerprint (SHA-256) "
                          "of each so that the report can be reproduced exactly."),
        code("ctx.inputs()"),
    ])


def main() -> None:
    books = {"summary": summary(), **{name: pillar(name) for name in PILLARS}, "exceptions": exceptions(),
             "appendix": appendix()}
    for name, nb in books.items():
        nbformat.validate(nb)
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb ({len(nb.cells)} cells)")


if __name__ == "__main__":
    main()
