"""A rule's code dependencies are the package modules its script imports, followed transitively:
an edit to any of them reruns the rule, an edit elsewhere does not."""

from pathlib import Path

import pytest

from charchallenge.codedeps import imported_sources
from charchallenge.config import REPO_ROOT

SCRIPTS = REPO_ROOT / "workflow" / "scripts"


def rel(paths):
    return {str(Path(p).relative_to(REPO_ROOT / "src" / "charchallenge")) for p in paths}


def test_a_scripts_imports_are_followed_through_relative_imports_and_packages():
    deps = rel(imported_sources(SCRIPTS / "gns2021" / "classify_refit.py"))
    # the script imports gns2021.classify, which imports .fit, .image_model, ... and render
    for needed in ("__init__.py", "gns2021/__init__.py", "gns2021/classify.py", "gns2021/fit.py",
                   "gns2021/image_model.py", "gns2021/token_model.py", "gns2021/type_model.py", "render.py",
                   "preprocess/splines.py", "feinman2020/full_ns.py", "data/episodes.py", "io.py"):
        assert needed in deps, needed
    for unused in ("gns2021/laplace.py", "gns2021/annealing.py", "gns2021/parses.py", "dood2022/model.py",
                   "oneshot/mhd.py"):
        assert unused not in deps, unused


def test_from_package_import_module_counts_the_module(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("from charchallenge.gns2021 import laplace\n"
                      "def later():\n    import charchallenge.oneshot.mhd\n")
    deps = rel(imported_sources(script))
    assert {"gns2021/__init__.py", "gns2021/laplace.py", "oneshot/__init__.py", "oneshot/mhd.py"} <= deps
    assert "gns2021/parses.py" not in deps
    script.write_text("import numpy\n")
    assert imported_sources(script) == []
    with pytest.raises(FileNotFoundError, match="no such script"):
        imported_sources(tmp_path / "missing.py")


def code_inputs_missing(loaded: dict, code_inputs: set[str]) -> list[str]:
    """The package files a job really loaded (:func:`charchallenge.codedeps.loaded_sources` of its
    script) that are not among its rule's inputs (paths relative to the repository)."""
    files = {str(Path(f).resolve().relative_to(REPO_ROOT)) for f in loaded["files"]}
    return sorted(files - code_inputs)


def test_every_rule_lists_each_package_module_its_job_really_imports():
    """For every rule that runs a script: execute every import statement of the script (inside
    functions too) in a fresh interpreter, and check that every ``charchallenge`` module then
    loaded is among the rule's inputs in Snakemake's own plan (a forced dry run at smoke scale of
    every result), for every job of the rule."""
    from charchallenge import pipeline
    from charchallenge.codedeps import loaded_sources

    results = pipeline.load_results()
    targets = [p.format(scale="smoke", background=pipeline._params()["data"]["background"])
               for name, stage in results.items() for p in pipeline.stage_targets(stage, name)]
    # and the rules no smoke result needs: the official runs' check and a dataset download
    targets += ["data/omniglot/official_runs.txt", "data/raw/kmnist/train-images-idx3-ubyte.gz"]
    jobs = pipeline.planned_jobs(tuple(dict.fromkeys(targets)), "smoke")
    scripts = {rule: script for rule, (_, script) in pipeline.rule_sources().items() if script
               and not (rule.startswith("headline_") and not results[rule[len("headline_"):]].get("headline"))}
    assert {j.rule for j in jobs} - {"all"} <= set(scripts), "a planned rule runs no script"
    unplanned = set(scripts) - {j.rule for j in jobs}
    assert not unplanned, f"rules no result needs, so not checked: {sorted(unplanned)}"
    loaded = loaded_sources(*sorted({REPO_ROOT / s for s in scripts.values()}))
    problems = {}
    for job in jobs:
        if job.rule == "all":
            continue
        real = loaded[str(REPO_ROOT / scripts[job.rule])]
        assert not real["errors"], (job.rule, real["errors"])
        assert real["files"], (job.rule, "imports nothing of the package?")
        missing = code_inputs_missing(real, set(job.inputs))
        if missing:
            problems[job.rule] = missing
    assert not problems, problems


def test_the_check_catches_a_hand_written_list_that_misses_a_module(tmp_path):
    """The same check fails a hand-written list that misses modules the job imports (here one
    that lists only what the script imports at its top level, while a function of it imports the
    GNS Laplace estimate, which runs render, the type model, ...), and passes the derived list."""
    from charchallenge.codedeps import loaded_sources

    script = tmp_path / "job.py"
    script.write_text("from charchallenge.io import write_json\n"
                      "def later():\n    from charchallenge.gns2021 import laplace\n")
    real = loaded_sources(script)[str(script)]
    src = "src/charchallenge/"
    hand_written = {src + f for f in ("__init__.py", "config.py", "provenance.py", "io.py")}
    missing = code_inputs_missing(real, hand_written)
    assert src + "gns2021/laplace.py" in missing and src + "render.py" in missing  # reached inside a function
    derived = {str(Path(f).relative_to(REPO_ROOT)) for f in imported_sources(script)}
    assert code_inputs_missing(real, derived) == []
