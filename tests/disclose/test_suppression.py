"""Primary and secondary suppression: known answers worked out by hand."""

import pytest

from torbayreport.disclose import Relation, audit, suppress, table_from


def worked_example(grand_total: bool = False):
    """Research note spc_and_disclosure.md §B3 item 3, the "worked vector".

    rows 0-9 / 10-17 x cols Foster / Resid / Other = [[40, 3, 7], [55, 12, 8]];
    row totals 50, 75; column totals 95, 15, 15.
    """
    v = {
        ("0-9", "Foster"): 40, ("0-9", "Resid"): 3, ("0-9", "Other"): 7,
        ("10-17", "Foster"): 55, ("10-17", "Resid"): 12, ("10-17", "Other"): 8,
        ("0-9", "All"): 50, ("10-17", "All"): 75,
        ("All", "Foster"): 95, ("All", "Resid"): 15, ("All", "Other"): 15,
    }
    rels = [
        Relation(("0-9", "All"), (("0-9", "Foster"), ("0-9", "Resid"), ("0-9", "Other")), "row"),
        Relation(("10-17", "All"), (("10-17", "Foster"), ("10-17", "Resid"), ("10-17", "Other")), "row"),
    ] + [
        Relation(("All", c), (("0-9", c), ("10-17", c)), "column") for c in ("Foster", "Resid", "Other")
    ]
    if grand_total:
        v[("All", "All")] = 125
        rels.append(Relation(("All", "All"), (("0-9", "All"), ("10-17", "All")), "row-of-totals"))
        rels.append(Relation(("All", "All"), tuple(("All", c) for c in ("Foster", "Resid", "Other")), "column-of-totals"))
    return table_from(v, rels)


def test_worked_example_from_research_note_b3():
    # Note §B3: "primary: 3; the heuristic adds 7 (row), then 12 (column), then 8 (row)".
    s = suppress(worked_example())
    assert s.primary == {("0-9", "Resid")}
    assert [(st.cell, st.kind) for st in s.steps] == [
        (("0-9", "Other"), "row"),      # 7: row 0-9 had only the 3 hidden; 7 < 40
        (("10-17", "Resid"), "column"),  # 12: column Resid had only the 3 hidden
        (("10-17", "Other"), "row"),     # 8: row 10-17 then had only the 12 hidden; 8 < 55
    ]
    assert s.passes == 2  # 7 and 12 in pass 1 (both exposed by the 3), 8 in pass 2
    # Note §B3: "audit intervals: 3 -> [0, 10], 7 -> [0, 10], 12 -> [5, 15], 8 -> [5, 15]".
    # By hand: row 0-9 gives 3+7 = 10, column Resid 3+12 = 15, column Other 7+8 = 15,
    # row 10-17 12+8 = 20; with a = the 3: 7 = 10-a, 12 = 15-a, 8 = 5+a, all >= 0 -> a in [0, 10].
    result = audit(worked_example(), s)
    got = {c: (iv.lower, iv.upper) for c, iv in result.intervals.items()}
    assert got == {
        ("0-9", "Resid"): (0, 10), ("0-9", "Other"): (0, 10),
        ("10-17", "Resid"): (5, 15), ("10-17", "Other"): (5, 15),
    }
    assert result.ok


def test_grand_total_changes_nothing_in_the_worked_example():
    # The grand total 125 = 50 + 75 = 95 + 15 + 15 has no hidden cell: same pattern.
    s = suppress(worked_example(grand_total=True))
    assert s.suppressed == {("0-9", "Resid"), ("0-9", "Other"), ("10-17", "Resid"), ("10-17", "Other")}


def test_zero_is_a_true_zero_and_threshold_is_configurable():
    t = table_from({"a": 0, "b": 1, "c": 5, "d": 6, "e": 9}, [])
    assert suppress(t).primary == {"b", "c"}
    assert suppress(t, threshold=9).primary == {"b", "c", "d", "e"}
    for bad in (0, -1, 2.5, True, "5", None):
        with pytest.raises(ValueError, match="at least 1"):
            suppress(t, threshold=bad)
    assert suppress(t, threshold=9.0).primary == {"b", "c", "d", "e"}  # a whole float from YAML is fine


