"""The packaged YAML files read alike with libyaml's parser and PyYAML's pure one.

io.schema.packaged_yaml uses libyaml's parser (CSafeLoader) for speed; both loaders share the
safe constructor and resolver, so the data must be the same. The reference here is the pure
parser (yaml.safe_load) on the same text.
"""

from importlib import resources

import pytest
import yaml

from torbayreport.io.schema import packaged_yaml


@pytest.mark.parametrize("name", ["schema.yaml", "codes.yaml", "annex_a.yaml"])
def test_packaged_yaml_reads_as_the_pure_parser_does(name):
    text = resources.files("torbayreport.io").joinpath(name).read_text(encoding="utf-8")
    assert packaged_yaml(name) == yaml.safe_load(text)

