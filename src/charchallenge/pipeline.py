"""The pipeline's list of results (workflow/results.yaml) and the dvc.yaml made from it.

``rule all`` in the Snakefile and every DVC stage come from the same list, so the two cannot
drift: ``python -m charchallenge.pipeline`` rewrites dvc.yaml, and a test fails when the
committed dvc.yaml differs from what this module generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from .config import REPO_ROOT

RESULTS_PATH = REPO_ROOT / "workflow" / "results.yaml"
DVC_PATH = REPO_ROOT / "dvc.yaml"
SNAKEMAKE = "snakemake --workflow-profile workflow/profiles/default"
# Everything the pipeline's code lives in: any change can change any result.
CODE_DEPS = ["Snakefile", "src/charchallenge", "workflow/rules", "workflow/scripts", "workflow/schemas"]
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


def dvc_stages(results: dict) -> dict:
    produced: dict[str, str] = {}
    for name, stage in results.items():
        for key in ("artifacts", "outputs", "metrics"):
            for path in stage.get(key, []):
                produced[path] = name
    stages = {}
    for name, stage in results.items():
        targets = [_dvc_path(p) for key in ("artifacts", "outputs", "metrics") for p in stage.get(key, [])]
        upstream = [_dvc_path(p) for p in stage.get("needs", [])]
        entry = {
            "desc": stage["description"],
            "cmd": f"{SNAKEMAKE} -- " + " ".join(targets),
            "deps": CODE_DEPS + upstream,
            "params": list(stage.get("params", [])),
        }
        outs = [_dvc_path(p) for p in stage.get("artifacts", [])]
        outs += [{_dvc_path(p): {"cache": False}} for p in stage.get("outputs", [])]
        if outs:
            entry["outs"] = outs
        if stage.get("metrics"):
            entry["metrics"] = [{_dvc_path(p): {"cache": False}} for p in stage["metrics"]]
        stages[name] = entry
    return {"stages": stages}


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
