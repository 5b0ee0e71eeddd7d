"""Hostile and careless input through real builds (issue 11): free text stays text, CSVs stay data.

One copy of the committed sample and one params folder carry every payload below at once -- in the
month's commentary (summary, a pillar, two KPIs), ``la.name``, ``report.title``, the plan tracker's
action, lead and evidence, and as a team name in the extracts -- and go through ONE public and ONE
internal build, made together as ``--audience all`` makes them (builds are slow; every
check reads those two). The HTML is parsed with
``html.parser``: no live element or attribute may come from the input, and the payloads must be
visible as typed. The PDF must build and its text carry them. Every CSV the build wrote must hold
no formula cell from the input.

The corpus is the red-team pass's (issue 11 "What was found" 1-2) plus the pandoc markdown
constructs that reach raw output (pandoc manual: raw_html, raw_tex, raw_attribute, citations,
footnotes, attributes, tex_math_dollars, yaml_metadata_block) and the OWASP "CSV Injection"
trigger characters (= + - @ tab CR).

The identifier variants and the threshold need no rendering: the public build stops while it
prepares (``prepare`` scans what it wrote, commentary included). A refused build still computes
every KPI (about 20 s), so three variants (an id, a name, a date of birth) go through the build and
all nine through the same guard call on a context.json, with the sample's tables loaded once.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pypdf
import pytest
import yaml

from .conftest import MONTH, ROOT, SAMPLE, build_root_with, needs_sample

pytestmark = needs_sample

TEMPLATE = ROOT / "reports" / "assets" / "report.html"

# ----------------------------------------------------------------------------- the corpus

#: (kind, payload): at least the 23 kinds of the red-team pass, each a different route to live
#: markup, raw output or silent loss in pandoc markdown -> HTML / Typst.
HOSTILE = [
    ("script", '<script>alert("s1")</script>'),
    ("img onerror", "<img src=x onerror=alert(2)>"),
    ("javascript markdown link", "[click me](javascript:alert(3))"),
    ("javascript html link", '<a href="javascript:alert(4)">open</a>'),
    ("iframe srcdoc", '<iframe srcdoc="<b>x</b>"></iframe>'),
    ("style", "<style>body{display:none}</style>"),
    ("citation", "@smith2020 says so"),
    ("bracket citation", "[@doe99, p. 3]"),
    ("tex input", r"\input{/etc/passwd}"),
    ("tex macro", r"\alpha and \newpage"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    ("raw inline html", "`<b>bold</b>`{=html}"),
    ("raw inline typst", '`#import "evil.typ": *`{=typst}'),
    ("typst set", "#set page(fill: red)"),
    ("typst import", '#import "evil.typ": *'),
    ("inline math", "$x^2$ cost"),
    ("display math", r"$$\int_0^1 f$$"),
    ("svg onload", "<svg onload=alert(18)>"),
    ("object", '<object data="x.swf"></object>'),
    ("embed", '<embed src="x.swf">'),
    ("span attribute", "[hover]{onmouseover=alert(21)}"),
    ("footnote", "note^[a footnote]"),
    ("html comment", "<!-- hidden -->"),
    ("entity", "&lt;b&gt; and &#x3C;i&#x3E;"),
    ("remote image", "![pixel](https://evil.example/p.png)"),
    ("div handler", "<div onmouseover=alert(26)>div</div>"),
    ("heading", "# Not a heading"),
    ("table pipes", "a | b | c"),
]
#: Blocks that only make sense in multi-line prose (raw blocks, YAML, fenced code).
HOSTILE_BLOCKS = [
    ("raw html block", "```{=html}\n<script>alert('block')</script>\n```"),
    ("raw typst block", "```{=typst}\n#set text(fill: red)\n```"),
    ("yaml block", "---\ntitle: injected\n---"),
]
#: OWASP CSV-injection payloads (cells that a spreadsheet runs), in plan-tracker text and team names.
FORMULAS = ['=HYPERLINK("https://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
            "\t=1+1", "=1+1"]
#: Clean commentary an analyst writes, with dates that are not dates of birth: must not refuse.
CLEAN_DATES = "Visits in 01/12/2020 to 24/12/2020 were checked; the audit on 2020-12-03 and 18 June 2019."

LA_NAME = "Torbay <script>alert('la')</script> <img src=x onerror=alert('la')> @council \\alpha"
TITLE = 'Report <iframe srcdoc="x"></iframe> #set page(fill: red) [x](javascript:alert(1))'
TEAM = "SAT <img src=x onerror=alert('team')> @team"
#: Payloads looked for verbatim in the HTML's visible text and the PDF's text.
VERBATIM = ['<script>alert("s1")</script>', "<img src=x onerror=alert(2)>", "@smith2020", r"\input{/etc/passwd}",
            "#set page(fill: red)", "$x^2$", r"\alpha", "[@doe99, p. 3]"]


def _prose(items) -> str:
    return "\n\n".join(payload for _, payload in items)


@pytest.fixture(scope="module")
def hostile_inputs(tmp_path_factory):
    """A copy of the sample and a params folder with every payload in every text route."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(SAMPLE, data)

    def rewrite(name, change):
        frame = pd.read_csv(data / f"{name}.csv", dtype=str, keep_default_na=False)
        change(frame)
        frame.to_csv(data / f"{name}.csv", index=False)

    def plan(frame):
        now = frame["month"] == MONTH
        frame.loc[now, "evidence"] = [f"{FORMULAS[i % len(FORMULAS)]} {HOSTILE[i % len(HOSTILE)][1]}"
                                      for i in range(int(now.sum()))]
        frame.loc[now, "lead"] = [FORMULAS[i % len(FORMULAS)] for i in range(int(now.sum()))]
        frame.loc[now, "action"] = frame.loc[now, "action"] + " <img src=x onerror=alert('plan')> \\input{x}"

    def team(frame):
        frame.loc[frame["team"] == "SAT 1", "team"] = TEAM

    rewrite("plan_actions", plan)
    rewrite("staff", team)
    rewrite("establishment", team)

    params = root / "params"
    params.mkdir()
    (params / "council.yaml").write_text(yaml.safe_dump(
        {"la": {"name": LA_NAME}, "front_matter": {"council": LA_NAME}, "report": {"title": TITLE}},
        allow_unicode=True), encoding="utf-8")
    month = {
        "month": MONTH, "as_at": "2021-01-08",
        "summary": f"{CLEAN_DATES}\n\n{_prose(HOSTILE)}\n\n{_prose(HOSTILE_BLOCKS)}\n\n" + "\n\n".join(FORMULAS),
        "pillars": {"practice": _prose(HOSTILE[:14]), "quality": _prose(HOSTILE[14:])},
        "commentary": {"P04": _prose(HOSTILE), "L01": _prose(HOSTILE_BLOCKS) + "\n\n" + FORMULAS[0]},
    }
    (params / f"{MONTH}.yaml").write_text(yaml.safe_dump(month, allow_unicode=True, sort_keys=False),
                                          encoding="utf-8")
    return data, params / "council.yaml"


