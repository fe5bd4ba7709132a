# One-command entry points. Everything installs into .venv from pyproject.toml (pinned).
#   make reproduce   set up, then build every result at the scale in params.yaml (default: quick)
#   make test        set up, then run the test suite
#   make smoke       set up, then run the whole DAG at smoke scale (CI)
#   make report      build the results (if needed) and the self-contained HTML report of the scale
#                    in params.yaml, or of SCALE=smoke|quick|paper: results/report/<scale>/report.html
#   make slurm-test  opt-in: start a one-node Slurm here (root, apt) and run the smoke DAG through
#                    workflow/profiles/slurm (tests/test_slurm.py)
#   make lock        record the built results in dvc.lock (dvc commit), then mark them current
#                    for Snakemake: dvc re-links cached outputs, which renews their mtimes
# Offline: export OMNIGLOT_MIRROR=/path/to/omniglot-zips (e.g. ../shared/data/omniglot) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SNAKEMAKE := $(BIN)/snakemake --workflow-profile workflow/profiles/default

.PHONY: setup reproduce smoke test report slurm-test dvc-yaml lock clean-smoke

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

SCALE ?= $(shell sed -n 's/^scale: *\([a-z]*\).*/\1/p' params.yaml)

report: setup
	$(SNAKEMAKE) --config scale=$(SCALE)
	$(SNAKEMAKE) --config scale=$(SCALE) --report results/report/$(SCALE)/report.html
	$(BIN)/python -m charchallenge.report_check results/report/$(SCALE)/report.html $(SCALE)

slurm-test: setup
	$(BIN)/pip install --quiet -e '.[slurm]'
	CHARCHALLENGE_SLURM=1 $(BIN)/python -m pytest -q -s tests/test_slurm.py

dvc-yaml: setup
	$(BIN)/python -m charchallenge.pipeline

lock: setup
	$(BIN)/dvc commit -f
	$(SNAKEMAKE) --touch
