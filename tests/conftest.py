"""Real builds of the committed sample, made once per test session and shared by every test
that needs a built report: tests/e2e (content, audiences, disclosure), tests/notebooks (the
executed notebooks' shape and public outputs) and tests/render/test_accessibility.py.

Why here, in the root conftest: a build starts a kernel per notebook (about half a minute per
audience on a 2-core machine), and a session fixture is made once per *definition*; a fixture
imported into a test module is a second definition and would build again. So the fixtures live
here once and no test module imports them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
MONTH = "2020-12"

needs_sample = pytest.mark.skipif(not (SAMPLE / "contacts.csv").is_file(), reason="no data/sample in this checkout")


class Built:
    """One audience's build: paths plus the rendered text, read once."""

    def __init__(self, result):
        self.result = result
        self.html_path = Path(result.html)
        self.pdf_path = Path(result.pdf)
        self.stage_dir = Path(result.stage_dir)
        self.html = self.html_path.read_text(encoding="utf-8")
        self.pdf_pages = [page.extract_text() for page in pypdf.PdfReader(self.pdf_path).pages]

    @property
    def pdf_text(self) -> str:
        return "\n".join(self.pdf_pages)

    @property
    def html_text(self) -> str:
        """The HTML's visible text: tags removed, a few entities decoded, spaces folded."""
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", self.html, flags=re.S | re.I)
        body = re.sub(r"<[^>]+>", " ", body)
        body = body.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
        return " ".join(body.split())


def _build(audience: str, tmp_path_factory) -> Built:
    from torbayreport.publish.pipeline import build_month

    root = tmp_path_factory.mktemp(f"e2e-{audience}")
    result = build_month(MONTH, audience=audience, data_dir=SAMPLE, out_dir=root / "reports",
                         build_root=root / "build", jobs=2, progress=False)
    return Built(result)


@pytest.fixture(scope="session")
def internal_build(tmp_path_factory) -> Built:
    """The internal report of the sample's 2020-12, built once per session."""
    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    return _build("internal", tmp_path_factory)


@pytest.fixture(scope="session")
def public_build(tmp_path_factory) -> Built:
    """The public report of the sample's 2020-12, built once per session."""
    if not (SAMPLE / "contacts.csv").is_file():
        pytest.skip("no data/sample in this checkout")
    return _build("public", tmp_path_factory)


#: fixtures that start notebook kernels; a test using one is marked ``slow`` (``-m "not slow"``
#: gives a quick run; the README's one command still runs everything)
SLOW_FIXTURES = {"internal_build", "public_build", "fixture_build", "project", "built"}
#: folders whose tests read the builds (some through ``request.getfixturevalue``, invisible above)
SLOW_PATHS = ("e2e/", "notebooks/", "render/test_accessibility.py")


def pytest_collection_modifyitems(config, items):
    tests_dir = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        rel = path.relative_to(tests_dir).as_posix() if tests_dir in path.parents else ""
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or rel.startswith(SLOW_PATHS):
            item.add_marker(pytest.mark.slow)
