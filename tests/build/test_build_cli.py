"""``torbayreport build`` / ``demo`` argument handling (errors only: no kernels are started)."""

from __future__ import annotations

import pytest

from torbayreport.cli import main


def test_bad_month_is_a_clear_error(capsys, tmp_path):
    assert main(["build", "--month", "2020-13", "--data", str(tmp_path), "--no-progress"]) == 1
    assert "month must be written YYYY-MM" in capsys.readouterr().err


def test_missing_data_path_is_a_clear_error(capsys, tmp_path):
    code = main(["build", "--month", "2020-12", "--data", str(tmp_path / "missing"), "--no-progress",
                 "--build-root", str(tmp_path / "b")])
    assert code == 1
    assert "data path not found" in capsys.readouterr().err


def test_unknown_audience_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--month", "2020-12", "--audience", "cabinet"])
    assert caught.value.code == 2
    assert "invalid choice: 'cabinet'" in capsys.readouterr().err


def test_missing_params_file_is_a_clear_error(tmp_path, capsys):
    assert main(["build", "--month", "2020-12", "--data", str(tmp_path), "--params", str(tmp_path / "x.yaml")]) == 1
    assert "params file not found" in capsys.readouterr().err


def test_build_and_demo_are_registered(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "build" in out and "demo" in out


def test_as_at_reaches_the_one_prepare_step(monkeypatch, tmp_path):
    import datetime as dt

    import torbayreport.publish.pipeline as pipeline
    from torbayreport.publish.prepare import prepare

    seen = {}


    def fake_build_month(month, **kwargs):
        seen.update(kwargs)
        raise pipeline.BuildError("stopped by the test")

    monkeypatch.setattr(pipeline, "build_month", fake_build_month)
    assert main(["build", "--month", "2020-12", "--data", str(tmp_path), "--as-at", "2021-01-08", "--no-progress"]) == 1
    step = seen["prepare"]
    assert step.func is prepare and step.keywords == {"as_at": dt.date(2021, 1, 8)}
    assert main(["build", "--month", "2020-12", "--data", str(tmp_path), "--no-progress"]) == 1
    assert seen["prepare"] is None  # no flag: the default prepare reads the params' as_at


def test_bad_as_at_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--month", "2020-12", "--as-at", "08/01/2021"])
    assert caught.value.code == 2
    assert "'08/01/2021' is not a date written YYYY-MM-DD" in capsys.readouterr().err
