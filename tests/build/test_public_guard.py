"""The last check before a public report is published: no identifier from the input data in it."""

from __future__ import annotations

import json

import pytest

from torbayreport.io.schema import tables_from
from torbayreport.io.write import write_csv_folder
from torbayreport.publish.pipeline import IdentifierLeakError, guard_public_outputs


@pytest.fixture
def inputs(tmp_path):
    data = tmp_path / "data"
    tables = tables_from(
        children=[{"child_id": "C004414", "gender": "Male", "ethnicity": "WBRI", "date_of_birth": "2012-03-03"},
                  {"child_id": "C000777", "gender": "Female", "ethnicity": "WBRI", "date_of_birth": "2021-01-08"}],
        staff=[{"worker_id": "W0366", "worker_name": "George Jackson", "role": "Social worker", "team": "SAT 1",
                "employment": "Permanent", "fte": 1.0, "start_date": "2015-01-01", "case_holding": True,
                "asye": False}],
        placements=[{"child_id": "C004414", "placement_start": "2019-01-01", "placement_type": "U1",
                     "provider": "PR1", "postcode": "TQ2 5XX"}],
    )
    write_csv_folder(tables, data)
    stage = tmp_path / "stage"
    stage.mkdir()
    # as-at date 2021-01-08 equals child C000777's date of birth: printed for its own reason
    (stage / "context.json").write_text(json.dumps({"as_at": "2021-01-08",
                                                    "window": {"start": "2020-01", "end": "2020-12"}}))
    return data, stage


def _page(tmp_path, text):
    path = tmp_path / "report.html"
    path.write_text(f"<html><body><p>{text}</p><img alt='x' src='data:image/png;base64,QzAwNDQxNA=='></body></html>")
    return path


@pytest.mark.parametrize("leak", ["Child C004414 was seen late", "allocated to George\nJackson",
                                  "placed at TQ25XX", "born 03/03/2012", "worker W0366"])
def test_an_identifier_in_a_public_output_stops_publication(inputs, tmp_path, leak):
    data, stage = inputs
    with pytest.raises(IdentifierLeakError, match="report.html"):
        guard_public_outputs([_page(tmp_path, leak)], data_dir=data, stage_dir=stage)


def test_a_clean_page_passes_including_dates_printed_for_their_own_reason(inputs, tmp_path):
    data, stage = inputs
    # "8 January 2021" is the as-at date (and, by chance, a child's birthday); embedded image data
    # is not text a reader sees even if its base64 spells something.
    page = _page(tmp_path, "Data as at 8 January 2021. 12 children were seen; 3 December 2020: 41.2%")
    guard_public_outputs([page], data_dir=data, stage_dir=stage)
