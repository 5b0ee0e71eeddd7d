"""The neighbour-sets CSV: long and wide shapes, errors naming file, row and column."""

import pandas as pd
import pytest

from torbayreport.region.neighbours import load_neighbours, neighbour_values


def test_long_and_wide_give_the_same_sets(tmp_path):
    long = tmp_path / "long.csv"
    long.write_text("la_code,neighbour_code,rank\n880,878,2\n880,879,1\n878,880,1\n")
    wide = tmp_path / "wide.csv"
    wide.write_text("la_code,SN1,SN2\n880,879,878\n878,880,\n")
    a, b = load_neighbours(long), load_neighbours(wide)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.itertuples(index=False, name=None)) == [("878", "880", 1), ("880", "879", 1), ("880", "878", 2)]


@pytest.mark.parametrize("text, message", [
    ("la_code,neighbour_code\n880,87\n", "row 2, column neighbour_code: '87' is not a three-digit LA code"),
    ("la_code,sn1,sn2\n880,878,Devon\n", "row 2, column sn2: 'Devon'"),
    ("la_code,neighbour_code\n880,880\n", "row 2: 880 is listed as its own neighbour"),
    ("la_code,neighbour_code\n880,878\n880,878\n", "row 3: 880 -> 878 appears more than once"),
    ("code,neighbour\n880,878\n", "missing column 'la_code'"),
])
def test_errors_name_the_row_and_column(tmp_path, text, message):
    path = tmp_path / "n.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"n\.csv: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        load_neighbours(path)


def test_neighbour_mean_counts_only_neighbours_with_a_value():
    # 880's neighbours 878 (60) and 879 (no value), 881 (90) is not a neighbour: mean 60 over 1.
    values = pd.DataFrame({"la_code": ["878", "879", "881"], "month": "2020-12", "kpi_id": "P04",
                           "value": [60.0, float("nan"), 90.0]})
    sets = pd.DataFrame({"la_code": ["880", "880"], "neighbour_code": ["878", "879"]})
    out = neighbour_values(values, sets)
    assert out.to_dict("records") == [{"la_code": "880", "month": "2020-12", "kpi_id": "P04",
                                       "neighbours_value": 60.0, "neighbours_n": 1}]
