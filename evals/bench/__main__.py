"""`python -m evals.bench`: the same command as `genie bench`."""

import typer

from evals.bench.cli import bench

typer.run(bench)