@pytest.fixture(scope="module")
def hostile_builds(hostile_inputs, tmp_path_factory, chart_cache):
    """The public and internal builds of the hostile inputs, made as ``--audience all`` makes them
    (``build_audiences``: one prepare, both audiences' notebooks on one pool of kernels), each
    audience published with its own guard. Its charts go to the session's chart folder, so the two
    audiences draw a chart that shows the same thing once (the hostile council name is on every
    chart, so none is shared with the other tests' builds)."""
    from torbayreport.publish.multi import build_audiences

    data, params = hostile_inputs
    out = tmp_path_factory.mktemp("hostile")
    results = build_audiences(MONTH, audiences=["public", "internal"], data_dir=data, params_file=params,
                              out_dir=out / "reports", build_root=build_root_with(chart_cache, out / "build"),
                              jobs=2, progress=False)
    return {result.audience: result for result in results}


@pytest.fixture(scope="module")
def public(hostile_builds):
    return hostile_builds["public"]


@pytest.fixture(scope="module")
def internal(hostile_builds):
    return hostile_builds["internal"]


@pytest.fixture(params=["public", "internal"])
def built(request):
    return request.getfixturevalue(request.param)


# ----------------------------------------------------------------------------- reading the HTML

class _Page(HTMLParser):
    """Every start tag (with whether it sits in <head>) and the body's visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict, bool]] = []
        self.text: list[str] = []
        self._head = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self._head = True
        self.tags.append((tag, {k.lower(): (v or "") for k, v in attrs}, self._head))
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, {k.lower(): (v or "") for k, v in attrs}, self._head))

    def handle_endtag(self, tag):
        if tag == "head":
            self._head = False
        if tag in ("script", "style", "title"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._head and not self._skip:
            self.text.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _fold(text: str) -> str:
    return " ".join(text.split())


def _template_meta() -> set[tuple[str, str]]:
    """The <meta> tags the report template itself declares, as (attribute, value) pairs."""
    found = set()
    for tag in re.findall(r"<meta\b[^>]*>", TEMPLATE.read_text(encoding="utf-8")):
        for attr in ("charset", "name", "http-equiv"):
            m = re.search(rf'\b{attr}="([^"$]*)"', tag)
            if m:
                found.add((attr, m.group(1).lower()))
    return found


# ----------------------------------------------------------------------------- HTML: nothing live

def test_no_live_element_or_handler_reaches_the_html(built):
    page = _page(built.html)
    tags = [t for t, _, _ in page.tags]
    for dangerous in ("script", "iframe", "object", "embed", "frame", "frameset", "base", "form"):
        assert dangerous not in tags, f"live <{dangerous}> in {built.html.name}"
    # the template's own <style> sits in <head>; none may appear in the body
    assert not [t for t, _, head in page.tags if t == "style" and not head]
    handlers = [(t, a) for t, attrs, _ in page.tags for a in attrs if a.startswith("on")]
    assert handlers == []
    links = [(t, v) for t, attrs, _ in page.tags for k, v in attrs.items()
             if k in ("href", "src", "action", "formaction", "xlink:href", "data")
             and re.sub(r"[\s\x00-\x1f]", "", v).lower().startswith(("javascript:", "vbscript:"))]
    assert links == []
    remote = [(t, v) for t, attrs, _ in page.tags for k, v in attrs.items()
              if k in ("src", "srcset", "data") and v.strip().lower().startswith(("http:", "https:", "//"))]
    assert remote == [], "a remote resource would be fetched when the report is opened"


def test_meta_tags_are_only_the_templates_own(built):
    allowed = _template_meta()
    metas = [attrs for t, attrs, _ in _page(built.html).tags if t == "meta"]
    for attrs in metas:
        keys = {(a, attrs[a].lower()) for a in ("charset", "name", "http-equiv") if a in attrs}
        assert keys and keys <= allowed, f"<meta {attrs}> is not the template's"
    assert not [a for a in metas if a.get("http-equiv", "").lower() == "refresh"]
    # and the Content-Security-Policy forbidding scripts is there
    csp = [a["content"] for a in metas if a.get("http-equiv", "").lower() == "content-security-policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


# ----------------------------------------------------------------------------- HTML and PDF: shown literally

def test_payloads_are_shown_as_typed_in_the_html(built):
    text = _fold(" ".join(_page(built.html).text))
    for payload in VERBATIM:
        assert _fold(payload) in text, f"{payload!r} is not shown literally"
    assert _fold(LA_NAME) in text and _fold(TITLE) in text
    assert "01/12/2020 to 24/12/2020" in text
    assert "```{=html}" in text and "title: injected" in text  # raw blocks print, never vanish


def test_the_page_title_and_header_metadata_print_the_name_literally(built):
    html = built.html.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "&lt;script&gt;" in title and "<script" not in title


def test_the_pdf_builds_and_its_text_carries_the_payloads(built):
    text = _fold("\n".join(page.extract_text() or "" for page in pypdf.PdfReader(built.pdf).pages))
    squeezed = text.replace(" ", "")
    for payload in ("@smith2020", r"\input{/etc/passwd}", "#set page(fill: red)", r"\alpha",
                    '<script>alert("s1")</script>', "[@doe99, p. 3]"):
        assert payload.replace(" ", "") in squeezed, f"{payload!r} missing from the PDF text"


def test_internal_tables_print_the_team_name_literally(internal):
    text = _fold(" ".join(_page(internal.html).text))
    assert _fold(TEAM) in text
    assert "<img src=x onerror=alert('plan')>" in text


# ----------------------------------------------------------------------------- CSVs: no formula cells

_TRIGGER = re.compile(r"^\s*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]")
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def _cells(path: Path):
    with open(path, encoding="utf-8", newline="") as handle:
        for row_no, row in enumerate(csv.reader(handle), start=1):
            for col_no, cell in enumerate(row, start=1):
                yield row_no, col_no, cell


def test_no_csv_the_build_writes_carries_a_formula_cell(built):
    csvs = sorted(Path(built.stage_dir).rglob("*.csv"))
    names = {p.name for p in csvs}
    assert {"metrics.csv", "findings.csv", "plan_changes.csv", "plan_overdue.csv"} <= names
    if built.audience == "internal":
        assert "teams.csv" in names and any(p.parent.name == "exceptions" for p in csvs)
    seen_payload = False
    for path in csvs:
        for row, col, cell in _cells(path):
            seen_payload |= "HYPERLINK" in cell or "cmd|" in cell or "SUM(1,2)" in cell
            assert not (_TRIGGER.match(cell) and not _NUMBER.match(cell)), f"{path.name} row {row} col {col}: {cell!r}"
    assert seen_payload, "the formula payloads never reached a CSV, so this test proved nothing"


def test_the_report_shows_the_formula_text_as_it_came_in(internal):
    # the CSVs carry '=HYPERLINK(...); the report, reading them back, prints the lead as typed
    text = _fold(" ".join(_page(internal.html).text))
    assert "=HYPERLINK(\"https://evil.example\",\"x\")" in text
    assert "'=HYPERLINK" not in text


# ----------------------------------------------------------------------------- identifiers in commentary

@pytest.fixture(scope="module")
def clean_params(tmp_path_factory):
    """A params folder maker: the month file's summary is ``summary``; everything else the defaults."""
    root = tmp_path_factory.mktemp("idparams")
    counter = iter(range(1000))

    def make(summary: str, council: dict | None = None) -> Path:
        folder = root / f"p{next(counter)}"
        folder.mkdir()
        (folder / "council.yaml").write_text(yaml.safe_dump(council or {"la": {"name": "Torbay"}}), encoding="utf-8")
        (folder / f"{MONTH}.yaml").write_text(yaml.safe_dump({"month": MONTH, "as_at": "2021-01-08",
                                                               "summary": summary}), encoding="utf-8")
        return folder / "council.yaml"

    return make


