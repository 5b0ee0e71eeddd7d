"""The region's keys in config: ``region.headline`` in the params and the optional chapter
``how_we_compare`` declared in reports/_quarto.yml (added only when a build is given --region)."""

import pytest

from torbayreport import config
from torbayreport.config import ParamsError, defaults_path, merge_sources


def test_headline_kpis_are_validated_ids():
    assert merge_sources([defaults_path(), {"region": {"headline": ["P04", "W01"]}}]).region.headline == ["P04", "W01"]
    with pytest.raises(ParamsError, match=r"region\.headline: unknown KPI id\(s\) \['P99'\]"):
        merge_sources([defaults_path(), {"region": {"headline": ["P04", "P99"]}}])
    with pytest.raises(ParamsError, match="more than once"):
        merge_sources([defaults_path(), {"region": {"headline": ["P04", "P04"]}}])
    with pytest.raises(ParamsError, match="region.headline"):
        merge_sources([defaults_path(), {"region": {"headline": []}}])
    with pytest.raises(ParamsError, match="unknown key"):
        merge_sources([defaults_path(), {"region": {"headlines": ["P04"]}}])


def test_how_we_compare_is_added_after_quality_only_when_the_region_is_given():
    # reports/_quarto.yml: optional-chapters: how_we_compare: {requires: region, after: quality}
    assert config.optional_chapters()["how_we_compare"] == ("region", "quality")
    for name in config.audiences():
        plain = config.audience_chapters(name)
        with_region = config.audience_chapters(name, provided=("region",))
        assert "how_we_compare" not in plain
        assert with_region == plain[:plain.index("quality") + 1] + ["how_we_compare"] + plain[plain.index("quality") + 1:]


def test_an_optional_chapter_after_an_unknown_chapter_is_refused(tmp_path):
    (tmp_path / "_quarto.yml").write_text(
        "torbayreport:\n  chapters: [a, b]\n  optional-chapters:\n    c: {requires: region, after: z}\n")
    with pytest.raises(config.ConfigError, match="after: unknown chapter 'z'"):
        config.optional_chapters(tmp_path)
