"""apply() on a small hand-built assessed table, public vs internal."""

import numpy as np
import pandas as pd
import pytest

from torbayreport.disclose import (
    DISPLAY_COLUMNS,
    FLAG_COLUMNS,
    DisclosureError,
    Relation,
    apply,
    cell_id,
    protect,
    table_from,
)

NaN = np.nan
# kpi ids X.. are not in the registry: percent/count/ratio KPIs defined only by their unit.
ROWS = [
    # kpi,  month,    num,  den,   value, unit
    ("X01", "2020-01", 40, 43, 93.0, "percent"),   # complement 3 is not primary by default
    ("X01", "2020-02", 3, 40, 7.5, "percent"),     # small numerator
    ("X01", "2020-03", 0, 4, 0.0, "percent"),      # zero of a small denominator
    ("X01", "2020-04", 0, 0, NaN, "percent"),      # no data
    ("X01", "2020-05", 5, 5, 100.0, "percent"),    # both small
    ("X01", "2020-06", 1, 2500, 0.04, "percent"),  # rounds to zero
    ("X02", "2020-01", 2, NaN, 2.0, "count"),
    ("X02", "2020-02", 12, NaN, 12.0, "count"),
    ("X02", "2020-03", NaN, NaN, NaN, "count"),    # missing extract
    ("X03", "2020-01", 120, 6.5, 18.5, "ratio"),   # children / FTE
    ("X03", "2020-02", 4, 2.5, 1.6, "ratio"),
]


def assessed() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["kpi_id", "month", "numerator", "denominator", "value", "unit"])
    frame["month"] = pd.PeriodIndex(frame["month"], freq="M")
    frame["rag"] = "Green"  # an assess column that must pass through untouched
    return frame


def shown(frame):
    return [tuple(r) for r in frame[DISPLAY_COLUMNS].itertuples(index=False)]


def test_public():
    out = apply(assessed(), audience="public")
    assert shown(out) == [
        ("40", "43", "93.0%"),
        ("[c]", "40", "[c]"),     # 3 -> [c]; its complement 37 (not printed) is the partner
        ("0", "[c]", "[c]"),      # den 4 -> [c]; 0 stays a true zero; value withheld (den <= 5)
        ("0", "0", "[z]"),
        ("[c]", "[c]", "[c]"),
        ("[c]", "2,500", "[c]"),  # 1 -> [c]; value would give it back
        ("[c]", "[z]", "[c]"),    # a count KPI's value is its numerator
        ("12", "[z]", "12"),
        ("[x]", "[z]", "[x]"),
        ("120", "6.5", "18.5"),   # FTE denominator is not a count of people
        ("[c]", "2.5", "[c]"),    # 4 children -> [c], and 1.6 x 2.5 would give it back
    ]
    assert out["numerator_suppressed"].tolist() == [False, True, False, False, True, True, True, False, False, False, True]
    assert out["denominator_suppressed"].tolist() == [False, False, True, False, True] + [False] * 6
    assert out["value_suppressed"].tolist() == [False, True, True, False, True, True, True, False, False, False, True]
    assert out["rag"].tolist() == ["Green"] * len(ROWS)
    assert out[FLAG_COLUMNS].dtypes.eq(bool).all()


def test_internal_shows_everything():
    out = apply(assessed(), audience="internal")
    assert shown(out) == [
        ("40", "43", "93.0%"),
        ("3", "40", "7.5%"),
        ("0", "4", "0.0%"),
        ("0", "0", "[z]"),
        ("5", "5", "100.0%"),
        ("1", "2,500", "[low]"),
        ("2", "[z]", "2"),
        ("12", "[z]", "12"),
        ("[x]", "[z]", "[x]"),
        ("120", "6.5", "18.5"),
        ("4", "2.5", "1.6"),
    ]
    assert not out[FLAG_COLUMNS].to_numpy().any()


def test_protect_complement_hides_180_of_183_style_rows():
    # 40 of 43: the complement 3 becomes primary; the relation 43 = 40 + 3 then needs one more
    # hidden cell and the only other component is the numerator 40.
    out = apply(assessed().iloc[:1], audience="public", protect_complement=True)
    assert shown(out) == [("[c]", "43", "[c]")]


def test_extra_breakdown_table_is_protected_jointly():
    # X02 2020-02 = 12 broken down as 9 + 3 (printed elsewhere): the 3 is primary, the 9 its
    # partner; the total row *is* the KPI numerator (same id), which stays printed.
    base = assessed()
    total = cell_id("X02", "2020-02", "numerator")
    parts = (cell_id("X02", "2020-02", "numerator", "age", "0-9"), cell_id("X02", "2020-02", "numerator", "age", "10-17"))
    extra = table_from({total: 12, parts[0]: 9, parts[1]: 3}, [Relation(total, parts, "breakdown")])
    frame, protection = protect(base, extra=[extra])
    assert protection.suppression.suppressed >= set(parts)
    assert frame.loc[7, "numerator_display"] == "12"
    iv = protection.audit.intervals[parts[1]]
    assert (iv.lower, iv.upper) == (0, 12)


def test_public_raises_when_extra_tables_expose_a_cell():
    # Three printed totals over pairs of the same three small counts pin each of them
    # (a = (7 + 8 - 9) / 2): apply must refuse rather than publish.
    a, b, c = (cell_id("X09", "2020-01", "numerator", "k", k) for k in "abc")
    extra = table_from(
        {a: 3, b: 4, c: 5, "T1": 7, "T2": 8, "T3": 9},
        [Relation("T1", (a, b)), Relation("T2", (a, c)), Relation("T3", (b, c))],
    )
    with pytest.raises(DisclosureError):
        apply(assessed(), audience="public", extra=[extra])


def test_bad_input():
    with pytest.raises(ValueError, match="audience"):
        apply(assessed(), audience="press")
    with pytest.raises(ValueError, match="lacks column"):
        apply(assessed().drop(columns="unit"), audience="public")
    bad = assessed()
    bad.loc[0, "numerator"] = 50
    with pytest.raises(ValueError, match="numerator exceeds denominator"):
        apply(bad, audience="public")
    dup = pd.concat([assessed(), assessed().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"repeated in row\(s\) \[0, 11\]"):
        apply(dup, audience="internal")
