"""Data hygiene in the repository, checked on every test run (and so in CI).

Why: an executed notebook carries its outputs, and a children's-services notebook's outputs can
carry children's data. Notebooks under notebooks/ are templates and must be committed stripped;
only synthetic golden notebooks under tests/ may keep outputs. Real extracts must never be tracked:
git ignores data/ except the synthetic sample, and the sample must stay small.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing is committed to check")
    return [ROOT / name for name in out.split("\0") if name]


def _notebooks_outside_tests() -> list[Path]:
    return [p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]


def test_template_notebooks_have_no_outputs():
    offenders = []
    for path in _notebooks_outside_tests():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                offenders.append(f"{path.relative_to(ROOT)} cell {index}")
    assert not offenders, "notebooks must be committed without outputs (strip them):\n" + "\n".join(offenders)


def test_no_data_tracked_outside_the_synthetic_sample():
    data_files = [p.relative_to(ROOT) for p in _tracked_files() if p.relative_to(ROOT).parts[0] == "data"]
    outside = [p for p in data_files if len(p.parts) > 1 and p.parts[1] not in ("sample", "README.md")]
    assert not outside, f"only data/sample/ may be committed; found {outside}"


def test_no_spreadsheets_or_large_files_tracked():
    tracked = _tracked_files()
    spreadsheets = [p.relative_to(ROOT) for p in tracked if p.suffix.lower() in {".xlsx", ".xls", ".xlsm"}]
    assert not spreadsheets, f"spreadsheets are not committed (generate fixtures in tests): {spreadsheets}"
    large = [(p.relative_to(ROOT), p.stat().st_size) for p in tracked if p.exists() and p.stat().st_size > 5 * 2**20]
    assert not large, f"files over 5 MiB committed: {large}"


def test_synthetic_sample_is_small():
    sample = ROOT / "data" / "sample"
    if not sample.exists():
        pytest.skip("no data/sample in this checkout")
    total = sum(p.stat().st_size for p in sample.rglob("*") if p.is_file())
    assert total < 5 * 2**20, f"data/sample is {total / 2**20:.1f} MiB; keep it under 5 MiB"


def test_gitignore_keeps_real_data_out():
    ignore = (ROOT / ".gitignore").read_text()
    assert "data/*" in ignore and "!data/sample/" in ignore
