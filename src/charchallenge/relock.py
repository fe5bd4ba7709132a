"""Record edited source files in dvc.lock without rebuilding: DVC's counterpart of ``snakemake --touch``.

A change that moves or renames code without changing what it computes (a refactor) still changes
the hashes of the files a stage depends on, so ``dvc status`` lists the stage as changed and ``dvc
repro`` would rebuild hours of results to the same bytes. ``dvc commit`` records the new hashes, but
only on a machine that holds every output of the stage (models and datasets live in the DVC cache).

``python -m charchallenge.relock STAGE [STAGE ...]`` rewrites, for the named stages only, the deps
entries of the files git tracks under the source folders (``src/``, ``workflow/``, the Snakefile):
each gets the file's current MD5 and size, a dependency the stage gained is added and one it lost is
dropped. Params keys added to a section the stage tracks are recorded too; a recorded value that
changed stops the tool with its key (a changed setting must rebuild). Every other entry (datasets,
models, committed results read from another stage, outs) is kept as recorded, and a dependency that
is neither a tracked source nor already recorded stops the tool with its name. Use it only after checking that the stage's outputs are unchanged
(say how in the commit); an edit that changes a result must rebuild it instead.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from .config import REPO_ROOT

LOCK_PATH = REPO_ROOT / "dvc.lock"
SOURCE_ROOTS = ("src/", "workflow/", "Snakefile")


class RelockError(RuntimeError):
    """A stage or dependency the tool cannot record (message is one line)."""


def tracked_files(root: Path = REPO_ROOT) -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


def is_source(path: str, tracked: set[str]) -> bool:
    """A file git tracks under the source folders: its hash is what it is now."""
    return path in tracked and path.startswith(SOURCE_ROOTS)


def file_entry(path: str, root: Path = REPO_ROOT) -> dict:
    """A deps entry as DVC writes it for a file: MD5 of the bytes and size."""
    data = (root / path).read_bytes()
    return {"path": path, "hash": "md5", "md5": hashlib.md5(data).hexdigest(), "size": len(data)}


def relocked_deps(recorded: list[dict], wanted: list[str], tracked: set[str], stage: str,
                  root: Path = REPO_ROOT) -> list[dict]:
    """The stage's deps entries for the dependency paths ``wanted`` (as dvc.yaml expands them):
    tracked sources rehashed, everything else as ``recorded``; sorted by path as DVC writes them."""
    by_path = {d["path"]: d for d in recorded}
    entries = []
    for path in sorted(set(wanted)):
        if is_source(path, tracked):
            entries.append(file_entry(path, root))
        elif path in by_path:
            entries.append(by_path[path])
        else:
            raise RelockError(f"dvc.lock: stage {stage} has a new dependency {path} that is not a tracked source "
                              "file; build the stage (dvc repro) instead")
    return entries


def added_params(recorded, current, stage: str, key: str = ""):
    """``current`` params value if it only adds keys to ``recorded`` (every recorded value unchanged),
    else a :class:`RelockError` naming the first changed key."""
    if isinstance(recorded, dict) and isinstance(current, dict):
        gone = [k for k in recorded if k not in current]
        if gone:
            raise RelockError(f"dvc.lock: stage {stage}: params key {key}{gone[0]} was removed; rebuild the stage")
        return {k: added_params(recorded[k], v, stage, f"{key}{k}.") if k in recorded else v
                for k, v in current.items()}
    if recorded != current:
        raise RelockError(f"dvc.lock: stage {stage}: params value {key.rstrip('.')} changed "
                          f"({recorded!r} -> {current!r}); rebuild the stage")
    return current


def current_params(keys: list[str], root: Path = REPO_ROOT) -> dict:
    """The values of dotted params keys (``scales.quick.gns2021``) in params.yaml."""
    import yaml

    params = yaml.safe_load((root / "params.yaml").read_text())
    out = {}
    for key in keys:
        value = params
        for part in key.split("."):
            value = value[part]
        out[key] = value
    return out


def stage_dependencies(stages: list[str], root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """The file and folder deps of each named stage as DVC expands dvc.yaml (params excluded)."""
    from dvc.dependency.param import ParamsDependency
    from dvc.repo import Repo

    repo = Repo(str(root))
    known = {s.name: s for s in repo.index.stages}
    missing = [s for s in stages if s not in known]
    if missing:
        raise RelockError(f"dvc.yaml has no stage {missing}; stages: {sorted(known)}")
    return {s: [d.def_path for d in known[s].deps if not isinstance(d, ParamsDependency)] for s in stages}


def relock(stages: list[str], root: Path = REPO_ROOT) -> list[str]:
    """Rewrite the named stages' deps in dvc.lock; returns one line per changed entry."""
    from dvc.utils.serialize import dump_yaml, load_yaml

    lock_path = root / "dvc.lock"
    lock = load_yaml(str(lock_path))
    tracked = tracked_files(root)
    changes = []
    for stage, wanted in stage_dependencies(stages, root).items():
        if stage not in lock["stages"]:
            raise RelockError(f"dvc.lock: stage {stage} was never built; build it (dvc repro {stage})")
        recorded = lock["stages"][stage]["deps"]
        new = relocked_deps(recorded, wanted, tracked, stage, root)
        before = {d["path"]: d.get("md5") for d in recorded}
        after = {d["path"]: d.get("md5") for d in new}
        changes += [f"{stage}: {'added' if p not in before else 'rehashed'} {p}" for p in after
                    if before.get(p) != after[p]]
        changes += [f"{stage}: dropped {p}" for p in before if p not in after]
        lock["stages"][stage]["deps"] = new
        recorded_params = lock["stages"][stage].get("params", {}).get("params.yaml", {})
        now = current_params(list(recorded_params), root)
        for key in recorded_params:
            value = added_params(recorded_params[key], now[key], stage, f"{key}.")
            if value != recorded_params[key]:
                changes.append(f"{stage}: params {key}: keys added")
                recorded_params[key] = value
    dump_yaml(str(lock_path), lock)
    return changes


def main(argv: list[str] | None = None) -> int:
    stages = sys.argv[1:] if argv is None else argv
    if not stages or any(s.startswith("-") for s in stages):
        print("usage: python -m charchallenge.relock STAGE [STAGE ...]   (after checking the outputs are unchanged)")
        return 2
    try:
        changes = relock(stages)
    except RelockError as err:
        print(f"relock: {err}", file=sys.stderr)
        return 1
    print("\n".join(changes) or "nothing to record: the stages' sources are as recorded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
