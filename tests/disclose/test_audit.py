"""The linprog audit: passes on protected patterns, fails (naming the cells) on exposed ones."""

import math

import pytest

from torbayreport.disclose import DisclosureError, Relation, audit, suppress, table_from
from torbayreport.disclose.audit import intervals


def test_under_suppressed_chain_fails_and_names_the_cells():
    # Same chain as test_suppression: T1 = a + b, T2 = b + c, T3 = c + d (a=2, b=10, c=20, d=30).
    # Hiding only {a, b} (stopping after the first relation): T2 - c = 30 - 20 pins b = 10,
    # then T1 - b pins a = 2. Both intervals have width 0.
    t = table_from(
        {"a": 2, "b": 10, "c": 20, "d": 30, "T1": 12, "T2": 30, "T3": 50},
        [Relation("T1", ("a", "b")), Relation("T2", ("b", "c")), Relation("T3", ("c", "d"))],
    )
    with pytest.raises(DisclosureError) as err:
        audit(t, {"a", "b"})
    assert [cell for cell, _, _ in err.value.problems] == ["a", "b"]
    assert "'a': true value 2, could be 2..2" in str(err.value)
    result = audit(t, {"a", "b"}, raise_on_failure=False)
    assert not result.ok and len(result.failures) == 2


def test_pattern_the_heuristic_cannot_see_is_caught():
    # T1 = a + b, T2 = a + c, T3 = b + c with a=3, b=4, c=5 all primary and the totals 7, 8, 9
    # printed. Every relation has two hidden cells, so the heuristic adds nothing, yet
    # a = (T1 + T2 - T3) / 2 = (7 + 8 - 9) / 2 = 3 exactly; likewise b = 4, c = 5.
    t = table_from(
        {"a": 3, "b": 4, "c": 5, "T1": 7, "T2": 8, "T3": 9},
        [Relation("T1", ("a", "b")), Relation("T2", ("a", "c")), Relation("T3", ("b", "c"))],
    )
    s = suppress(t)
    assert s.secondary == set()
    with pytest.raises(DisclosureError, match="3 suppressed cell"):
        audit(t, s)


def test_small_count_range_fails_even_if_not_pinned():
    # a + b = 7 (T1), b + c = 5 (T2, so b <= 5), a + d = 4 (T3, so a <= 4) with a=2, b=5, c=0, d=2.
    # T2 = 5 and T3 = 4 are themselves small, but say they were printed (exempt): then
    # a = 7 - b >= 2 and a <= 4: a in [2, 4] -- only 1..5 values, so a small count is revealed.
    t = table_from(
        {"a": 2, "b": 5, "c": 0, "d": 2, "T1": 7, "T2": 5, "T3": 4},
        [Relation("T1", ("a", "b")), Relation("T2", ("b", "c")), Relation("T3", ("a", "d"))],
        exempt={"T2", "T3"},
    )
    result = audit(t, {"a", "b", "c", "d"}, raise_on_failure=False)
    iv = result.intervals["a"]
    assert (iv.lower, iv.upper) == (2, 4)
    failed = {cell: why for cell, _, why in result.failures}
    assert "a" in failed and "1..5" in failed["a"]


def test_protection_width_is_configurable():
    # 50 = 40 + p + q with p=3, q=7 hidden: p + q = 10 -> p in [0, 10], width 10.
    t = table_from({"T": 50, "n": 40, "p": 3, "q": 7}, [Relation("T", ("n", "p", "q"))])
    assert audit(t, {"p", "q"}).ok
    with pytest.raises(DisclosureError, match="below the protection width 11"):
        audit(t, {"p", "q"}, min_width=11)


def test_unbounded_and_components():
    # Two independent relations -> two LPs; a hidden total over hidden parts is unbounded above.
    t = table_from(
        {"T": 9, "a": 4, "b": 5, "U": 50, "c": 3, "d": 47},
        [Relation("T", ("a", "b")), Relation("U", ("c", "d"))],
    )
    found, n = intervals(t, {"T", "a", "b", "c", "d"})
    assert n == 2
    assert found["T"].upper == math.inf and found["T"].lower == 0
    assert (found["c"].lower, found["c"].upper) == (0, 50)


