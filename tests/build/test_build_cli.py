"""``torbayreport build`` / ``demo`` argument handling (errors only: no kernels are started)."""

from __future__ import annotations

import os

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


def test_as_at_and_the_audiences_reach_the_one_build(monkeypatch, tmp_path):
    import datetime as dt

    from torbayreport import config
    from torbayreport.publish import multi
    from torbayreport.publish.execute import BuildError

    seen = {}

    def fake_build_audiences(month, **kwargs):
        seen.update(kwargs)
        raise BuildError("stopped by the test")

    monkeypatch.setattr(multi, "build_audiences", fake_build_audiences)
    assert main(["build", "--month", "2020-12", "--data", str(tmp_path), "--as-at", "2021-01-08", "--no-progress"]) == 1
    assert seen["as_at"] == dt.date(2021, 1, 8) and seen["audiences"] == ["internal"]
    assert seen.get("prepare") is None    # the default prepare: shared between audiences and cached
    assert main(["build", "--month", "2020-12", "--data", str(tmp_path), "--no-progress"]) == 1
    assert seen["as_at"] is None  # no flag: the default prepare reads the params' as_at
    # --audience all: every declared audience in ONE call (one prepare, one pool), not a loop
    assert main(["build", "--month", "2020-12", "--audience", "all", "--data", str(tmp_path), "--no-progress"]) == 1
    assert seen["audiences"] == list(config.audiences())
    assert seen["jobs"] == len(os.sched_getaffinity(0))   # --jobs defaults to the cores this process may use


def test_demo_builds_every_audience_in_one_build(monkeypatch, tmp_path):
    from torbayreport import config
    from torbayreport.publish import multi, pipeline
    from torbayreport.publish.execute import BuildError

    seen = {}

    def fake_build_audiences(month, **kwargs):
        seen.update(kwargs, month=month)
        raise BuildError("stopped by the test")

    monkeypatch.setattr(multi, "build_audiences", fake_build_audiences)
    monkeypatch.setattr(pipeline, "ensure_sample", lambda data: False)
    monkeypatch.setattr(pipeline, "latest_month", lambda data: "2020-12")
    assert main(["demo", "--data", str(tmp_path)]) == 1
    assert seen["month"] == "2020-12" and seen["audiences"] == list(config.audiences())
    assert seen["jobs"] == len(os.sched_getaffinity(0))


def test_a_failed_audience_is_named_and_the_published_ones_printed(monkeypatch, capsys, tmp_path):
    from types import SimpleNamespace

    from torbayreport.publish import multi
    from torbayreport.publish.execute import BuildError

    def fake_build_audiences(month, **kwargs):
        error = BuildError("notebook 'summary' failed")
        error.published = [SimpleNamespace(month=month, audience="internal", build_id="b1", renderer="pandoc+typst",
                                           outputs={"html": tmp_path / "x.html"}, manifest_path=tmp_path / "m.json",
                                           stage_dir=tmp_path, reused={})]
        error.failures = {"public": error}
        raise error

    monkeypatch.setattr(multi, "build_audiences", fake_build_audiences)
    assert main(["build", "--month", "2020-12", "--audience", "all", "--data", str(tmp_path), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "2020-12 internal (build b1" in captured.out
    assert "error (public): notebook 'summary' failed" in captured.err


def test_bad_as_at_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["build", "--month", "2020-12", "--as-at", "08/01/2021"])
    assert caught.value.code == 2
    assert "'08/01/2021' is not a date written YYYY-MM-DD" in capsys.readouterr().err
