"""`python -m evals ...`: the same commands as `genie evals ...`."""

from evals.cli import app

app(prog_name="genie evals")
