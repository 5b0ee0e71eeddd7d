"""generate -> write (CSV folder / Annex A) -> torbayreport.io.load gives back identical tables."""

import pandas as pd
import pytest

from torbayreport.io import SCHEMA, load, write_annex_a, write_csv_folder
from torbayreport.synth import generate


@pytest.fixture(scope="module")
def small():
    return generate(seed=3, scale=0.3, start="2020-01", end="2020-12")


def _same(expected, loaded):
    for name in SCHEMA.table_names:
        key = list(SCHEMA[name].key)
        a = expected[name].sort_values(key).reset_index(drop=True)
        b = loaded[name].sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=name)


@pytest.mark.parametrize("writer", [write_csv_folder, write_annex_a], ids=["csv", "annex-a"])
def test_round_trip(tmp_path, small, writer):
    writer(small, tmp_path)
    result = load(tmp_path)
    assert result.findings == [] or not result.errors, result.findings[:5]
    assert [str(f) for f in result.findings] == []
    _same(small, result.tables)
