"""The ``torbayreport synth`` command writes every canonical table through the io writer."""

from torbayreport.cli import main
from torbayreport.io import SCHEMA


def test_synth_writes_csv_folder(tmp_path):
    code = main(["synth", "--out", str(tmp_path / "out"), "--scale", "0.1", "--start", "2020-07", "--end", "2020-12"])
    assert code == 0
    names = sorted(p.stem for p in (tmp_path / "out").glob("*.csv"))
    assert names == sorted(SCHEMA.table_names)


def test_synth_rejects_bad_month(tmp_path, capsys):
    assert main(["synth", "--out", str(tmp_path), "--start", "2020-13"]) == 2
