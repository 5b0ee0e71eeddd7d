"""Primary and secondary cell suppression (research note §B3, items 1 and 3).

Primary suppression follows the DfE children's social care rule: a count from 1 to ``threshold``
(default 5) is confidential and shown as ``[c]``; a 0 is a true zero and is shown.

Secondary suppression is the old DfE heuristic the note recommends, iterated to a fixed point: in
every additive relation ``total = sum(components)`` with exactly one unknown cell, that cell could
be recovered by subtraction, so one more cell of the relation is suppressed. "Unknown" means
suppressed or withheld (never published). Which cell (in this order, and why):

1. the smallest non-zero unsuppressed *component*, implied cells first (they are not printed, so
   suppressing them costs nothing), then by value, then by position in the relation. Components
   before totals because the note says "prefer cells that are not totals": a total is usually a
   headline figure and is itself a component of higher relations, so hiding it spreads.
   Non-zero before zero because pairing a small count with a zero lets the reader bound it by the
   pair's sum, i.e. by the cell itself, which protects it least.
2. otherwise (the only candidates are zeros, or there are no other components) a zero component,
   unless the relation's total is a published 0: then every component is pinned at 0 by
   non-negativity and a suppressed zero would protect nothing;
3. otherwise the total ("the total is the only other cell").

Passes are breadth-first and deterministic: a pass takes the relations that are exposed (exactly
one unknown) at its start, in the order given, and repairs each unless an earlier repair in the
same pass already gave it a second unknown. This reproduces the order of the note's worked
example (7 by its row, 12 by its column, then 8 by its row) and makes "how many passes" a
meaningful figure. The heuristic guarantees no single relation gives a suppressed cell away; the
LP audit (:mod:`torbayreport.disclose.audit`) checks the combination of all relations.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from torbayreport.disclose.cells import CellId, CellTable


@dataclass(frozen=True)
class Step:
    """One secondary suppression: ``cell`` chosen to protect relation number ``relation`` in ``pass_no``."""

    cell: CellId
    relation: int
    kind: str
    pass_no: int


@dataclass(frozen=True)
class Suppression:
    """The outcome: which cells are hidden and why."""

    primary: frozenset
    secondary: frozenset
    steps: tuple[Step, ...]
    passes: int
    threshold: int

    @property
    def suppressed(self) -> frozenset:
        return self.primary | self.secondary

    def is_suppressed(self, cell: CellId) -> bool:
        return cell in self.primary or cell in self.secondary


def check_threshold(threshold) -> int:
    """The public small-number threshold as an int, or ``ValueError``: it must be a whole number >= 1.

    Why refuse 0 (and negatives, fractions, booleans, text): a threshold of 0 publishes every
    small count with nothing suppressed, which no council's policy intends; a typo in the params
    must stop the build rather than switch disclosure control off.
    """
    ok = isinstance(threshold, numbers.Integral) and not isinstance(threshold, bool)
    if not ok and isinstance(threshold, float) and threshold.is_integer():
        threshold, ok = int(threshold), True
    if not ok or threshold < 1:
        raise ValueError(
            f"disclosure threshold must be a whole number of at least 1 (counts 1..threshold are shown as [c]); "
            f"got {threshold!r}. A threshold of 0 would publish every small count."
        )
    return int(threshold)


def primary_cells(table: CellTable, threshold: int = 5) -> list[CellId]:
    """Cells whose count is 1..threshold and that are subject to the rule (not exempt, not withheld)."""
    return [
        cell
        for cell, value in table.values.items()
        if value is not None and cell not in table.exempt and 1 <= value <= threshold
    ]


def suppress(table: CellTable, *, threshold: int = 5, extra_primary=()) -> Suppression:
    """Primary then secondary suppression over every relation of ``table``, to a fixed point.

    ``extra_primary`` adds cells that must be hidden whatever their value (e.g. a count the
    analyst marks as sensitive). Deterministic: the same table gives the same result.
    """
    threshold = check_threshold(threshold)
    table.validate()
    ids = list(table.values)
    index = {cell: i for i, cell in enumerate(ids)}
    values = [table.values[c] for c in ids]
    withheld = [v is None for v in values]

    primary = primary_cells(table, threshold)
    for cell in extra_primary:
        if cell not in index:
            raise ValueError(f"extra primary cell {cell!r} is not in the table")
        if cell not in primary:
            primary.append(cell)
    suppressed = [False] * len(ids)
    for cell in primary:
        suppressed[index[cell]] = True

    rels = [
        (index[r.total], [index[c] for c in r.components], r.kind) for r in table.relations
    ]
    member_of: list[list[int]] = [[] for _ in ids]
    for r_no, (total, comps, _) in enumerate(rels):
        for i in (total, *comps):
            member_of[i].append(r_no)
    unknown = [sum(suppressed[i] or withheld[i] for i in (t, *c)) for t, c, _ in rels]
    implied = [c in table.implied for c in ids]

    def choose(r_no: int) -> int:
        total, comps, _ = rels[r_no]
        free = [(pos, i) for pos, i in enumerate(comps) if not (suppressed[i] or withheld[i])]
        nonzero = [(not implied[i], values[i], pos, i) for pos, i in free if values[i] > 0]
        if nonzero:
            return min(nonzero)[3]
        total_free = not (suppressed[total] or withheld[total])
        zeros = [i for _, i in free]
        if zeros and not (total_free and values[total] == 0):
            return zeros[0]
        if total_free:
            return total
        return zeros[0]  # total published as 0 and nothing else: a zero is all there is

    steps: list[Step] = []
    passes = 0
    while True:
        exposed = [r for r, n in enumerate(unknown) if n == 1]
        if not exposed:
            break
        passes += 1
        for r_no in exposed:
            if unknown[r_no] != 1:
                continue  # repaired already by an earlier choice in this pass
            cell = choose(r_no)
            suppressed[cell] = True
            for other in member_of[cell]:
                unknown[other] += 1
            steps.append(Step(cell=ids[cell], relation=r_no, kind=rels[r_no][2], pass_no=passes))

    secondary = frozenset(s.cell for s in steps)
    return Suppression(
        primary=frozenset(primary),
        secondary=secondary,
        steps=tuple(steps),
        passes=passes,
        threshold=threshold,
    )
