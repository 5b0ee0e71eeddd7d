"""A small synthetic region (3 councils, 6 months) and one run of it on a local Dask cluster of 2
workers, shared by the region tests.

The cluster is opened for that run and closed as soon as it is done (``execute`` opens it, as the
``region`` command does), not kept for the session: nothing else uses it, and an idle Dask worker
is not free (heartbeats, system monitor, sampling profiler): kept for the session, the two worker
processes used about 20 CPU seconds over a 15-minute test run, on the cores the tests need.
"""

import pytest

from torbayreport.synth.councils import write_region

MONTH = "2020-12"
START = "2020-07"  # the synthetic extracts' first month: every council's window starts here


@pytest.fixture(scope="session")
def region_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("region")
    write_region(root, 3, seed=11, scale=0.05, start=START, end=MONTH)
    return root


@pytest.fixture(scope="session")
def good_run(region_root, tmp_path_factory):
    """``region`` over the 3 councils on a local cluster of 2 worker processes, opened and closed by
    ``execute`` as the command does: (plan, outcome, output folder, results as reported)."""
    from torbayreport.region.session import execute, prepare

    out = tmp_path_factory.mktemp("good")
    plan = prepare(region_root)
    seen = []
    outcome = execute(plan, MONTH, out, workers=2, on_result=seen.append)
    return plan, outcome, out, seen
