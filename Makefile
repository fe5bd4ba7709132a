# One-command entry points. Everything installs into .venv from pyproject.toml (pinned).
#   make reproduce   set up, then build every result at the scale in params.yaml (default: quick)
#   make test        set up, then run the test suite
#   make smoke       set up, then run the whole DAG at smoke scale (CI)
#   make lock        record the built results in dvc.lock (dvc commit), then mark them current
#                    for Snakemake: dvc re-links cached outputs, which renews their mtimes
# Offline: export OMNIGLOT_MIRROR=/path/to/omniglot-zips (e.g. ../shared/data/omniglot) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SNAKEMAKE := $(BIN)/snakemake --workflow-profile workflow/profiles/default

.PHONY: setup reproduce smoke test dvc-yaml lock clean-smoke

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(BIN)/activate

setup: $(BIN)/activate

reproduce: setup
	$(SNAKEMAKE)

smoke: setup
	$(SNAKEMAKE) --config scale=smoke

# pytest exits 5 when it collects no tests: that is a failure here, not a pass.
test: setup
	$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

dvc-yaml: setup
	$(BIN)/python -m charchallenge.pipeline

lock: setup
	$(BIN)/dvc commit -f
	$(SNAKEMAKE) --touch
