"""Free text is text: hostile payloads through inert_markdown / inert_inline -> pandoc -> HTML and Typst.

Each payload is rendered by the project's pandoc (pypandoc-binary) with the reader the report uses
(``render.py``: ``markdown-implicit_figures-tex_math_dollars-raw_attribute``) and, to show the
guarantee does not hang on those switched-off extensions, with plain ``markdown`` (everything on).
The HTML is parsed with ``html.parser``: no active element, no on* attribute, no javascript:/data:
URL, and the payload's characters visible as typed. The Typst is compiled with the ``typst``
package and the PDF's text must hold the payload's characters as typed.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pypandoc
import pytest

from torbayreport.disclose.text import inert_cells, inert_inline, inert_markdown

READERS = ["markdown-implicit_figures-tex_math_dollars-raw_attribute", "markdown"]

# (payload, text a reader must see; None = the payload itself)
HOSTILE = [
    ("<script>alert(1)</script>", None),
    ("<img src=x onerror=alert(1)>", None),
    ("Team <img src=x onerror=alert('t')> North", None),
    ("[click](javascript:alert(1))", None),
    ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', None),
    ("<style>body{display:none}</style>", None),
    ("<svg onload=alert(1)>", None),
    ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', None),
    ("![](http://evil.example/pixel.png)", None),
    ("![x](https://evil.example/pixel.png)", "!x"),  # https link allowed, never an image
    ("```{=html}\n<script>alert(1)</script>\n```", None),
    ("`x`{=typst} and `y`{=html}", None),
    ("$x^2$ and $$y$$", None),
    ("\\newpage", None),
    ("#set page(fill: red)", None),
    ('#set text(size: 0pt) #read("/etc/passwd")', None),
    ("<!-- hidden comment -->", None),
    ("---\ntitle: pwned\n---", None),
    ("Footnote^[secret]", None),
    ("[@cite] and @smith2020", None),
    ("&lt;script&gt; &#60;img&#62; &amp; &copy;", None),
    ("\u202eevil\u202c text", "[U+202E]evil[U+202C] text"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', None),
    ("\\input{/etc/passwd} \\alpha \\begin{x}", None),
    ('[text]{.class style="color:red"}', None),
    ("::: {.warning}\ndiv\n:::", None),
    ("<link rel=stylesheet href=https://evil.example/x.css>", None),
    ("<object data=x></object><embed src=x>", None),
    ("# Heading\n| a | b |\n|---|---|\n| 1 | 2 |", None),
    ("    indented <b>code</b>", "indented <b>code</b>"),
    ("`code` ~~strike~~ ~sub~ ^sup^ <u>u</u>", None),
    ('=HYPERLINK("http://evil","x") +cmd|\' /C calc\'!A0 -2+3', None),
    ("[x](<javascript:alert(1)>) <javascript:alert(1)> <https://autolink.example>", None),
    ("see a//b // and /* not a comment */ @label <lab>", None),
    ("ends in a backslash \\", None),
    ("*unclosed **bold _under_ __x__", None),
    ("Smith, J. (2020) \"quoted\" -- 'single' ... 50% 1/2", None),
    ("[link](https://example.org/a\"onmouseover=\"alert(1))", None),
    ("{{template}} $var$ ${x}", None),
    ("<div>block</div>\n\n<p onclick=x>para</p>", None),
]

FORBIDDEN = {"script", "iframe", "style", "img", "svg", "object", "embed", "meta", "link", "math",
             "frame", "frameset", "form", "input", "base", "video", "audio", "source", "template"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _html(markdown: str, reader: str) -> _Page:
    page = _Page()
    page.feed(pypandoc.convert_text(markdown, "html5", format=reader))
    return page


def _assert_inert_html(page: _Page) -> None:
    assert not FORBIDDEN & set(page.tags), page.tags
    assert not [k for k, _ in page.attrs if k.lower().startswith("on")], page.attrs
    urls = [v or "" for k, v in page.attrs if k.lower() in ("href", "src", "action", "srcdoc", "data")]
    assert not [u for u in urls if re.match(r"\s*(javascript|data|vbscript):", u, re.I)], urls
    assert not [u for u in urls if not u.startswith("https://")], urls


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("payload,visible", HOSTILE, ids=[p[:30] for p, _ in HOSTILE])
def test_hostile_markdown_is_inert_in_html(payload, visible, reader):
    page = _html(inert_markdown(payload), reader)
    _assert_inert_html(page)
    assert _squash("".join(page.text)) == _squash(visible or payload)


@pytest.mark.parametrize("payload,visible", HOSTILE, ids=[p[:30] for p, _ in HOSTILE])
def test_hostile_cell_is_inert_in_a_pipe_table(payload, visible):
    # the cell variant inside a real pipe table: one row, two cells, the payload in the first
    cell = inert_inline(payload)
    assert "\n" not in cell
    markdown = f"| A | B |\n|:--|:--|\n| {cell} | end |\n"
    page = _html(markdown, READERS[0])
    _assert_inert_html(page)
    assert page.tags.count("td") == 2
    assert _squash("".join(page.text)) == _squash(f"A B {visible or payload} end")


def test_hostile_corpus_is_big_enough():
    assert len(HOSTILE) >= 23


def _typst_pdf_text(markdown: str) -> str:
    import pypdf
    import typst

    body = pypandoc.convert_text(markdown, "typst", format=READERS[0])
    pdf = typst.compile(("#set page(width: 30cm, height: auto)\n" + body).encode("utf-8"))
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("payload,visible", HOSTILE, ids=[p[:30] for p, _ in HOSTILE])
def test_hostile_markdown_compiles_in_typst_and_prints_literally(payload, visible):
    text = _typst_pdf_text(inert_markdown(payload))
    expected = visible or payload
    # PDF text extraction loses spacing, so compare without whitespace. Typst typesets a hyphen
    # before a digit as a minus sign and three dots as an ellipsis (its typographic shorthands,
    # which pandoc's Typst writer leaves to it): the same characters to a reader, mapped back here.
    text = text.replace("\u2212", "-").replace("\u2026", "...")
    assert re.sub(r"\s+", "", text) == re.sub(r"\s+", "", expected)


def test_light_formatting_survives():
    md = inert_markdown(
        "Intro with *emphasis*, **strong** and a [link](https://www.gov.uk/guidance?x=1#y).\n"
        "- first point\n- second point\n  - nested point\n\n1. one\n2. two\n\nAfter the list."
    )
    page = _html(md, READERS[0])
    assert page.tags == ["p", "em", "strong", "a", "ul", "li", "li", "ul", "li", "ol", "li", "li", "p"]
    assert ("href", "https://www.gov.uk/guidance?x=1#y") in page.attrs
    assert _squash("".join(page.text)) == (
        "Intro with emphasis, strong and a link. first point second point nested point one two After the list."
    )


def test_light_formatting_survives_in_typst():
    import typst

    md = inert_markdown("Some *emphasis* and **strong** [link](https://www.gov.uk/x?y=1)\n- one\n- two\n\n1. first")
    body = pypandoc.convert_text(md, "typst", format=READERS[0])
    assert "#emph[emphasis]" in body and "#strong[strong]" in body
    assert '#link("https://www.gov.uk/x?y=1")[link]' in body
    assert "- one" in body and "+ first" in body
    typst.compile(body.encode("utf-8"))


def test_inline_keeps_emphasis_and_links_but_not_lists():
    cell = inert_inline("- **Team** *North*\nsee [x](https://a.example)")
    page = _html(cell, READERS[0])
    assert page.tags == ["p", "strong", "em", "a"]
    assert _squash("".join(page.text)) == "- Team North see x"


def test_nothing_is_removed_and_empty_values_are_empty():
    assert inert_markdown(None) == "" and inert_inline(float("nan")) == ""
    assert inert_markdown("plain words 123") == "plain words 123"
    # every ASCII punctuation character is escaped by a backslash (pandoc's all_symbols_escapable)
    assert inert_inline("a<b>c") == "a\\<b\\>c"
    assert inert_inline("x | y") == "x \\| y"


def test_inert_cells_escapes_text_not_numbers():
    import pandas as pd

    frame = pd.DataFrame({"team": ["<b>A</b>", "[c]"], "n": [3, 4], "rate": [1.5, float("nan")]})
    out = inert_cells(frame)
    assert out["team"].tolist() == ["\\<b\\>A\\<\\/b\\>", "\\[c\\]"]
    assert out["n"].tolist() == [3, 4]
    assert frame["team"].tolist() == ["<b>A</b>", "[c]"]  # input untouched


def _standalone(title_markdown: str, tmp_path) -> _Page:
    import json
    import subprocess

    (tmp_path / "meta.json").write_text(json.dumps({"title": title_markdown}), encoding="utf-8")
    (tmp_path / "r.md").write_text("body\n", encoding="utf-8")
    done = subprocess.run([pypandoc.get_pandoc_path(), "r.md", "-f", READERS[0], "-t", "html5", "--standalone",
                           "--metadata-file", "meta.json"], cwd=tmp_path, capture_output=True, text=True, check=True)
    page = _Page()
    page.feed(done.stdout)
    return page


@pytest.mark.parametrize("payload,visible", HOSTILE, ids=[p[:30] for p, _ in HOSTILE])
def test_metadata_values_are_literal_in_the_html_head_and_title_block(payload, visible, tmp_path):
    # render.py passes the title and council name to pandoc in a --metadata-file, whose strings
    # pandoc reads as markdown: checked with pandoc's own standalone template. The page must have
    # exactly the elements and attributes of a page titled "plain", and show the payload as typed.
    from torbayreport.disclose.text import inert_literal

    baseline = _standalone("plain", tmp_path)
    page = _standalone(inert_literal(payload), tmp_path)
    assert page.tags == baseline.tags
    assert page.attrs == baseline.attrs
    text = _squash(" ".join(page.text))
    literal = _squash(payload.replace("\u202e", "[U+202E]").replace("\u202c", "[U+202C]"))
    assert text.count(literal) == 2  # <title> and the title block, both exactly as typed
