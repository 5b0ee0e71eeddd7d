"""The shared builds of the sample live in tests/conftest.py (one build per audience per session,
also used by tests/notebooks and tests/render); re-exported here for the e2e tests' helpers."""

from tests.conftest import MONTH, ROOT, SAMPLE, Built, build_root_with, needs_sample  # noqa: F401
