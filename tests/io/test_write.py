"""write_csv_folder: canonical text formats, ordering, determinism and exact read-back."""

import pandas as pd

from torbayreport.io import load, write_csv_folder
from torbayreport.io.schema import SCHEMA, tables_from


def test_every_table_written_header_only_when_empty(tmp_path):
    paths = write_csv_folder({}, tmp_path)
    assert sorted(p.stem for p in paths) == sorted(SCHEMA.table_names)
    assert (tmp_path / "children.csv").read_bytes() == b"child_id,gender,ethnicity,date_of_birth,disability\n"


def test_formats_and_key_order(tmp_path):
    tables = tables_from(
        referrals=[
            dict(referral_id="R2", child_id="C2", referral_date="2024-02-03", referral_source="1A", referral_nfa=True),
            dict(referral_id="R1", child_id="C1", referral_date="2024-01-03", referral_source="6", referral_nfa=None),
        ],
        missing=[dict(child_id="C1", missing_start="2024-01-02 13:45:59")],
        establishment=[dict(month="2024-03", team="T, with comma", budgeted_sw_fte=7.25)],
    )
    write_csv_folder(tables, tmp_path)
    # written by hand: sorted by referral_id (R1 before R2), bool Y / blank, ISO dates
    assert (tmp_path / "referrals.csv").read_text() == (
        "referral_id,child_id,referral_date,referral_source,referral_nfa,referrals_last_12m\n"
        "R1,C1,2024-01-03,6,,\n"
        "R2,C2,2024-02-03,1A,Y,\n"
    )
    assert (tmp_path / "missing.csv").read_text().splitlines()[1] == "C1,2024-01-02T13:45,,,"
    assert (tmp_path / "establishment.csv").read_text().splitlines()[1] == '2024-03,"T, with comma",7.25'
    assert b"\r" not in (tmp_path / "referrals.csv").read_bytes()


def test_byte_deterministic_whatever_the_input_row_order(tmp_path, tables):
    write_csv_folder(tables, tmp_path / "a")
    shuffled = {name: frame.iloc[::-1] for name, frame in tables.items()}
    write_csv_folder(shuffled, tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_round_trip_returns_the_same_tables(tmp_path, tables):
    write_csv_folder(tables, tmp_path)
    result = load(tmp_path)
    assert result.findings == []
    for name, frame in tables.items():
        expected = frame.sort_values(list(SCHEMA[name].key)).reset_index(drop=True)
        pd.testing.assert_frame_equal(result.tables[name], expected, obj=name)
    assert {s.name for s in result.sources} == {f"{n}.csv" for n in SCHEMA.table_names}
    assert all(len(s.sha256) == 64 for s in result.sources)
