"""``synth --las N``: many councils, real LA codes, different sizes and stories, deterministic."""

import hashlib

import numpy as np
import pytest

from torbayreport.cli import main
from torbayreport.io import SCHEMA
from torbayreport.synth import generate
from torbayreport.synth.councils import SIZE_SCALE, la_codes, neighbour_sets, plan_region
from torbayreport.synth.story import Story

ARGS = ["--scale", "0.03", "--start", "2020-07", "--end", "2020-12"]


def _digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_las_writes_one_folder_per_council_deterministically(tmp_path):
    assert main(["synth", "--las", "3", "--out", str(tmp_path / "a"), *ARGS]) == 0
    assert main(["synth", "--las", "3", "--out", str(tmp_path / "b"), *ARGS]) == 0
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    folders = sorted(p.name for p in (tmp_path / "a").iterdir() if p.is_dir())
    assert len(folders) == 3 and "880" in folders
    for code in folders:
        assert sorted(p.stem for p in (tmp_path / "a" / code).glob("*.csv")) == sorted(SCHEMA.table_names)
        assert f'code: "{code}"' in (tmp_path / "a" / f"{code}.yaml").read_text()
    assert (tmp_path / "a" / "neighbours.csv").read_text().startswith("la_code,neighbour_code,rank\n")


def test_las_rejects_more_councils_than_england_has(tmp_path):
    assert main(["synth", "--las", str(len(la_codes()) + 1), "--out", str(tmp_path), *ARGS]) == 2


def test_la_codes_are_real_english_codes():
    table = la_codes()
    # 153 English local authorities with children's services (DfE LA codes since April 2023,
    # after the Cumbria and Northamptonshire reorganisations).
    assert len(table) == 153 and table["code"].is_unique
    known = dict(zip(table["code"], table["name"]))
    assert known["880"] == "Torbay" and known["201"] == "City of London" and known["886"] == "Kent"
    assert set(table["size"]) == set(SIZE_SCALE)


def test_region_has_different_sizes_and_every_story():
    councils = plan_region(30, seed=4)
    assert [c.code for c in councils] == sorted(c.code for c in councils)
    assert {c.trajectory for c in councils} == {"improving", "stuck", "declining"}
    scales = [c.scale for c in councils]
    assert max(scales) / min(scales) > 4
    assert plan_region(30, seed=4) == councils and plan_region(30, seed=5) != councils
    assert len({c.seed for c in councils}) == 30


def test_stories_differ_only_after_the_plan():
    levels = {t: Story(np.random.default_rng(1), t).levels["assess_time"] for t in ("improving", "stuck", "declining")}
    months = Story(np.random.default_rng(1)).months
    before = months < np.datetime64("2019-10", "M").astype("int64")
    late = months >= np.datetime64("2021-06", "M").astype("int64")
    for t in ("stuck", "declining"):
        np.testing.assert_array_equal(levels[t][before], levels["improving"][before])
    assert levels["improving"][late].mean() > levels["stuck"][late].mean() > levels["declining"][late].mean()


def test_default_trajectory_is_the_single_council_story():
    a = generate(seed=2, scale=0.05, start="2020-10", end="2020-12")
    b = generate(seed=2, scale=0.05, start="2020-10", end="2020-12", trajectory="improving")
    for name in a:
        assert a[name].equals(b[name])
    with pytest.raises(ValueError, match="trajectory"):
        generate(seed=2, scale=0.05, start="2020-10", end="2020-12", trajectory="sideways")


def test_neighbours_are_nearest_in_size():
    councils = plan_region(5, seed=1)
    sets = neighbour_sets(councils, k=2)
    assert len(sets) == 10
    scale = {c.code: c.scale for c in councils}
    for code, group in sets.groupby("la_code"):
        others = sorted((abs(np.log(scale[o]) - np.log(scale[code])), o) for o in scale if o != code)
        assert list(group.sort_values("rank")["neighbour_code"]) == [o for _, o in others[:2]]
