"""``torbayreport region`` arguments and input errors: clear messages, nothing written."""

from torbayreport.cli import main


def test_missing_data_root_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["region", "--data-root", str(tmp_path / "nowhere"), "--month", "2020-12", "--out", str(out)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not out.exists()


def test_root_without_council_folders_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    assert main(["region", "--data-root", str(tmp_path), "--month", "2020-12", "--out", str(tmp_path / "o")]) == 2
    assert "three-digit DfE LA code" in capsys.readouterr().err


def test_bad_neighbours_file_names_row_and_column(region_root, tmp_path, capsys):
    bad = tmp_path / "n.csv"
    bad.write_text("la_code,neighbour_code\n880,Devon\n")
    code = main(["region", "--data-root", str(region_root), "--month", "2020-12", "--out", str(tmp_path / "o"),
                 "--neighbours", str(bad)])
    assert code == 2
    assert "row 2, column neighbour_code" in capsys.readouterr().err


def test_unknown_kpi_and_bad_month(region_root, tmp_path, capsys):
    args = ["region", "--data-root", str(region_root), "--out", str(tmp_path / "o")]
    assert main([*args, "--month", "2020-12", "--kpi", "P99"]) == 2
    assert "unknown KPI id(s): P99" in capsys.readouterr().err
    try:
        main([*args, "--month", "2020-13"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "not a month written YYYY-MM" in capsys.readouterr().err
