"""Time one month's build, stage by stage, with --jobs 1 and --jobs 2. Prints figures; asserts nothing.

    python3 benchmarks/bench_build.py                     # real notebooks on data/sample, 2020-12
    python3 benchmarks/bench_build.py --month 2020-06 --audience public
    python3 benchmarks/bench_build.py --fixtures          # the small test notebooks and a stand-in prepare

Stages: prepare (publish.prepare.prepare: load, compute, assess, disclose — note it keeps a cache, so the
first run is the cold one), execute (papermill, one kernel per notebook), render (pandoc + typst, or
quarto). Outputs go to a temporary folder; nothing under reports/ is touched.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--month", default="2020-12")
    from torbayreport import config

    audiences = list(config.audiences())
    parser.add_argument("--audience", default=audiences[0], choices=audiences)
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"))
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--fixtures", action="store_true", help="use tests/build fixture notebooks")
    args = parser.parse_args(argv)

    from torbayreport.publish.pipeline import build_month

    extra = {}
    data = Path(args.data)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    if args.fixtures:
        sys.path.insert(0, str(ROOT / "tests" / "build"))
        from build_fixtures import NOTEBOOKS, fake_prepare, make_data

        extra = {"notebooks_dir": NOTEBOOKS, "prepare": fake_prepare}
        data = make_data(tmp / "data")
    print(f"build of {args.month} ({args.audience}); notebooks: "
          f"{'fixtures' if args.fixtures else 'notebooks/'}; data: {data}")
    print(f"{'jobs':>4} {'prepare s':>10} {'execute s':>10} {'render s':>9} {'total s':>8}  slowest notebook")
    for jobs in args.jobs:
        started = time.perf_counter()
        result = build_month(args.month, audience=args.audience, data_dir=data, out_dir=tmp / f"reports-{jobs}",
                             build_root=tmp / f"build-{jobs}", jobs=jobs, progress=False, **extra)
        total = time.perf_counter() - started
        t = result.timings
        slow = max(result.notebook_seconds.items(), key=lambda kv: kv[1])
        print(f"{jobs:>4} {t['prepare']:>10.2f} {t['execute']:>10.2f} {t['render']:>9.2f} {total:>8.2f}"
              f"  {slow[0]} {slow[1]:.2f} s ({result.renderer})")
        print("     per notebook: " + ", ".join(f"{k} {v:.1f}" for k, v in result.notebook_seconds.items()))
    print(f"outputs under {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
