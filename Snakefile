# Character-challenge reproduction: the whole DAG, from Omniglot archives to paper results.
#
#   snakemake --workflow-profile workflow/profiles/default                 # every result, scale from params.yaml
#   snakemake --workflow-profile workflow/profiles/default --config scale=smoke
#   snakemake --workflow-profile workflow/profiles/default results/preprocessing/quick/metrics.json
#
# The list of results lives in workflow/results.yaml (dvc.yaml is generated from it).
# Every rule has a log: (each script sends its output there, charchallenge.joblog) and a
# benchmark: (wall time and memory per job, under results/benchmarks/<scale>/).
#
# `snakemake --lint` leaves three kinds of items, on purpose:
# - "Specify a conda environment or container for each rule": the software is the one pinned
#   venv made from pyproject.toml (`make setup`); every rule runs in it, so a per-rule
#   environment would only repeat that file.
# - "Mixed rules and functions in same snakefile": each rule file keeps the few input functions
#   of its rules beside them (fabi_models, fl_split_runs, _unpacked), which is easier to read
#   than a separate module.
# - "Environment variable PYTHONPATH used but not asserted with envvars": common.smk sets it
#   (src/ first, so jobs import the tracked sources); it is not required from the user.

configfile: str(Path(workflow.basedir) / "params.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/preprocess.smk"


for _rules in sorted(Path(workflow.basedir, "workflow", "rules").glob("*.smk")):
    if _rules.stem not in {"common", "data", "preprocess"}:
        include: _rules


rule all:
    default_target: True
    input:
        all_results(),
