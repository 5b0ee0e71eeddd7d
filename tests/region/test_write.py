"""CSV outputs are inert: formula-like text is kept whole behind an apostrophe; numbers untouched."""

import pandas as pd

from torbayreport.region.write import write_frame


def test_formula_like_text_is_written_inert(tmp_path):
    frame = pd.DataFrame({"la_name": ["=HYPERLINK(\"x\")", "Torbay", "-1+2", "@SUM(A1)"],
                          "value": [-3.5, 1.0, 2.0, float("nan")],
                          "month": pd.PeriodIndex(["2020-12"] * 4, freq="M")})
    write_frame(frame, tmp_path, "t")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines == ["la_name,value,month", "\"'=HYPERLINK(\"\"x\"\")\",-3.5,2020-12", "Torbay,1,2020-12",
                     "'-1+2,2,2020-12", "'@SUM(A1),,2020-12"]
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["la_name"].tolist()[0] == "=HYPERLINK(\"x\")"  # Parquet keeps the text as it is
    assert not list(tmp_path.glob(".*.tmp"))
