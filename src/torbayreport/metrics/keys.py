"""Integer codes for text ids (``child_id``, ``worker_id``), shared by every KPI of one run.

Why: almost every KPI matches records on a child or worker id — open children against their
visits, oversight notes or allocations; workers against their caseloads. The ids are
Arrow-backed strings, and hashing the same hundreds of thousands of strings again in each KPI
(a ``factorize``, a ``merge``, a ``get_indexer``) was most of the engine's time. Here each id is
hashed into one *code space* per run: :func:`codes` gives int64 codes (-1 for a missing id) that
are comparable across every array coded in the same run, so matching and deduplicating are sorts
and searches over ints.

Inside :func:`run` (the engine wraps one catalogue run in it) the code space is kept, and the
codes of an array coded lately (the :data:`KEEP` most recent, and the populations pinned for the
run) are reused: an array is known by its Arrow buffers (their
addresses and sizes, with the array held so the memory cannot be reused), which frames derived
by column selection, ``assign`` or a shallow copy share. Outside :func:`run` nothing is kept:
each call codes only the arrays it is given, so a table changed between two calls can never be
answered from stale codes.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_LOCAL = threading.local()  # one run per thread: a thread's code space is never another's


def _state() -> dict:
    state = getattr(_LOCAL, "run", None)
    if state is None:
        state = _LOCAL.run = {"on": False, "universe": None, "codes": {}, "pinned": {}}
    return state


@contextmanager
def run():
    """Keep one code space (and each array's codes) for the duration of the block; nested
    blocks share the outer one."""
    if _state()["on"]:
        yield
        return
    _state().update(on=True, universe={}, codes={}, pinned={})
    try:
        yield
    finally:
        _state().update(on=False, universe=None, codes={}, pinned={})


def in_run(func):
    """Decorator: run ``func`` inside :func:`run`, so every code it asks for (directly or through
    the helpers it calls) is in one code space even when no catalogue run is open."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with run():
            return func(*args, **kwargs)

    return wrapper


def arrow(values) -> pa.Array:
    """``values`` (Series, Index, array) as one Arrow large_string array, zero-copy when it is
    already Arrow-backed text."""
    array = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if not isinstance(getattr(array, "dtype", None), pd.StringDtype) or array.dtype.storage != "pyarrow":
        array = pd.array(pd.Series(array, copy=False).astype("object").where(pd.notna(pd.Series(array, copy=False)), None),
                         dtype="string[pyarrow]")
    out = pa.array(array)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    return out if out.type == pa.large_string() else out.cast(pa.large_string())


def _identity(text: pa.Array) -> tuple:
    return (len(text), text.offset, *((b.address, b.size) if b is not None else None for b in text.buffers()))


def _lookup(text: pa.Array, universe: dict) -> np.ndarray:
    """Codes of ``arrow`` in ``universe`` (id -> code), adding the ids it does not hold yet.

    Arrow's ``dictionary_encode`` hashes the array once in C++; only its distinct ids are
    looked up in the run's Python dict, which is built once per run (Arrow's ``index_in``
    rebuilds its hash table of the whole code space on every call)."""
    encoded = pc.dictionary_encode(text)
    words = encoded.dictionary.to_pylist()
    table = np.fromiter((universe.setdefault(w, len(universe)) for w in words), dtype=np.int64, count=len(words))
    table = np.append(table, -1)  # a missing id
    return table[encoded.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)]


def codes(*arrays) -> list[np.ndarray]:
    """One int64 code array per argument (id Series/arrays), all in the same code space: equal ids
    get equal codes, a missing id gets -1. Codes are small non-negative ints (below
    :func:`size`), usable as positions."""
    out = []
    if not _state()["on"]:
        universe: dict = {}
        return [_lookup(arrow(values), universe) for values in arrays]
    for values in arrays:
        text = arrow(values)
        key = _identity(text)
        hit = _state()["codes"].get(key) or _state()["pinned"].get(key)
        if hit is None:
            found = _lookup(text, _state()["universe"])
            _keep(key, text, found)
        else:
            found = hit[1].astype(np.int64)
            if key in _state()["codes"]:
                _state()["codes"][key] = _state()["codes"].pop(key)  # most recently used last
        out.append(found)
    return out


KEEP = 12  # arrays whose codes a run keeps: the shared populations and tables in use lately


def _keep(key: tuple, text: pa.Array, coded: np.ndarray) -> None:
    """Keep ``coded`` as int32 (a run never has 2**31 ids) with its array (so its buffers stay
    ours), dropping the least recently used beyond :data:`KEEP` — a filtered copy of a table
    must not be held for the rest of the run."""
    kept = _state()["codes"]
    kept[key] = (text, coded.astype(np.int32))
    while len(kept) > KEEP:
        kept.pop(next(iter(kept)))


def remember(values, coded: np.ndarray, *, pin: bool = False) -> None:
    """Inside :func:`run`, record ``coded`` (codes from :func:`codes`, aligned to ``values``) as
    the codes of ``values``, e.g. for rows taken from an array already coded; outside, nothing.
    ``pin``: keep them for the whole run (a population the run keeps too, asked for again many
    KPIs later), not among the :data:`KEEP` most recent."""
    if _state()["on"]:
        text = arrow(values)
        if pin:
            _state()["pinned"][_identity(text)] = (text, np.asarray(coded).astype(np.int32))
        else:
            _keep(_identity(text), text, np.asarray(coded))


def size(*coded: np.ndarray) -> int:
    """An upper bound (exclusive) of the codes in ``coded``: the run's code space, or their max + 1."""
    if _state()["on"]:
        return max(len(_state()["universe"]), 1)
    return max((int(c.max()) + 1 for c in coded if len(c)), default=1)