def test_chain_needs_one_pass_per_link():
    # T1 = a + b, T2 = b + c, T3 = c + d with a=2, b=10, c=20, d=30 (T1=12, T2=30, T3=50).
    # Pass 1: a hides b (T1); pass 2: b exposes T2 -> c; pass 3: c exposes T3 -> d.
    t = table_from(
        {"a": 2, "b": 10, "c": 20, "d": 30, "T1": 12, "T2": 30, "T3": 50},
        [Relation("T1", ("a", "b")), Relation("T2", ("b", "c")), Relation("T3", ("c", "d"))],
    )
    s = suppress(t)
    assert [st.cell for st in s.steps] == ["b", "c", "d"]
    assert s.passes == 3
    # a+b = 12, b+c = 30, c+d = 50 -> b = 12-a, c = 18+a, d = 32-a: a in [0, 12]
    iv = audit(t, s).intervals
    assert {k: (v.lower, v.upper) for k, v in iv.items()} == {
        "a": (0, 12), "b": (0, 12), "c": (18, 30), "d": (20, 32)
    }


def test_smallest_nonzero_component_and_deterministic_ties():
    # 40 = 3 + 0 + 9 + 9 + 19: zero skipped, tie between the two 9s goes to the first listed.
    t = table_from(
        {"T": 40, "p": 3, "z": 0, "n1": 9, "n2": 9, "m": 19},
        [Relation("T", ("p", "z", "n1", "n2", "m"))],
    )
    assert suppress(t).secondary == {"n1"}


def test_implied_cells_are_chosen_first():
    # g: 53 = den + p with p=3 primary -> den (50) is hidden. Then den = num + comp has one
    # hidden cell: comp (30, not printed) is chosen over num (20, printed) although larger;
    # without the implied flag the smaller num would go.
    values = {"den": 50, "num": 20, "comp": 30, "g": 53, "p": 3}
    rels = [Relation("den", ("num", "comp")), Relation("g", ("den", "p"))]
    assert suppress(table_from(values, rels, implied={"comp"})).secondary == {"den", "comp"}
    assert suppress(table_from(values, rels)).secondary == {"den", "num"}


def test_only_zero_candidates_then_a_zero_is_hidden():
    # R0: 50 = p + x (p=2 primary -> x=48 hidden). R1: 48 = x + z1 + z2 (z1=z2=0): the only
    # candidates are zeros and the total is 48 > 0, so z1 (first zero) is hidden.
    # Then p + x = 50 and x + z1 = 48: x = 48 - z1 <= 48 -> p in [2, 50]; not a small count.
    t = table_from(
        {"R0": 50, "p": 2, "x": 48, "R1": 48, "z1": 0, "z2": 0},
        [Relation("R0", ("p", "x")), Relation("R1", ("x", "z1", "z2"))],
    )
    s = suppress(t)
    assert [st.cell for st in s.steps] == ["x", "z1"]
    iv = audit(t, s).intervals
    assert (iv["p"].lower, iv["p"].upper) == (2, 50)


def test_total_is_hidden_when_it_is_the_only_other_cell():
    # R1 has a single component: 48 = x. Once x is hidden the total must go.
    t = table_from(
        {"R0": 50, "p": 2, "x": 48, "R1": 48},
        [Relation("R0", ("p", "x")), Relation("R1", ("x",))],
    )
    s = suppress(t)
    assert [st.cell for st in s.steps] == ["x", "R1"]
    assert audit(t, s).ok


def test_zero_total_forces_the_total_not_another_zero():
    # R0: 50 = p(2) + x(48) -> x; R1: 48 = x + s(0) -> s (only zeros left, total 48 > 0);
    # R2: 0 = s + t(0): hiding t would leave s + t = 0, pinning s = 0 and hence x = 48, p = 2.
    # So the published-0 total is hidden instead.
    t = table_from(
        {"R0": 50, "p": 2, "x": 48, "R1": 48, "s": 0, "R2": 0, "t": 0},
        [Relation("R0", ("p", "x")), Relation("R1", ("x", "s")), Relation("R2", ("s", "t"))],
    )
    s = suppress(t)
    assert [st.cell for st in s.steps] == ["x", "s", "R2"]
    assert audit(t, s).ok


def test_bad_input_is_an_error():
    with pytest.raises(ValueError, match="not a non-negative whole count"):
        suppress(table_from({"a": 2.5}, []))
    with pytest.raises(ValueError, match="does not add up"):
        suppress(table_from({"T": 10, "a": 3, "b": 4}, [Relation("T", ("a", "b"))]))
    with pytest.raises(ValueError, match="unknown cells"):
        suppress(table_from({"T": 10, "a": 3}, [Relation("T", ("a", "b"))]))
