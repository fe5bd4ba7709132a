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
