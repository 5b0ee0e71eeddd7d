"""One Torbay-sized generation per test session (about 2 s), shared by the synth tests."""

import pytest

from torbayreport.synth import generate


@pytest.fixture(scope="session")
def torbay():
    return generate(seed=1, scale=1.0, start="2018-01", end="2020-12")
