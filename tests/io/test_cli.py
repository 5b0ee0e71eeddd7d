"""``torbayreport validate``: exit codes and JSON output."""

import json

from torbayreport.cli import main
from torbayreport.io import write_csv_folder


def test_clean_folder_exits_0(tmp_path, tables, capsys):
    write_csv_folder(tables, tmp_path)
    assert main(["validate", str(tmp_path)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_warnings_only_exit_0_and_errors_exit_1(tmp_path, capsys):
    (tmp_path / "children.csv").write_text("child_id,gender,ethnicity\nC1,Martian,WBRI\n")
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "children.csv" in out and "Martian" in out and "children: 0 error(s), 1 warning(s)" in out
    (tmp_path / "staff.csv").write_text("")
    assert main(["validate", str(tmp_path)]) == 1


def test_json(tmp_path, capsys):
    (tmp_path / "children.csv").write_text("child_id,ethnicity\nC1,WBRI\n")
    assert main(["validate", str(tmp_path), "--json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert findings == [{"severity": "error", "file": "children.csv", "row": None, "column": "gender",
                         "code": "missing_column", "table": "children",
                         "message": "required column 'gender' is missing; table children not loaded (1 rows)"}]


def test_missing_path(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_as_at_option_reaches_the_date_checks(tmp_path, capsys):
    (tmp_path / "contacts.csv").write_text("child_id,contact_date,contact_source\nC1,2024-07-01,6\n")
    assert main(["validate", str(tmp_path), "--as-at", "2024-06-30", "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["row"], f["column"]) for f in findings] == [("after_as_at", 2, "contact_date")]
    assert main(["validate", str(tmp_path), "--as-at", "not a date"]) == 2
