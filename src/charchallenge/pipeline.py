"""The pipeline's list of results (workflow/results.yaml) and the dvc.yaml made from it.

``rule all`` in the Snakefile and every DVC stage come from the same list, so the two cannot
drift: ``python -m charchallenge.pipeline`` rewrites dvc.yaml, and a test fails when the
committed dvc.yaml differs from what this module generates.

A stage's DVC deps are the files its Snakemake jobs read, taken from Snakemake's own plan (a
forced dry run of the stage's targets): the jobs of the stage are those of its plan that no
upstream stage's plan contains; their inputs (package sources, upstream artifacts), the rule
files and scripts that define them, the Snakefile and the params schema are its deps, less
what the stage's own jobs write. Paths are templated (``${scale}``, ``${data.background}``), so
one dvc.yaml serves every scale. Params: each stage tracks its sections of params.yaml and, for
every scale, the overrides of those sections under ``scales`` (:func:`scale_overrides`: a stage
that tracks ``gns2021`` tracks ``scales.quick.gns2021`` and ``scales.smoke.gns2021``), so editing
one study's quick settings marks that study's stages changed and no other; ``dvc exp run -S
scales.quick.fabi2020.one_shot.iterations=5`` changes a quick run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .config import PARAMS_PATH, REPO_ROOT

RESULTS_PATH = REPO_ROOT / "workflow" / "results.yaml"
DVC_PATH = REPO_ROOT / "dvc.yaml"
SNAKEMAKE = "snakemake --workflow-profile workflow/profiles/default"
ALWAYS_DEPS = ["Snakefile", "workflow/rules/common.smk", "workflow/schemas/params.schema.yaml"]
HEADER = (
    "# Generated from workflow/results.yaml by `python -m charchallenge.pipeline`; do not edit.\n"
    "# Each stage builds its results through Snakemake at the scale set in params.yaml.\n"
)


def load_results(path: Path = RESULTS_PATH) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def _dvc_path(path: str) -> str:
    """A results.yaml path with DVC's templating: values come from params.yaml."""
    return path.replace("{scale}", "${scale}").replace("{background}", "${data.background}")


@dataclass(frozen=True)
class Job:
    rule: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def _relative(path: str) -> str:
    p = Path(path)
    return str(p.relative_to(REPO_ROOT)) if p.is_absolute() and p.is_relative_to(REPO_ROOT) else path


