"""Which package sources a script runs: its ``charchallenge`` imports, followed transitively.

A rule's outputs must be rebuilt when code its job runs changes, and only then: listing a whole
subpackage as a dependency reruns hours of jobs when a module they never import is edited.
:func:`imported_sources` reads the import statements of a script (with :mod:`ast`, nothing is
executed), resolves absolute and relative imports of this package to files, and follows them
through every module reached, including the ``__init__.py`` of each package on the way (Python
runs them). Imports inside functions count too: a module a job may run is a dependency. A module
loaded by name at run time (``importlib`` with a computed string) is not seen: list it by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "charchallenge"
PACKAGE_DIR = Path(__file__).resolve().parent


def _module_file(name: str, root: Path) -> Path | None:
    """The file of dotted module ``name`` (``charchallenge.x.y``) under ``root`` (the package
    folder), or None when it is not a module or package of ours."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path) -> set[str]:
    """Dotted names of this package's modules (or names inside them) that ``path`` imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    inside = path.is_relative_to(root)
    here = _module_name(path, root) if inside else ""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if not inside:
                    continue
                anchor = here.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                module = ".".join(anchor + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names |= {f"{module}.{a.name}" for a in node.names}  # `from pkg import submodule`
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


def imported_sources(*scripts: str | Path, root: Path = PACKAGE_DIR) -> list[str]:
    """Every source file of the package that ``scripts`` import, directly or through each other,
    with the ``__init__.py`` of every package on the way; sorted absolute paths."""
    seen: set[Path] = set()
    todo = [Path(s).resolve() for s in scripts]
    for s in todo:
        if not s.is_file():
            raise FileNotFoundError(f"imported_sources: no such script {s}")
    found: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path, root):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # the packages on the way, then the module
                f = _module_file(".".join(parts[:i]), root)
                if f is not None and f not in found:
                    found.add(f)
                    todo.append(f)
    return sorted(str(f) for f in found)


_RUN_IMPORTS = r"""
import ast, json, os, sys
os.environ.setdefault("MPLBACKEND", "Agg")
for heavy in ("numpy", "scipy", "pandas", "torch", "matplotlib.pyplot", "sklearn"):
    try:  # third-party only, imported once before forking, so each script's run is quick
        __import__(heavy)
    except ImportError:
        pass
for script in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        tree = ast.parse(open(script).read(), filename=script)
        errors = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                try:
                    exec(compile(ast.Module([node], []), script, "exec"), {"__name__": "__job__"})
                except Exception as err:
                    errors.append(f"{ast.unparse(node)}: {err!r}")
        files = sorted({m.__file__ for name, m in list(sys.modules.items())
                        if name.split(".")[0] == "charchallenge" and getattr(m, "__file__", None)})
        with os.fdopen(write, "w") as out:
            json.dump({"script": script, "files": files, "errors": errors}, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as got:
        print(got.read(), flush=True)
    os.wait()
"""


def loaded_sources(*scripts: str | Path, src: Path = PACKAGE_DIR.parent) -> dict[str, dict]:
    """What the jobs of ``scripts`` really import: in a fresh interpreter (this package from
    ``src``), every import statement of each script - at any depth, inside functions too - is
    executed (in a forked child per script), and the source files of the ``charchallenge``
    modules then in ``sys.modules`` are collected. Script path -> ``{"files": [...], "errors":
    [...]}`` (an import statement that raised, with its error). Unlike :func:`imported_sources`
    nothing is read statically: it checks that list against what Python loads."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", _RUN_IMPORTS, *map(str, scripts)], capture_output=True, text=True,
                          env=env, timeout=1200)
    if done.returncode != 0:
        raise RuntimeError(f"loaded_sources failed:\n{done.stderr[-2000:]}")
    found = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"script"')]
    return {r["script"]: {"files": r["files"], "errors": r["errors"]} for r in found}
