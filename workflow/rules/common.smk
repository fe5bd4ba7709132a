# Shared by every rule file: the validated parameters, the selected scale, the result list,
# and the package sources each rule depends on.

import os
import sys
from pathlib import Path

import yaml

# The package is imported from this repository's src/ (the code Snakemake tracks), here and in
# every script job (they inherit PYTHONPATH), whatever copy of charchallenge is installed.
_SRC = str(Path(workflow.basedir) / "src")
sys.path.insert(0, _SRC)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_SRC, os.environ.get("PYTHONPATH")]))

from charchallenge import config as _params
from charchallenge.data.remote import DATASETS, archive_names

# `--config key=value` sets top-level keys; `--config overrides=path.yaml` merges a nested YAML
# file over the selected scale's values (charchallenge.config.load_overrides).
try:
    _overrides_path = config.pop("overrides", None)
    _overrides = _params.load_overrides(_overrides_path) if _overrides_path else None
    P = _params.resolve(config, source="params.yaml (with --config overrides)", overrides=_overrides,
                        overrides_source=str(_overrides_path))
except _params.ParamsError as _err:
    raise WorkflowError(str(_err)) from None

SCALE = P["scale"]
BACKGROUND = P["data"]["background"]
PACKAGE = Path(workflow.basedir) / "src" / "charchallenge"
RESULTS = yaml.safe_load(open(Path(workflow.basedir) / "workflow" / "results.yaml"))


def expand_result_path(path):
    return path.format(scale=SCALE, background=BACKGROUND)


def all_results():
    """Every result and metrics file of every stage in workflow/results.yaml, at this scale."""
    files = []
    for stage in RESULTS.values():
        for key in ("outputs", "metrics"):
            files += [expand_result_path(p) for p in stage.get(key, [])]
        files += [expand_result_path(plot["path"]) for plot in stage.get("plots", [])]
    for name in RESULTS:
        files += [expand_result_path(f) for f in headline(name)]
    return files


def script_code(script, *relpaths):
    """Package sources a rule's script (``workflow/scripts/<script>``) runs: its imports of the
    package, followed transitively (:func:`charchallenge.codedeps.imported_sources`), plus
    :func:`pkg` of ``relpaths`` (modules it loads otherwise). Editing a module the job never
    imports leaves its outputs current.

    Every rule's ``code=`` input is this, for the script the rule runs, so that a rule cannot miss
    a module its job imports (tests/test_codedeps.py imports each script's imports for real and
    checks them against the rules' inputs as Snakemake plans them). Extras in ``relpaths`` only
    for modules a job loads without an import statement, each with a comment saying why.
    """
    from charchallenge.codedeps import imported_sources

    script_path = Path(workflow.basedir) / "workflow" / "scripts" / script
    return sorted(set(pkg(*relpaths)) | set(imported_sources(script_path)))


def pkg(*relpaths):
    """Package sources given by hand (the extras of :func:`script_code`), so that editing them
    rebuilds a rule's outputs.

    Each argument is a module file or a subpackage folder, relative to src/charchallenge;
    the package's shared modules (__init__, config, provenance) are always included.
    """
    files = {PACKAGE / "__init__.py", PACKAGE / "config.py", PACKAGE / "provenance.py"}
    for rel in relpaths:
        path = PACKAGE / rel
        files |= set(path.rglob("*.py")) if path.is_dir() else {path}
    return sorted(str(f) for f in files)


def script_params(*keys):
    """The effective params the rule's script needs, plus scale and seed."""
    return {"scale": SCALE, "seed": P["seed"], **{k: P[k] for k in keys}}


def section_params(section, *keys, extra=()):
    """Like :func:`script_params`, with only ``keys`` of the params section ``section``: a job's
    params are what it reads, so that editing another key of the section does not rerun it."""
    missing = [k for k in keys if k not in P[section]]
    if missing:
        raise WorkflowError(f"params.yaml: {section} has no {missing}")
    return {**script_params(*extra), section: {k: P[section][k] for k in keys}}


