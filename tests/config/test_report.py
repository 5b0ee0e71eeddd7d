"""Audiences, chapters and formats: declared once in reports/_quarto.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from torbayreport import config

PROJECT = Path(__file__).resolve().parents[2]


def test_every_chapter_has_a_notebook_and_every_notebook_is_a_chapter():
    from torbayreport.publish.region_report import NOTEBOOK as REGIONAL_REPORT

    chapters = config.chapters() + list(config.optional_chapters())   # optional: added by `build --region`
    notebooks = {p.stem for p in (PROJECT / "notebooks").glob("*.ipynb")} - {"ad_hoc_questions", REGIONAL_REPORT}
    assert set(chapters) == notebooks


def test_audiences_as_declared():
    # typed from reports/_quarto.yml
    internal, public = config.audience("internal"), config.audience("public")
    assert (internal.marking, internal.disclosure, internal.leave_out) == ("OFFICIAL-SENSITIVE", False, ())
    assert (public.marking, public.disclosure, public.leave_out) == ("OFFICIAL", True, ("exceptions",))
    assert "exceptions" not in config.audience_chapters("public")
    assert config.audience_chapters("internal") == config.chapters()
    assert config.output_formats() == ["html", "pdf", "metrics-csv", "xlsx"]


def test_unknown_audience_lists_the_declared_ones():
    with pytest.raises(config.ConfigError, match="unknown audience 'press'; choose one of: internal, public"):
        config.audience("press")


def _project(tmp_path, change) -> Path:
    data = yaml.safe_load((PROJECT / "reports" / "_quarto.yml").read_text())
    change(data["torbayreport"])
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


def test_an_audience_is_one_entry(tmp_path):
    def add(ours):
        ours["audiences"]["cabinet"] = {"label": "Cabinet", "description": "Cabinet (restricted)",
                                        "marking": "OFFICIAL-SENSITIVE", "leave-out": ["appendix"],
                                        "disclosure": False}
    project = _project(tmp_path, add)
    assert list(config.audiences(project)) == ["internal", "public", "cabinet"]
    assert "appendix" not in config.audience_chapters("cabinet", project)


def test_leaving_out_an_unknown_chapter_is_an_error(tmp_path):
    project = _project(tmp_path, lambda ours: ours["audiences"]["public"].update({"leave-out": ["exception"]}))
    with pytest.raises(config.ConfigError, match=r"audiences.public.leave-out: unknown chapter\(s\) \['exception'\]"):
        config.audiences(project)
