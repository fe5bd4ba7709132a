# Character-challenge reproduction: the whole DAG, from Omniglot archives to paper results.
#
#   snakemake --workflow-profile workflow/profiles/default                 # every result, scale from params.yaml
#   snakemake --workflow-profile workflow/profiles/default --config scale=smoke
#   snakemake --workflow-profile workflow/profiles/default results/preprocessing/quick/metrics.json
#
# The list of results lives in workflow/results.yaml (dvc.yaml is generated from it).

configfile: str(Path(workflow.basedir) / "params.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/preprocess.smk"


for _rules in sorted(Path(workflow.basedir, "workflow", "rules").glob("*.smk")):
    if _rules.stem not in {"common", "data", "preprocess"}:
        include: _rules


rule all:
    input:
        all_results(),
