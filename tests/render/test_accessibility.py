"""The built HTML reports in a real browser: axe-core finds no accessibility problem at all.

Why a browser: most of WCAG is about the rendered page (landmarks, heading order, contrast of the
computed colours, fonts actually loaded), which no text check can see. Debian's ``chromium`` is
driven by Python ``playwright`` (``playwright install`` is never run: it would download a browser);
axe-core comes from the ``axe-playwright-python`` package. Rules: axe's WCAG 2.0/2.1/2.2 A and AA
tags plus its best-practice rules (region, heading-order, landmark-*, …).

The reports are the real builds of the committed sample (the session fixtures of
tests/conftest.py, shared with tests/e2e and tests/notebooks). Without /usr/bin/chromium the test is skipped, except in CI
(``CI`` set), where it must run: .ci/run installs chromium.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from tests.conftest import needs_sample  # the builds are the session fixtures of tests/conftest.py

CHROMIUM = Path("/usr/bin/chromium")
FONTS = Path(__file__).resolve().parents[2] / "reports" / "assets" / "fonts"
LAUNCH_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytestmark = [pytest.mark.skip(reason="no /usr/bin/chromium (apt-get install chromium); CI must have it")]
else:
    pytestmark = [needs_sample]

AUDIENCES = ["internal", "public"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


def _build(request, audience: str):
    return request.getfixturevalue(f"{audience}_build")


def _open(browser, path: Path):
    """A page with the report loaded (fonts ready) and the console messages it logged."""
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(path.resolve().as_uri())
    page.evaluate("() => document.fonts.ready")
    return page, messages


@pytest.mark.parametrize("audience", AUDIENCES)
def test_axe_finds_no_violation(browser, request, audience):
    from axe_playwright_python.sync_playwright import Axe

    built = _build(request, audience)
    page, _ = _open(browser, built.html_path)
    try:
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    finally:
        page.close()
    violations = result.response["violations"]
    report = [
        f"{v['id']} ({v['impact']}): {v['help']} — e.g. {v['nodes'][0]['target']} {v['nodes'][0]['html'][:120]}"
        for v in violations
    ]
    assert not violations, "\n".join(report)
    # axe really ran its rules on the report (not a vacuous pass on an empty or unloaded page)
    passed = {r["id"] for r in result.response["passes"]}
    assert {"region", "landmark-one-main", "heading-order", "color-contrast", "image-alt", "html-has-lang"} <= passed


@pytest.mark.parametrize("audience", AUDIENCES)
def test_structure_headings_scope_landmarks(browser, request, audience):
    built = _build(request, audience)
    page, _ = _open(browser, built.html_path)
    try:
        headings = page.evaluate(
            "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
            ".map(h => [Number(h.tagName[1]), h.textContent.replace(/\\s+/g, ' ').trim()])"
        )
        th = page.evaluate("() => [...document.querySelectorAll('th')].map(t => t.getAttribute('scope'))")
        landmarks = page.evaluate(
            "() => [...document.body.children].map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"
        )
        scripts = page.evaluate("() => document.scripts.length")
    finally:
        page.close()
    # the report's title is the first heading, before "Contents"; no level is skipped going down
    assert headings[0][0] == 1 and "performance report" in headings[0][1]
    assert [h[1] for h in headings].index("Contents") > 0
    skips = [(a, b) for a, b in zip(headings, headings[1:]) if b[0] > a[0] + 1]
    assert not skips, f"heading levels skipped: {skips[:3]}"
    # every header cell says what it heads (the sample's tables have column headers only)
    assert len(th) > 20 and set(th) == {"col"}
    # everything in <body> is a landmark (banner, main, contentinfo) or the skip link
    assert landmarks == ["a.skip-link", "header.marking marking-top", "main", "footer.report-footer"]
    assert scripts == 0


@pytest.mark.parametrize("audience", AUDIENCES)
def test_bundled_font_is_embedded_and_covers_the_text(browser, request, audience):
    from fontTools.ttLib import TTFont

    built = _build(request, audience)
    # the fonts are inside the file (data: URIs), not fetched
    faces = re.findall(r"@font-face\s*{[^}]*}", built.html)
    assert len(faces) == 5 and all("url(data:font/woff2;base64," in f for f in faces)
    page, _ = _open(browser, built.html_path)
    try:
        loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        body_font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    finally:
        page.close()
    assert body_font.startswith('"Report Sans"') and '"Report Sans"' in {f'"{x.strip(chr(34))}"' for x in loaded}
    # every character of the visible text is drawn by the bundled fonts, not a system fallback
    covered = set()
    for name in ("report-sans-regular.woff2", "report-symbols.woff2"):
        covered |= set(TTFont(FONTS / name).getBestCmap())
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", " ", built.html, flags=re.S)))
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in covered})
    assert not missing, f"characters the embedded fonts lack: {missing}"
    # the embedded fonts stay small next to the 2.5 MB budget of the whole internal report
    assert sum(len(f) for f in faces) < 250_000


def test_content_security_policy_forbids_script(browser, request, tmp_path):
    built = _build(request, "public")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', built.html)
    assert policy, "no Content-Security-Policy meta tag"
    policy = html.unescape(policy.group(1))  # pandoc writes ' as &#39; in attributes
    assert "default-src 'none'" in policy and "script-src" not in policy
    # a script smuggled into the page (as if some text had reached it as markup) does not run
    hostile = tmp_path / "hostile.html"
    hostile.write_text(
        built.html.replace("</main>", "<script>document.title = 'script ran'</script></main>", 1), encoding="utf-8"
    )
    page, messages = _open(browser, hostile)
    try:
        title = page.title()
    finally:
        page.close()
    assert title != "script ran"
    assert any("Content Security Policy" in m for m in messages)
