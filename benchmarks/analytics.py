"""Analytics benchmark: `python benchmarks/analytics.py --responses 1000000`.

Same as `cxloop bench analytics`: N synthetic responses, dashboard queries through cxloop's
service layer against hand-written DuckDB SQL and a pandas pipeline; prints medians, ratios,
peak memory and the DuckDB copy's catch-up time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cxloop.bench.analytics import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pandas-rounds", type=int, default=3)
    parser.add_argument("--catch-up", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    figures = run(
        args.responses, rounds=args.rounds, pandas_rounds=args.pandas_rounds, catch_up=args.catch_up
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