def test_small_lower_bound_with_no_upper_bound_passes():
    # p = a + b (p=3, a=2, b=1), E = a + c = 6, F = c + d = 4 (c=4, d=0); E and F printed,
    # everything else hidden. By hand: c <= F = 4 -> a = 6 - c >= 2 -> p >= 2; b is bounded by
    # nothing, so p in [2, inf). Its range reaches past 5, so it is not a revealed small count.
    t = table_from(
        {"p": 3, "a": 2, "b": 1, "E": 6, "c": 4, "F": 4, "d": 0},
        [Relation("p", ("a", "b")), Relation("E", ("a", "c")), Relation("F", ("c", "d"))],
    )
    result = audit(t, {"p", "a", "b", "c", "d"})
    assert result.ok
    iv = result.intervals["p"]
    assert iv.lower == 2 and math.isinf(iv.upper)
    assert (result.intervals["a"].lower, result.intervals["a"].upper) == (2, 6)


def test_cell_in_no_relation_is_reported_unbounded():
    t = table_from({"a": 3, "b": 40}, [])
    iv = audit(t, suppress(t)).intervals
    assert list(iv) == ["a"] and iv["a"].lower == 0 and math.isinf(iv["a"].upper)


def test_one_relation_closed_form_agrees_with_linprog():
    # The audit answers a component of one relation without an LP (audit._one_relation). The
    # reference here is HiGHS itself (scipy.optimize.linprog, min and max of each hidden cell over
    # x >= 0), on random relations of 1..4 parts with random values and random hidden sets,
    # including infeasible ones (a published total below its published parts plus hidden ones).
    import random

    from scipy.optimize import linprog

    import numpy as np

    rng = random.Random(20201231)
    checked = infeasible = unbounded = 0
    for _ in range(400):
        n = rng.randint(1, 4)
        parts = {f"p{i}": rng.randint(0, 12) for i in range(n)}
        total = sum(parts.values()) + rng.choice([0, 0, -5, -1, 1, 4])  # half of them inconsistent
        values = {"T": max(total, 0), **parts}
        names = list(values)
        hidden = {c for c in names if rng.random() < 0.35} or {rng.choice(names)}
        t = table_from(values, [Relation("T", tuple(parts))])
        unknown = [c for c in names if c in hidden]
        coef = np.array([[1.0 if c == "T" else -1.0 for c in unknown]])
        rhs = np.array([-sum((1.0 if c == "T" else -1.0) * values[c] for c in names if c not in hidden)])
        expected, feasible = {}, True
        for j, cell in enumerate(unknown):
            bounds = []
            for sense in (1.0, -1.0):
                obj = np.zeros(len(unknown))
                obj[j] = sense
                res = linprog(obj, A_eq=coef, b_eq=rhs, bounds=(0, None), method="highs")
                if res.status == 2:
                    feasible = False
                    break
                bounds.append(math.inf if res.status == 3 else sense * res.fun)
            if not feasible:
                break
            expected[cell] = (max(0.0, round(bounds[0], 6)), bounds[1] if bounds[1] == math.inf else round(bounds[1], 6))
        if not feasible:
            infeasible += 1
            with pytest.raises(ValueError, match="LP is infeasible"):
                intervals(t, hidden)
            continue
        found, n_components = intervals(t, hidden)
        assert n_components == 1
        got = {c: (iv.lower, iv.upper) for c, iv in found.items()}
        assert got == expected, (values, hidden)
        checked += 1
        unbounded += any(u == math.inf for _, u in expected.values())
    # the draw covers every branch: feasible bounded, unbounded and infeasible components
    assert checked > 100 and infeasible >= 5 and unbounded > 50, (checked, infeasible, unbounded)


def test_one_relation_by_hand():
    # x0 + x1 = -2 with x >= 0 has no solution; neither has -x0 = 3. x0 - x1 = 4: x0 = 4 + x1 is
    # at least 4 and unbounded above; x1 = x0 - 4 is at least 0 (x0 = 4) and unbounded.
    # 2 x0 + x1 = 6: x0 in [0, 3]. x0 = 5 with a cell of coefficient 0 (x1): x1 is free.
    import numpy as np

    from torbayreport.disclose.audit import _one_relation

    assert _one_relation(np.array([1.0, 1.0]), -2.0, 0) is None
    assert _one_relation(np.array([-1.0]), 3.0, 0) is None
    assert _one_relation(np.array([1.0, -1.0]), 4.0, 0) == (4.0, math.inf)
    assert _one_relation(np.array([1.0, -1.0]), 4.0, 1) == (0.0, math.inf)
    assert _one_relation(np.array([2.0, 1.0]), 6.0, 0) == (0.0, 3.0)
    assert _one_relation(np.array([1.0, 0.0]), 5.0, 1) == (0.0, math.inf)
