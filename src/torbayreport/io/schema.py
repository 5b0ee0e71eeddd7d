"""The canonical data model, read from ``schema.yaml``.

Why a data file and not Python classes per table: the loaders, the synthetic generator, the
validation rules and the tests all need the same column lists, dtypes, codes, keys and date-order
rules. Declaring them once as data means none of those modules can drift from another; each asks
this module instead of keeping its own copy.

Canonical in-memory dtypes (what every loader returns and every metric may rely on):

=========  ============================  ==========================================
dtype      pandas dtype                  notes
=========  ============================  ==========================================
id, str    ``string`` (pd.StringDtype)   missing = ``pd.NA``
code       ``string``                    always one of the code list's values
date       ``datetime64[ns]``            midnight, no time part
datetime   ``datetime64[ns]``            time kept
month      ``period[M]``                 written ``YYYY-MM`` in CSV
bool       ``boolean``                   nullable: blank = unknown
int        ``Int64``                     nullable
float      ``float64``
=========  ============================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Mapping

import pandas as pd
import yaml

PANDAS_DTYPES: dict[str, object] = {
    "id": "string",
    "str": "string",
    "code": "string",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "month": pd.PeriodDtype("M"),
    "bool": "boolean",
    "int": "Int64",
    "float": "float64",
}

DATE_DTYPES = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind of value and the rules a value must keep."""

    name: str
    dtype: str
    required: bool = False
    codes: str | None = None
    sensitive: bool = False
    min: float | None = None  # plausible range of a number (inclusive); see schema.yaml
    max: float | None = None
    future: bool = False  # a date that may lie after the extract's as-at date

    @property
    def pandas_dtype(self) -> object:
        return PANDAS_DTYPES[self.dtype]

    @property
    def is_date(self) -> bool:
        return self.dtype in DATE_DTYPES


@dataclass(frozen=True)
class DerivedId:
    """How to make an id a source does not carry (e.g. Annex A List 3 has no referral id)."""

    column: str
    template: str

    def derive(self, frame: pd.DataFrame) -> pd.Series:
        """Vectorised: build the id for every row of ``frame`` from the template's fields."""
        # The only template shape in use is "{a}-R{b:%Y%m%d}"; format generally but per column.
        import string

        parts = []
        for literal, field_name, spec, _ in string.Formatter().parse(self.template):
            if literal:
                parts.append(pd.Series(literal, index=frame.index, dtype="string"))
            if field_name is None:
                continue
            values = frame[field_name]
            if spec:
                text = pd.to_datetime(values).dt.strftime(spec)
            else:
                text = values.astype("string")
            parts.append(text.astype("string"))
        out = parts[0]
        for part in parts[1:]:
            out = out + part
        return out.astype("string")