def _public_build(params, tmp_path):
    from torbayreport.publish.pipeline import build_month

    return build_month(MONTH, audience="public", data_dir=SAMPLE, params_file=params, out_dir=tmp_path / "reports",
                       build_root=tmp_path / "build", jobs=1, progress=False)


#: Child C000001 (born 2013-06-18) and worker W0007 Ruth Cox, from data/sample's children.csv and
#: staff.csv, written the ways the red-team pass found slipped through (issue 11, finding 3).
VARIANTS = ["Child C-000001 was seen late.", "Child C 000001 was seen late.", "The case of c000001 was audited.",
            "Allocated to Cox, Ruth in December.", "Allocated to R. Cox in December.",
            "Worker W-0007 has 30 cases.", "A child born 18th June 2013 was seen.",
            "A child born June 18, 2013 was seen.", "A child born 20130618 was seen."]


def _guard_commentary(summary: str, tables, folder: Path) -> None:
    """The check ``prepare`` makes on a public context.json carrying ``summary`` (one guard, one path)."""
    from torbayreport.disclose import guard_public_outputs

    path = folder / "context.json"
    path.write_text(json.dumps({"commentary": {"summary": summary, "pillars": {}, "kpis": {}}}), encoding="utf-8")
    guard_public_outputs([path], tables, as_at="2021-01-08", window=("2019-01", MONTH))