@lru_cache(maxsize=None)
def planned_jobs(targets: tuple[str, ...], scale: str) -> tuple[Job, ...]:
    """Every job Snakemake would run to build ``targets`` from nothing (``-n -F``), with its files."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(REPO_ROOT / "Snakefile"), "--cores", "1", "-n", "-F",
           "--config", f"scale={scale}", "--", *targets]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"snakemake dry run of {targets[:3]}... failed:\n{done.stderr[-2000:]}")
    jobs, rule, files = [], None, {}
    for line in done.stdout.splitlines() + [""]:
        head = re.match(r"^(?:local)?rule (\w+):$", line)
        field = re.match(r"^    (input|output): (.*)$", line)
        if head or not line.startswith("    "):
            if rule is not None:
                jobs.append(Job(rule, tuple(files.get("input", ())), tuple(files.get("output", ()))))
            rule, files = (head.group(1), {}) if head else (None, {})
        elif field and rule is not None:
            files[field.group(1)] = tuple(_relative(f) for f in field.group(2).split(", "))
    return tuple(jobs)


def rule_sources() -> dict[str, tuple[str, str | None]]:
    """Rule name -> (its rule file, its script or None), read from workflow/rules/*.smk."""
    sources = {}
    for smk in sorted((REPO_ROOT / "workflow" / "rules").glob("*.smk")):
        rule = None
        for line in smk.read_text().splitlines():
            head = re.match(r"^rule (\w+):", line)
            if head:
                rule = head.group(1)
                sources[rule] = (str(smk.relative_to(REPO_ROOT)), None)
            script = re.match(r'^\s+"\.\./scripts/(.+)"', line)
            if script and rule:
                sources[rule] = (sources[rule][0], f"workflow/scripts/{script.group(1)}")
    # rules made in a loop (one per stage) are named at run time
    for stage in load_results():
        sources[f"headline_{stage}"] = ("workflow/rules/common.smk", "workflow/scripts/headline_metrics.py")
    return sources


def _params() -> dict:
    return yaml.safe_load(PARAMS_PATH.read_text())


def _expand(path: str, scale: str, background: str) -> str:
    return path.format(scale=scale, background=background)


def _template(path: str, scale: str, background: str) -> str:
    """A concrete path back in DVC's templating (the scale as a path segment, the background set
    as a file-name suffix)."""
    parts = ["${scale}" if part == scale else part for part in path.split("/")]
    return "/".join(parts).replace(f"_{background}.", "_${data.background}.")


def headline_files(name: str, stage: dict) -> list[str]:
    """The stage's headline metrics: one ``{"value": x}`` file per number (DVC metrics)."""
    return [f"results/{name}/{{scale}}/headline/{key}.json" for key in stage.get("headline", {})]


def stage_targets(stage: dict, name: str | None = None) -> list[str]:
    """Every file a stage builds: artifacts, outputs, metrics, plot tables and headline numbers."""
    files = [p for key in ("artifacts", "outputs", "metrics") for p in stage.get(key, [])]
    files += [plot["path"] for plot in stage.get("plots", [])]
    if name and stage.get("headline"):
        files += headline_files(name, stage) + [f"results/{name}/{{scale}}/headline/provenance.json"]
    return files


def stage_deps(results: dict, scale: str | None = None) -> dict[str, list[str]]:
    """The DVC deps of every stage, derived from Snakemake's plan at ``scale`` (see module doc)."""
    params = _params()
    scale = scale or params["scale"]
    background = params["data"]["background"]
    plans = {name: planned_jobs(tuple(_expand(p, scale, background) for p in stage_targets(stage, name)), scale)
             for name, stage in results.items()}
    outs = {name: {_expand(p, scale, background) for p in stage_targets(stage, name)}
            for name, stage in results.items()}
    sources = rule_sources()
    deps = {}
    for name, plan in plans.items():
        written = {f for job in plan for f in job.outputs}
        upstream = [other for other in results if other != name and outs[other] & written]
        foreign = {job for other in upstream for job in plans[other]}
        own = [job for job in plan if job not in foreign]
        own_outputs = {f for job in own for f in job.outputs}
        files = {f for job in own for f in job.inputs} - own_outputs
        for job in own:
            rule_file, script = sources[job.rule]
            files |= {rule_file} | ({script} if script else set())
        deps[name] = ALWAYS_DEPS + sorted(_template(f, scale, background) for f in files - set(ALWAYS_DEPS))
    return deps


def scale_overrides(keys: list[str], scales: dict) -> list[str]:
    """The ``scales.<scale>.<key>`` params that override the params ``keys`` (dotted paths) of a
    stage: one per scale whose overrides contain that key."""
    out = []
    for scale, overrides in scales.items():
        for key in keys:
            node = overrides or {}
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                out.append(f"scales.{scale}.{key}")
    return out


def dvc_stages(results: dict) -> dict:
    deps = stage_deps(results)
    scales = _params().get("scales", {})
    stages = {}
    for name, stage in results.items():
        targets = [_dvc_path(p) for p in stage_targets(stage, name)]
        entry = {
            "desc": stage["description"],
            "cmd": f"{SNAKEMAKE} -- " + " ".join(targets),
            "deps": deps[name],
            "params": list(stage.get("params", [])) + scale_overrides(stage.get("params", []), scales),
        }
        outs = [_dvc_path(p) for p in stage.get("artifacts", [])]
        small = stage.get("outputs", []) + stage.get("metrics", []) + [plot["path"] for plot in stage.get("plots", [])]
        if stage.get("headline"):
            small.append(f"results/{name}/{{scale}}/headline/provenance.json")
            entry["metrics"] = [{_dvc_path(p): {"cache": False}} for p in headline_files(name, stage)]
        outs += [{_dvc_path(p): {"cache": False}} for p in small]
        if outs:
            entry["outs"] = outs
        stages[name] = entry
    plots = [{_dvc_path(plot["path"]): {k: v for k, v in plot.items() if k != "path"}}
             for stage in results.values() for plot in stage.get("plots", [])]
    return {"stages": stages, "plots": plots} if plots else {"stages": stages}


def render_dvc_yaml(results: dict | None = None) -> str:
    body = yaml.safe_dump(dvc_stages(results or load_results()), sort_keys=False, width=200)
    return HEADER + body


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render_dvc_yaml()
    if argv == ["--check"]:
        current = DVC_PATH.read_text() if DVC_PATH.exists() else ""
        if current != text:
            print("dvc.yaml is out of date with workflow/results.yaml: run python -m charchallenge.pipeline")
            return 1
        return 0
    DVC_PATH.write_text(text)
    print(f"wrote {DVC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