@dataclass(frozen=True)
class Table:
    """One canonical table: grain, key, columns and date-order rules."""

    name: str
    grain: str
    key: tuple[str, ...]
    columns: Mapping[str, Column]
    order: tuple[tuple[str, str], ...] = ()
    derived_id: DerivedId | None = None
    references: Mapping[str, str] = field(default_factory=dict)  # column -> table whose key it names

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]

    @property
    def date_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.is_date]

    @property
    def sensitive_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.sensitive]

    @property
    def dtypes(self) -> dict[str, object]:
        return {c.name: c.pandas_dtype for c in self.columns.values()}

    def empty_frame(self) -> pd.DataFrame:
        """A zero-row frame with every canonical column in its canonical dtype."""
        return pd.DataFrame({name: pd.Series(dtype=dt) for name, dt in self.dtypes.items()})

    def coerce(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Cast already-clean values to the canonical dtypes, in canonical column order.

        This is for data that is known to be clean (the generator's output, test fixtures).
        Raw extracts go through the loaders, which parse and validate cell by cell first.
        """
        out = {}
        for col in self.columns.values():
            values = (
                frame[col.name]
                if col.name in frame
                else pd.Series(pd.NA, index=frame.index, dtype="object").astype(
                    "Float64" if col.dtype == "float" else "object"
                )
            )
            if col.dtype == "month":
                out[col.name] = pd.PeriodIndex(values.astype("string"), freq="M").to_series(
                    index=frame.index
                ) if len(values) else pd.Series(dtype=col.pandas_dtype)
            elif col.is_date:
                parsed = pd.to_datetime(values)
                if col.dtype == "date":
                    parsed = parsed.dt.normalize()
                out[col.name] = parsed.astype("datetime64[ns]")
            else:
                out[col.name] = values.astype(col.pandas_dtype)
        return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


@dataclass(frozen=True)
class Schema:
    """All tables and code lists of the canonical model."""

    tables: Mapping[str, Table]
    codelists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    def __iter__(self):
        return iter(self.tables.values())

    @property
    def table_names(self) -> list[str]:
        return list(self.tables)

    def codes_for(self, table: str, column: str) -> tuple[str, ...] | None:
        codes = self.tables[table].columns[column].codes
        return self.codelists[codes] if codes else None


def _parse(raw: dict) -> Schema:
    for name, values in raw["codelists"].items():
        if any(isinstance(v, bool) for v in values):
            # YAML 1.1 reads bare Yes/No/On/Off as booleans; str(True) would be a silent wrong code.
            raise ValueError(f"schema.yaml: code list {name!r} has a bare yes/no/on/off value; quote it")
    codelists = {name: tuple(str(v) for v in values) for name, values in raw["codelists"].items()}
    tables = {}
    for name, spec in raw["tables"].items():
        columns = {
            col_name: Column(name=col_name, **col_spec) for col_name, col_spec in spec["columns"].items()
        }
        for col in columns.values():
            if col.dtype not in PANDAS_DTYPES:
                raise ValueError(f"schema.yaml: {name}.{col.name} has unknown dtype {col.dtype!r}")
            if col.dtype == "code" and col.codes not in codelists:
                raise ValueError(f"schema.yaml: {name}.{col.name} names unknown code list {col.codes!r}")
            if col.dtype in ("int", "float") and (col.min is None or col.max is None):
                raise ValueError(f"schema.yaml: numeric column {name}.{col.name} must declare min and max")
        derived = spec.get("derived_id")
        tables[name] = Table(
            name=name,
            grain=spec["grain"],
            key=tuple(spec["key"]),
            columns=columns,
            order=tuple(tuple(pair) for pair in spec.get("order", [])),
            derived_id=DerivedId(**derived) if derived else None,
            references=dict(spec.get("references", {})),
        )
    for table in tables.values():
        for column, target in table.references.items():
            if column not in table.columns or target not in tables or len(tables[target].key) != 1:
                raise ValueError(f"schema.yaml: {table.name}.references {column} -> {target} is not a one-column key")
    return Schema(tables=tables, codelists=codelists)


def packaged_yaml(name: str):
    """One of the YAML files shipped in this package (schema, codes, Annex A layout), parsed.

    With libyaml's parser when PyYAML has it: the same safe constructor and resolver, so the same
    data, eight times faster (the three files cost 0.1 s of every build's start-up in pure
    Python). Only for these files, which are checked to read alike both ways
    (tests/io/test_schema_yaml.py); params, written by people, keep the pure parser and its messages.
    """
    text = resources.files("torbayreport.io").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The canonical schema (parsed once per process)."""
    return _parse(packaged_yaml("schema.yaml"))


SCHEMA = load_schema()


def empty_tables() -> dict[str, pd.DataFrame]:
    """Every canonical table, empty, in canonical dtypes."""
    return {table.name: table.empty_frame() for table in SCHEMA}


def tables_from(**frames: pd.DataFrame | list[dict]) -> dict[str, pd.DataFrame]:
    """A full set of canonical tables from a few hand-built ones (the rest empty).

    For fixtures and known-answer tests: ``tables_from(referrals=[{...}, ...])``; columns left out
    of a row are missing (NA), values are cast to the canonical dtypes.
    """
    tables = empty_tables()
    for name, rows in frames.items():
        if name not in SCHEMA.tables:
            raise KeyError(f"no canonical table called {name!r}")
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
        tables[name] = SCHEMA[name].coerce(frame)
    return tables