@pytest.mark.parametrize("summary", VARIANTS)
def test_every_identifier_variant_is_caught_by_the_public_guard(summary, sample_tables, tmp_path):
    from torbayreport.disclose import DisclosureError

    with pytest.raises(DisclosureError, match="context.json"):
        _guard_commentary(summary, sample_tables, tmp_path)


#: Analysts' own dates and numbers: not dates of birth tied to a child, so no refusal.
CLEAN = [CLEAN_DATES, "Caseloads fell from 18.6 to 17.9 between 18/06/2020 and 30/11/2020.",
         "The Board met on 18 June 2020; 20200618 is the minute reference.",
         "Team SAT 1 had 2 vacancies; =2+5 in the tracker, then 2019 figures."]


@pytest.mark.parametrize("summary", CLEAN)
def test_clean_commentary_with_dates_is_not_refused(summary, sample_tables, tmp_path):
    _guard_commentary(summary, sample_tables, tmp_path)


@pytest.mark.parametrize("summary", [VARIANTS[0], VARIANTS[3], VARIANTS[6]])
def test_an_identifier_in_commentary_refuses_the_public_build_in_one_line(summary, clean_params, tmp_path):
    from torbayreport.publish.execute import BuildError

    with pytest.raises(BuildError) as raised:
        _public_build(clean_params(summary), tmp_path)
    message = str(raised.value)
    assert "\n" not in message, "the refusal must be one line"
    assert "identifier" in message and "context.json" in message
    assert not (tmp_path / "reports" / MONTH / "public").exists(), "nothing may be published"


def test_threshold_zero_is_refused_naming_the_file_and_key(clean_params, tmp_path):
    from torbayreport.publish.execute import BuildError
    from torbayreport.config.params import ParamsError

    params = clean_params("Clean text.", council={"disclosure": {"threshold": 0}})
    with pytest.raises((BuildError, ParamsError)) as raised:
        _public_build(params, tmp_path)
    message = str(raised.value)
    assert "council.yaml" in message and "threshold" in message
    assert not (tmp_path / "reports" / MONTH / "public").exists()