TRAJECTORIES = f"data/processed/trajectories_{BACKGROUND}.npz"
SPLINES = f"data/processed/splines_{BACKGROUND}.npz"
DATASET = f"data/processed/omniglot_{BACKGROUND}.npz"


# A result path names its scale; only the selected scale's files can be built in one run
# (select another with --config scale=...), so results of different scales never mix.
wildcard_constraints:
    scale=SCALE,


def _job_name(wildcards):
    return "_".join(f"{w}{{{w}}}" for w in wildcards) or "job"


def job_log(rule, *wildcards):
    """The ``log:`` file of one job of ``rule``: logs/<scale or data>/<rule>/<wildcards>.log.

    ``wildcards`` are the rule's output wildcards other than ``scale`` (a rule whose outputs name
    a scale passes ``scale=True``); every job writes its own file (charchallenge.joblog).
    """
    return _job_path("logs", rule, wildcards, ".log")


def job_benchmark(rule, *wildcards):
    """The ``benchmark:`` file of one job: wall time, memory and CPU time as Snakemake measures
    them; scale-bearing jobs keep theirs under results/benchmarks/<scale>/ (quick scale
    committed, read by the report), data jobs under logs/benchmarks/."""
    return _job_path("benchmarks", rule, wildcards, ".tsv")


def _job_path(kind, rule, wildcards, suffix):
    scaled = "scale" in wildcards
    rest = [w for w in wildcards if w != "scale"]
    if kind == "benchmarks":
        root = "results/benchmarks/{scale}" if scaled else "logs/benchmarks/data"
    else:
        root = "logs/{scale}" if scaled else "logs/data"
    return f"{root}/{rule}/{_job_name(rest)}{suffix}"


def headline(stage):
    """The headline metric files of a stage (workflow/results.yaml `headline:`), ``{scale}`` kept."""
    return [f"results/{stage}/{{scale}}/headline/{name}.json" for name in RESULTS[stage].get("headline", {})]


# One rule per stage with headline numbers: each number as a tiny DVC metrics file (see the
# script's doc), with the provenance beside them.
for _stage in [s for s in RESULTS if RESULTS[s].get("headline")]:

    rule:
        name:
            f"headline_{_stage}"
        output:
            metrics=headline(_stage),
            provenance=f"results/{_stage}/{{scale}}/headline/provenance.json",
        input:
            sorted({path for path, *_ in RESULTS[_stage]["headline"].values()}),
            code=script_code("headline_metrics.py"),
        params:
            headline=lambda wc, stage=_stage: {
                n: [v[0].format(scale=wc.scale), *v[1:]] for n, v in RESULTS[stage]["headline"].items()
            },
            folder=lambda wc, stage=_stage: f"results/{stage}/{wc.scale}/headline",
        log:
            job_log(f"headline_{_stage}", "scale"),
        benchmark:
            job_benchmark(f"headline_{_stage}", "scale"),
        script:
            "../scripts/headline_metrics.py"


def gpus(device):
    """GPUs a job of a study with device setting ``device`` asks a scheduler for: 1 for ``cuda``,
    and for ``auto`` where this machine has an NVIDIA GPU; else 0."""
    import shutil

    return 1 if device == "cuda" or (device == "auto" and shutil.which("nvidia-smi")) else 0


# Time limits (minutes) and memory (MB) of the long jobs, per scale: what a cluster scheduler
# (workflow/profiles/slurm) is asked for. Training and inference jobs checkpoint, so one that
# hits its limit resumes when resubmitted (the profile's `retries`).
LONG_JOB = {
    "smoke": {"runtime": 10, "mem_mb": 2000},
    "quick": {"runtime": 120, "mem_mb": 4000},
    "paper": {"runtime": 2880, "mem_mb": 16000},
}[SCALE]
