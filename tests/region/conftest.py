"""A small synthetic region (3 councils, 6 months) and one local Dask cluster of 2 workers,
shared by the region tests (the cluster starts once: about 2 s)."""

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
def dask_client():
    from torbayreport.region.run import dask_client as open_client

    with open_client(None, 2) as client:
        yield client


@pytest.fixture(scope="session")
def good_run(region_root, dask_client, tmp_path_factory):
    """``region`` over the 3 councils: (plan, outcome, output folder, results as reported)."""
    from torbayreport.region.session import execute, prepare

    out = tmp_path_factory.mktemp("good")
    plan = prepare(region_root)
    seen = []
    outcome = execute(plan, MONTH, out, client=dask_client, on_result=seen.append)
    return plan, outcome, out, seen
