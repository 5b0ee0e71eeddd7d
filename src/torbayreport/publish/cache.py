"""A content-addressed cache for the three costly steps of a build, so nothing is redone when
nothing changed (issue 13).

Keys (sha256 of a canonical JSON of):

* **prepare** — month, audience, the sha256 of every input file (data and params, commentary
  included), the code version, the prepare function's name and ``--as-at``;
* **notebook** — the notebook's source bytes, its parameters (``build_root`` aside: it is where the
  artefacts are, not what they hold), the sha256 of every prepared artefact with context.json's
  commentary left out, the part of the commentary that chapter shows (:mod:`.keys`, declared in
  ``report/chapters.py``), the code version;
* **render** — the sha256 of each executed notebook, the report metadata except the build time,
  the templates (``reports/``: ``_quarto.yml``, assets, filters, fonts), the renderer and the code
  version. The public identifier check's pass is stored with the render it checked.

The code version is the hash of the package's source files (not the version string), so editing
any module invalidates everything that module could have shaped. Entries are written into a
temporary name and renamed into place, so a build killed mid-write leaves no half entry.
``build/.cache`` may be deleted at any time; ``--force`` ignores it (and refreshes it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from torbayreport import config
from torbayreport.io import sha256_file

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: files the package ships that shape output (code, declarations, templates)
CODE_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".typ", ".css", ".html", ".lua", ".txt"}


def digest(payload) -> str:
    """sha256 of the canonical JSON of ``payload``."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tree_hashes(folder: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under ``folder`` by relative path (hidden files and ``exclude``d top-level
    names aside)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.parts[0] in exclude or any(p.startswith(".") for p in rel.parts):
            continue
        if path.suffix == ".pyc":
            continue
        found[rel.as_posix()] = sha256_file(path)
    return found


@functools.lru_cache(maxsize=None)
def _code_version(package_dir: str, stamp: tuple) -> str:  # noqa: ARG001 - stamp busts the memo
    hashes = {k: v for k, v in tree_hashes(Path(package_dir)).items() if Path(k).suffix in CODE_SUFFIXES}
    return digest(hashes)


def code_version(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package's source files. Memoised on the files' sizes and mtimes, so a rebuild
    in one process does not re-read the package unless a file changed."""
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                         for p in Path(package_dir).rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES))
    return _code_version(str(package_dir), stamp)


def template_hashes(project_dir: Path | str | None = None) -> dict[str, str]:
    """The report project's templates (``reports/``: ``_quarto.yml`` and assets)."""
    return tree_hashes(Path(project_dir) if project_dir else config.REPORT_PROJECT_DIR)


class StepCache:
    """``build/.cache/<step>/<key>``: one folder (or file) per cached result."""

    def __init__(self, root: Path | str, *, force: bool = False):
        self.root = Path(root)
        self.force = force
        self.reused: dict[str, object] = {}

    def path(self, step: str, key: str) -> Path:
        return self.root / step / key

    def get(self, step: str, key: str) -> Path | None:
        """The cached entry, or None on a miss (always None with ``force``)."""
        if self.force:
            return None
        entry = self.path(step, key)
        return entry if entry.exists() else None

    def put_tree(self, step: str, key: str, source: Path, *, exclude: tuple[str, ...] = ()) -> Path:
        """Copy the folder ``source`` (minus ``exclude``d top-level names) in as the entry ``key``."""
        entry = self.path(step, key)
        tmp = entry.parent / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, tmp, ignore=lambda d, names: [n for n in names if Path(d) == Path(source)
                                                              and n in exclude])
        return self._commit(tmp, entry)

    def put_file(self, step: str, key: str, source: Path) -> Path:
        entry = self.path(step, key)
        tmp = entry.parent / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, tmp)
        return self._commit(tmp, entry)

    @staticmethod
    def _commit(tmp: Path, entry: Path) -> Path:
        if entry.exists():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        try:
            os.replace(tmp, entry)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
        return entry


def copy_tree_into(entry: Path, target: Path) -> None:
    """Restore a cached folder into ``target`` (created if needed)."""
    shutil.copytree(entry, target, dirs_exist_ok=True)
