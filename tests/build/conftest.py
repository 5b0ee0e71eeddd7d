"""Fixtures for the end-to-end build tests.

A build starts a kernel per notebook (a few seconds each on a shared 2-core machine), so the
successful build is made once per session and shared; the tests then only read its outputs.
"""

from __future__ import annotations

import pytest

from .build_fixtures import MONTH, NOTEBOOKS, fake_prepare, make_data


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory):
    """One successful internal build of the fixture month, shared by the tests."""
    from torbayreport.publish.pipeline import build_month

    root = tmp_path_factory.mktemp("build")
    data = make_data(root / "data")
    result = build_month(MONTH, audience="internal", data_dir=data, out_dir=root / "reports",
                         build_root=root / "staging", jobs=2, progress=False, notebooks_dir=NOTEBOOKS,
                         prepare=fake_prepare, renderer="pandoc")
    return {"root": root, "data": data, "result": result}
