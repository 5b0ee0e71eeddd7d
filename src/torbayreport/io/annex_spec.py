"""The Annex A layout as data: lists, headers, aliases and table mappings, read from ``annex_a.yaml``.

Why a separate module: the workbook reader (``annex_read``), the writer (``annex_a``) and the tests
all need the same view of the template; keeping it here means none of them re-states a header.
Headers are compared by :func:`header_key` (letters and digits only, case-folded), so the
template's own quirks (trailing spaces, curly quotes, doubled brackets, capitalisation) and Data
to Insight's short SSD names (``ChildUniqueID`` = ``Child Unique ID``) need no alias at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping


from torbayreport.io.codes import tidy
from torbayreport.io.schema import SCHEMA, Column, packaged_yaml

LISTS_READ = range(1, 10)
ALL_LISTS = range(1, 12)
CHILD_FIELDS = ("child_id", "gender", "ethnicity", "date_of_birth", "disability")


def header_key(text) -> str:
    """Letters and digits only, case-folded: what two spellings of one header share."""
    return re.sub(r"[^0-9a-z]", "", tidy("" if text is None else str(text)))


@dataclass(frozen=True)
class HeaderSpec:
    header: str
    field: str | None = None
    aliases: tuple[str, ...] = ()
    extension: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(h) for h in (self.header, *self.aliases))


@dataclass(frozen=True)
class TableMap:
    table: str
    columns: Mapping[str, str]  # canonical column -> field
    constants: Mapping[str, str] = field(default_factory=dict)
    when: str | None = None
    collapse: bool = False


@dataclass(frozen=True)
class ListSpec:
    number: int
    name: str
    headers: tuple[HeaderSpec, ...]
    tables: tuple[TableMap, ...]

    @property
    def sheet(self) -> str:
        return f"List {self.number}"

    @property
    def primary(self) -> str | None:
        return next((m.table for m in self.tables if not m.collapse and m.table != "children"), None)

    @property
    def fields(self) -> list[str]:
        return [h.field for h in self.headers if h.field]

    @property
    def own_keys(self) -> frozenset[str]:
        """Header keys of this list's own columns (not the common block): what identifies it."""
        common = {k for h in spec()["common_headers"] for k in h.keys}
        return frozenset(k for h in self.headers for k in h.keys if k not in common)

    def field_column(self, name: str) -> Column:
        """The canonical column a field is parsed as (the first table that reads it)."""
        for m in self.tables:
            for canon, f in m.columns.items():
                if f == name:
                    return SCHEMA[m.table].columns[canon]
        raise KeyError(name)

    def field_for_column(self, column: str) -> str | None:
        """The field that feeds a canonical column (``referral_date`` or ``referrals.referral_date``)."""
        table, _, name = column.rpartition(".")
        for m in self.tables:
            if (not table or m.table == table) and name in m.columns:
                return m.columns[name]
        return name if name in self.fields else None

    def field_required(self, name: str) -> bool:
        for m in self.tables:
            for canon, f in m.columns.items():
                if f == name and not m.collapse and SCHEMA[m.table].columns[canon].required:
                    return True
        return name == "child_id"


@lru_cache(maxsize=1)
def spec() -> dict:
    raw = packaged_yaml("annex_a.yaml")
    named = {"common": raw["common"], "disability": [raw["disability"]], "team": [raw["team"]], "worker": [raw["worker"]]}

    def header(e: dict) -> HeaderSpec:
        return HeaderSpec(e["header"], e.get("field"), tuple(e.get("aliases", ())), e.get("extension", False))

    lists = {}
    for number, body in raw["lists"].items():
        headers: list[HeaderSpec] = []
        for item in body["headers"]:
            headers.extend(header(e) for e in (named[item] if isinstance(item, str) else [item]))
        maps = [
            TableMap(t, dict(m["columns"]), dict(m.get("constants", {})), m.get("when"), m.get("collapse", False))
            for t, m in (body.get("tables") or {}).items()
        ]
        if int(number) in LISTS_READ:
            fields = {h.field for h in headers}
            maps.append(TableMap("children", {c: c for c in CHILD_FIELDS if c in fields}, collapse=True))
        lists[int(number)] = ListSpec(int(number), body["name"], tuple(headers), tuple(maps))
    return {
        "lists": lists,
        "spellings": raw["spellings"],
        "common_headers": tuple(header(e) for e in raw["common"]),
        "guidance_sheets": frozenset(header_key(s) for s in raw["guidance_sheets"]),
        "as_at_labels": tuple(header_key(s) for s in raw["as_at_labels"]),
        "period_from": tuple(raw["period_from"]),
        "period_min_share": float(raw["period_min_share"]),
        "snapshot_tables": frozenset(raw["snapshot_tables"]),
    }


def list_spec(number: int) -> ListSpec:
    return spec()["lists"][number]


def list_number(sheet_name: str) -> int | None:
    """``List 1``, ``List_1``, ``list1``, ``LIST 1 - Contacts`` -> 1; anything else -> None."""
    m = re.match(r"^list(\d+)(?:\D|$)", header_key(sheet_name))
    number = int(m.group(1)) if m else None
    return number if number in ALL_LISTS else None


def collapse_tables() -> set[str]:
    return {m.table for ls in spec()["lists"].values() for m in ls.tables if m.collapse}


def annex_tables() -> set[str]:
    return {m.table for ls in spec()["lists"].values() for m in ls.tables}


def latest_only_tables() -> set[str]:
    """Tables a workbook fills with each child's latest event only (List 6-8's "date of last visit",
    "latest review", "most recent placement" ...: collapsed rows fed ``when`` a date is present):
    they carry no history before the extract's as-at date; also the declared ``snapshot_tables``
    (List 9: each care leaver as at the extract date)."""
    latest = {m.table for ls in spec()["lists"].values() for m in ls.tables if m.collapse and m.when}
    return latest | set(spec()["snapshot_tables"])


def period_columns() -> tuple[tuple[str, str], ...]:
    """The (table, column)s whose earliest date starts the extract's period (``period_from``)."""
    return tuple(tuple(ref.split(".", 1)) for ref in spec()["period_from"])
