"""Published cells and the additive relations between them: what disclosure control reasons about.

Why a generic cell table rather than rules written against the metrics frame: the report publishes
several tables (the tidy KPI-month rows, breakdowns with their totals, months with a year-to-date or
rolling total). A count is only safe if it cannot be worked out from *any* of them, so every table
contributes its cells and relations to one :class:`CellTable`, and suppression and the audit run
over the union. Cell ids are any hashable; the metric builders use tuples
``(kpi_id, "YYYY-MM", field)`` so that cells of different tables that are the same number (a
breakdown's total and the KPI's numerator) share one id and are linked automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping

CellId = Hashable


class DisclosureError(Exception):
    """A public output would disclose a confidential figure or an identifier.

    ``problems`` lists what failed (cell ids with their feasible interval, or identifiers found),
    so a build log says exactly which cells to look at.
    """

    def __init__(self, message: str, problems: Iterable = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Relation:
    """``total = sum(components)`` between published (or withheld) cells.

    ``kind`` names the relation type ("kpi-month", "rolling", "breakdown", "period-total", ...)
    and only serves explanations and error messages.
    """

    total: CellId
    components: tuple[CellId, ...]
    kind: str = "sum"

    def __post_init__(self):
        if not self.components:
            raise ValueError(f"relation {self.kind} for total {self.total!r} has no components")
        cells = (self.total, *self.components)
        if len(set(cells)) != len(cells):
            raise ValueError(f"relation {self.kind} for total {self.total!r} repeats a cell")

    @property
    def cells(self) -> tuple[CellId, ...]:
        return (self.total, *self.components)


@dataclass
class CellTable:
    """Cells with their true values, the relations between them, and per-cell policy.

    values:   cell id -> non-negative whole count; ``None`` marks a *withheld* cell: one that exists
              (it is part of a relation) but is never published, e.g. the monthly counts inside a
              rolling 12-month total when only the total is shown. A reader does not know it, so it
              is a free variable in the audit and it already counts as unknown in secondary
              suppression; it is never reported as suppressed.
    exempt:   cells not subject to primary suppression (figures that are not counts of people,
              or, for engine tests only, exempted complements). They can still be chosen as
              secondary suppressions.
    implied:  cells the report does not print but a reader can derive (the complement
              denominator − numerator). Suppressing one costs nothing on the page, so secondary
              suppression picks them first.
    """

    values: dict[CellId, int | None] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    exempt: set[CellId] = field(default_factory=set)
    implied: set[CellId] = field(default_factory=set)

    def add(self, other: "CellTable") -> "CellTable":
        """Merge ``other`` into this table (in place) and return self.

        A cell present in both must carry the same value: two tables that print the same number
        under one id and disagree are a bug upstream, not something to paper over.
        """
        for cell, value in other.values.items():
            if cell in self.values and self.values[cell] != value:
                raise ValueError(
                    f"cell {cell!r} has value {self.values[cell]!r} in one table and {value!r} in another"
                )
            self.values[cell] = value
        self.relations.extend(other.relations)
        self.exempt |= other.exempt
        self.implied |= other.implied
        return self

    def validate(self) -> None:
        """Values are whole non-negative counts, relations name known cells and add up."""
        for cell, value in self.values.items():
            if value is None:
                continue
            if isinstance(value, bool) or not float(value).is_integer() or value < 0:
                raise ValueError(f"cell {cell!r}: value {value!r} is not a non-negative whole count")
        for rel in self.relations:
            missing = [c for c in rel.cells if c not in self.values]
            if missing:
                raise ValueError(f"relation {rel.kind} for total {rel.total!r} names unknown cells {missing!r}")
            parts = [self.values[c] for c in rel.cells]
            if any(v is None for v in parts):
                continue  # withheld cells: nothing to check against
            if self.values[rel.total] != sum(self.values[c] for c in rel.components):
                raise ValueError(
                    f"relation {rel.kind} does not add up: {rel.total!r} = {self.values[rel.total]} but its "
                    f"components {list(rel.components)!r} sum to {sum(self.values[c] for c in rel.components)}"
                )


def table_from(values: Mapping[CellId, int | None], relations: Iterable[Relation] = (), **policy) -> CellTable:
    """Convenience constructor (copies its inputs)."""
    return CellTable(
        values=dict(values),
        relations=list(relations),
        exempt=set(policy.get("exempt", ())),
        implied=set(policy.get("implied", ())),
    )
