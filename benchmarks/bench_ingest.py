"""Response ingestion benchmark; the same as `cxloop bench ingest` (see --help).

.venv/bin/python benchmarks/bench_ingest.py --backend all
"""

from __future__ import annotations

import typer

from cxloop.bench.cli import ingest

if __name__ == "__main__":
    typer.run(ingest)
