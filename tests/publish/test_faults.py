"""Issue 11's faults: each ends in one clear BuildError line, checked before notebooks run where it
can be, and none loses the last good report or the last good build folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from torbayreport import config
from torbayreport.publish.execute import BuildError
from torbayreport.publish.guardrails import BuildLockedError, build_lock, portable_path

from .build_project import MONTH, build, make_project, text_prepare

ROOT = Path(__file__).resolve().parents[2]


def _refusing_prepare(**kwargs):
    raise AssertionError("prepare must not run: the fault should have been found first")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One good internal build of the small project, the 'last good report' of the tests below."""
    project = make_project(tmp_path_factory.mktemp("faults"))
    result = build(project)
    return project, result


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_out_pointing_at_a_file_is_refused_before_anything_runs(built, tmp_path):
    project, _ = built
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    with pytest.raises(BuildError, match=r"--out must be a folder, but .*not-a-folder is a file") as caught:
        build(project, out_dir=target, prepare=_refusing_prepare, build_root=tmp_path / "b")
    assert "\n" not in str(caught.value)


def test_a_second_build_of_the_same_month_and_audience_is_refused(built):
    project, result = built
    with build_lock(project["build"], MONTH, "internal"):
        with pytest.raises(BuildLockedError) as caught:
            build(project, prepare=_refusing_prepare)
    assert str(caught.value) == f"a build of {MONTH}/internal is already running (pid {os.getpid()})"
    # the other audience is not blocked by it, and the lock is released afterwards
    with build_lock(project["build"], MONTH, "public"):
        pass


def test_a_failed_build_keeps_the_last_report_and_the_last_build_folder(built):
    project, result = built
    report, stage = _snapshot(result.html.parent), _snapshot(result.stage_dir)

    def broken_prepare(**kwargs):
        raise ValueError("extract.csv, row 3, column referral_date: not a date")

    with pytest.raises(BuildError, match="row 3, column referral_date"):
        build(project, prepare=broken_prepare, force=True)
    assert _snapshot(result.html.parent) == report
    assert _snapshot(result.stage_dir) == stage
    assert [p.name for p in result.html.parent.parent.iterdir() if p.name.startswith(".")] == []


def test_the_data_folder_vanishing_mid_build_is_one_line(built, tmp_path):
    project, result = built
    data = tmp_path / "data"
    shutil.copytree(project["data"], data)

    def vanishing_prepare(**kwargs):
        text_prepare(**kwargs)
        shutil.rmtree(kwargs["data_dir"])       # gone before the public identifier check reads it

    with pytest.raises(BuildError) as caught:
        build(project, audience="public", data_dir=data, prepare=vanishing_prepare,
              out_dir=tmp_path / "reports", build_root=tmp_path / "build")
    message = str(caught.value)
    assert "disappeared during the build" in message and "\n" not in message
    assert not (tmp_path / "reports" / MONTH / "public").exists()


def test_the_public_manifest_holds_no_absolute_local_path(built):
    project, result = built
    text = result.manifest_path.read_text()
    manifest = json.loads(text)
    assert str(project["root"]) not in text and str(config.PROJECT_ROOT) not in text
    assert manifest["parameters"]["data"] == "data"           # outside the project: the folder's name
    assert manifest["parameters"]["params"] == "council.yaml"
    assert portable_path(config.PROJECT_ROOT / "data" / "sample") == "data/sample"
    assert portable_path(project["data"] / "extract.csv", project["data"]) == "<data>/extract.csv"


def test_source_date_epoch_gives_byte_identical_html_pdf_and_workbook(built, tmp_path, monkeypatch):
    project, _ = built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1610000000")      # 2021-01-07 06:13:20 UTC
    first = build(project, out_dir=tmp_path / "one", build_root=tmp_path / "b1")
    second = build(project, out_dir=tmp_path / "two", build_root=tmp_path / "b2")   # own cache: rendered again
    assert second.reused["render"] is False
    assert first.html.read_bytes() == second.html.read_bytes()
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    workbooks = [next(r.html.parent.glob("*.xlsx")) for r in (first, second)]
    assert workbooks[0].read_bytes() == workbooks[1].read_bytes()     # failed before: save-time stamps
    with zipfile.ZipFile(workbooks[0]) as book:
        core = book.read("docProps/core.xml").decode()
        assert {info.date_time for info in book.infolist()} == {(2021, 1, 7, 6, 13, 20)}
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2021-01-07T06:13:20Z</dcterms:modified>" in core
    assert "2021-01-07T06:13:20Z</dcterms:created>" in core
    assert "7 January 2021 06:13 UTC" in " ".join(first.html.read_text().split())  # pandoc wraps lines
    assert b"D:20210107061320" in first.pdf.read_bytes()      # the PDF's creation date
    assert json.loads(first.manifest_path.read_text())["built_at"] == "2021-01-07T06:13:20+00:00"



def test_without_source_date_epoch_the_pdf_and_workbook_carry_the_manifests_build_time(built, monkeypatch):
    """The PDF's creation date and the workbook's dates are the build time the manifest records
    (worked out from it here, not from the renderer), not the time the file was written."""
    import datetime as dt

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _, result = built
    built_at = dt.datetime.fromisoformat(json.loads(result.manifest_path.read_text())["built_at"])
    assert f"D:{built_at.astimezone(dt.timezone.utc):%Y%m%d%H%M%S}".encode() in result.pdf.read_bytes()
    with zipfile.ZipFile(next(result.html.parent.glob("*.xlsx"))) as book:
        core = book.read("docProps/core.xml").decode()
    assert f"{built_at.astimezone(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>" in core

SIGTERM_SCRIPT = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from torbayreport.publish import render
    from tests.publish.build_project import build, make_project

    def killed_while_rendering(work, meta, opts, target):
        Path(os.environ["MARK"]).write_text(str(work))
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)

    project = make_project(Path(sys.argv[1]))
    render.RENDERERS["html"] = (".html", killed_while_rendering)
    from torbayreport.publish.execute import BuildError
    try:
        build(project)
    except BuildError as exc:
        print("error:", exc)
        sys.exit(1)
""")


@pytest.mark.slow
def test_sigterm_while_rendering_leaves_no_staging_or_temporary_folder(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
           "TMPDIR": str(tmpdir), "MARK": str(tmp_path / "render-folder")}
    done = subprocess.run([sys.executable, "-c", SIGTERM_SCRIPT, str(tmp_path / "p")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.strip() == "error: the build was stopped (SIGTERM); nothing was published"
    assert "Traceback" not in done.stderr
    render_folder = Path((tmp_path / "render-folder").read_text())
    assert not render_folder.exists()
    out = tmp_path / "p" / "reports" / MONTH
    assert [p.name for p in out.iterdir()] == []
    # the lock was released: the same build runs to the end now
    with build_lock(tmp_path / "p" / "build", MONTH, "internal"):
        pass
