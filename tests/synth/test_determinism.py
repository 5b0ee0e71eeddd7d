"""Same seed and arguments -> byte-identical CSVs; another seed -> different data."""

import hashlib

import pytest

from torbayreport.io import write_csv_folder
from torbayreport.synth import generate

ARGS = dict(scale=0.2, start="2020-01", end="2020-06")


def _digests(tables, folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in write_csv_folder(tables, folder)}


@pytest.fixture(scope="module")
def seed_7(tmp_path_factory):
    """Seed 7's files, generated and written once for both tests (each test makes its own second set)."""
    return _digests(generate(seed=7, **ARGS), tmp_path_factory.mktemp("seed-7"))


def test_same_seed_gives_identical_files(seed_7, tmp_path):
    a = seed_7
    b = _digests(generate(seed=7, **ARGS), tmp_path / "b")
    assert len(a) == 30
    assert a == b


def test_different_seed_gives_different_data(seed_7, tmp_path):
    a = seed_7
    c = _digests(generate(seed=8, **ARGS), tmp_path / "c")
    assert a["contacts.csv"] != c["contacts.csv"]
