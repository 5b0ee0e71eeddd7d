"""Linear-programming audit of a suppression pattern (research note §B3 item 3, "then audit").

For every suppressed cell we ask what a reader who knows every published number and every
relation could conclude: minimise and maximise the cell subject to all relations, published
cells fixed at their values and unknown cells (suppressed or withheld) >= 0. Integer-ness is
relaxed, which can only widen the interval, so the audit is slightly optimistic about exact
pinning at fractional bounds; the small-count test below rounds the bounds inwards to whole
numbers to compensate where it matters.

A cell fails when
- its interval is narrower than ``min_width`` (default 1: the value must not be pinned, i.e.
  lower == upper always fails), or
- it was primary-suppressed and every whole number in its interval lies in 1..threshold: the
  reader cannot tell the exact count but learns it is a small non-zero one, which is what
  primary suppression exists to hide.

Efficiency: relations only interact through shared unknown cells, so the unknown cells are split
into connected components (union-find over relations) and each LP is built over one component.
A component of *one* relation (every KPI-month of the tidy table: denominator = numerator +
complement, sharing no cell with another month) has a closed-form answer, worked out in
:func:`_one_relation`, so no LP is built for it: on the sample the public audit was 794 linprog
calls (about 1.4 CPU s, plus 0.5 s to import ``scipy.optimize``), and is now none. Components of
several relations (breakdowns, rolling totals) still go to HiGHS, imported only then. The
closed form is checked against linprog on random relations in tests/disclose/test_audit.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from torbayreport.disclose.cells import CellId, CellTable, DisclosureError
from torbayreport.disclose.suppression import Suppression

_EPS = 1e-7


@dataclass(frozen=True)
class Interval:
    lower: float
    upper: float  # math.inf when the relations do not bound the cell above

    @property
    def width(self) -> float:
        return self.upper - self.lower


@dataclass(frozen=True)
class AuditResult:
    intervals: dict
    failures: tuple  # (cell, Interval, reason)
    components: int  # number of LPs' connected components

    @property
    def ok(self) -> bool:
        return not self.failures


def _components(unknown: list[int], rels: list[tuple[int, list[int]]], is_unknown) -> dict[int, list[int]]:
    """Relation numbers grouped by the connected component of their unknown cells."""
    parent = {i: i for i in unknown}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for total, comps in rels:
        cells = [c for c in (total, *comps) if is_unknown[c]]
        for c in cells[1:]:
            a, b = find(cells[0]), find(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for r_no, (total, comps) in enumerate(rels):
        cells = [c for c in (total, *comps) if is_unknown[c]]
        if cells:
            groups.setdefault(find(cells[0]), []).append(r_no)
    return groups


def _one_relation(coef: np.ndarray, b: float, k: int) -> tuple[float, float] | None:
    """Min and max of unknown ``k`` subject to ``coef @ x == b``, ``x >= 0``; None when infeasible.

    Why a closed form: with one equation the LP's answer can be read off the signs. Scale the
    equation so ``coef[k] > 0``; then ``x_k = (b - sum_{j!=k} coef_j x_j) / coef_k``.
    *Upper*: an other unknown with a negative coefficient can grow without limit and carry
    ``x_k`` with it (unbounded); otherwise ``x_k`` is largest with every other unknown at 0, so
    ``b / coef_k``. *Lower*: an other unknown with a positive coefficient can absorb ``b``, so
    ``x_k`` can be 0; otherwise ``x_k >= b / coef_k`` and ``>= 0``. Feasible unless ``b > 0``
    with no positive coefficient or ``b < 0`` with no negative one (the same in either scaling).
    """
    if (b > 0 and not (coef > 0).any()) or (b < 0 and not (coef < 0).any()):
        return None
    if coef[k] == 0:  # not in the equation after all: nothing bounds it
        return 0.0, math.inf
    sign = 1.0 if coef[k] > 0 else -1.0
    scaled, rhs = coef * sign, b * sign
    others = np.delete(scaled, k)
    upper = math.inf if (others < 0).any() else float(rhs / scaled[k])
    lower = 0.0 if (others > 0).any() else float(max(rhs, 0.0) / scaled[k])
    return lower, upper


def _infeasible(cell) -> ValueError:
    return ValueError(
        f"the published cells are inconsistent with the relations around {cell!r} "
        "(the LP is infeasible); check the relations"
    )


def _lp_bounds(c: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray, cell) -> list[float]:
    """Min and max of ``c @ x`` by HiGHS (components of several relations)."""
    from scipy.optimize import linprog  # only for components of several relations: 0.5 s import

    bounds = []
    for sense in (1.0, -1.0):
        res = linprog(sense * c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if res.status == 2:
            raise _infeasible(cell)
        if res.status == 3:
            bounds.append(math.inf)
        elif res.status != 0:  # pragma: no cover - solver trouble, not a data problem
            raise RuntimeError(f"linprog failed for {cell!r}: {res.message}")
        else:
            bounds.append(sense * res.fun)
    return bounds


def intervals(table: CellTable, suppressed) -> tuple[dict[CellId, Interval], int]:
    """Feasible interval of every suppressed cell given everything published. Also the number of components."""
    ids = list(table.values)
    index = {c: i for i, c in enumerate(ids)}
    values = [table.values[c] for c in ids]
    hidden = set(index[c] for c in suppressed)
    is_unknown = [values[i] is None or i in hidden for i in range(len(ids))]
    rels = [(index[r.total], [index[c] for c in r.components]) for r in table.relations]
    groups = _components([i for i in range(len(ids)) if is_unknown[i]], rels, is_unknown)

    result: dict[CellId, Interval] = {}
    for rel_nos in groups.values():
        variables = sorted({c for r in rel_nos for c in (rels[r][0], *rels[r][1]) if is_unknown[c]})
        col = {c: j for j, c in enumerate(variables)}
        a_eq = np.zeros((len(rel_nos), len(variables)))
        b_eq = np.zeros(len(rel_nos))
        for row, r in enumerate(rel_nos):
            total, comps = rels[r]
            for cell, coef in ((total, 1.0), *((c, -1.0) for c in comps)):
                if is_unknown[cell]:
                    a_eq[row, col[cell]] += coef
                else:
                    b_eq[row] -= coef * values[cell]
        for cell in variables:
            if cell not in hidden:
                continue  # withheld cells are variables but not audited
            if len(rel_nos) == 1:
                bounds = _one_relation(a_eq[0], b_eq[0], col[cell])
                if bounds is None:
                    raise _infeasible(ids[cell])
                lower, upper = bounds
            else:
                c = np.zeros(len(variables))
                c[col[cell]] = 1.0
                lower, upper = _lp_bounds(c, a_eq, b_eq, ids[cell])
            result[ids[cell]] = Interval(lower=max(0.0, round(lower, 6)), upper=round(upper, 6) if upper != math.inf else upper)
    for cell in sorted(hidden):  # in no relation: nothing printed constrains it
        result.setdefault(ids[cell], Interval(0.0, math.inf))
    return result, len(groups)


def audit(
    table: CellTable,
    suppression: Suppression | frozenset | set,
    *,
    threshold: int | None = None,
    min_width: float = 1.0,
    raise_on_failure: bool = True,
) -> AuditResult:
    """Check every suppressed cell's feasible interval; raise :class:`DisclosureError` listing failures.

    ``suppression`` is a :class:`Suppression` (its primary cells get the small-count test) or a
    plain set of suppressed cells (then the cells whose value is 1..threshold are treated as primary).
    """
    if isinstance(suppression, Suppression):
        hidden = suppression.suppressed
        threshold = suppression.threshold if threshold is None else threshold
        primary = suppression.primary
    else:
        hidden = frozenset(suppression)
        threshold = 5 if threshold is None else threshold
        primary = frozenset(c for c in hidden if table.values[c] is not None and 1 <= table.values[c] <= threshold)
    table.validate()
    found, n_components = intervals(table, hidden)
    failures = []
    for cell in table.values:  # table order: deterministic report
        if cell not in found:
            continue
        iv = found[cell]
        if iv.width < min_width - _EPS:
            failures.append((cell, iv, f"interval width {iv.width:g} is below the protection width {min_width:g}"))
        elif cell in primary and math.ceil(iv.lower - _EPS) >= 1 and iv.upper < threshold + 1 - _EPS:
            failures.append((cell, iv, f"every value it can take lies in 1..{threshold} (a small count is revealed)"))
    result = AuditResult(intervals=found, failures=tuple(failures), components=n_components)
    if failures and raise_on_failure:
        lines = [f"  {cell!r}: true value {table.values[cell]}, could be {iv.lower:g}..{iv.upper:g}: {why}"
                 for cell, iv, why in failures]
        raise DisclosureError(
            f"{len(failures)} suppressed cell(s) are under-protected:\n" + "\n".join(lines), failures
        )
    return result
