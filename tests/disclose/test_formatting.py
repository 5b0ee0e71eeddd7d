"""Number formatting shared by every part of the report."""

import numpy as np
import pandas as pd
import pytest

from torbayreport.disclose import format_count, format_value


@pytest.mark.parametrize(
    "value, unit, decimals, expected",
    [
        (45.2, "percent", 1, "45.2%"),
        (45.25, "percent", 1, "45.3%"),   # half up on the decimal as written, not half-even
        (45.24, "percent", 1, "45.2%"),
        (0.0, "percent", 1, "0.0%"),      # a true zero
        (0.04, "percent", 1, "[low]"),    # not zero, but would print as 0.0
        (100, "percent", 1, "100.0%"),
        (45.5, "percent", 0, "46%"),
        (18.333, "ratio", 1, "18.3"),
        (1234.56, "ratio", 1, "1,234.6"),
        (-0.0, "ratio", 1, "0.0"),
        (12, "count", 1, "12"),
        (1234.0, "count", 0, "1,234"),
        (np.nan, "percent", 1, "[x]"),
        (None, "ratio", 1, "[x]"),
        (pd.NA, "count", 0, "[x]"),
    ],
)
def test_format_value(value, unit, decimals, expected):
    assert format_value(value, unit, decimals) == expected


def test_format_count():
    assert format_count(0) == "0"
    assert format_count(12) == "12"
    assert format_count(1234567) == "1,234,567"
    assert format_count(23.5) == "23.5"  # an FTE is not rounded into a head count
    assert format_count(np.nan) == "[x]"


def test_unknown_unit():
    with pytest.raises(ValueError, match="unit"):
        format_value(1, "per 10,000")
