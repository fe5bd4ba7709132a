"""What a resumable job was made from, so that a checkpoint is reused only when nothing changed.

A checkpoint may be resumed only if every input that determines the run is unchanged. A job's
fingerprint is a mapping of named components, each stored in the checkpoint as it is (not only
as one hash), so that a refused resume can say *what* changed:

- ``params``: a digest of the job's hyperparameters (anything JSON-serialisable).
- ``code``: the SHA-256 of every source file of the ``charchallenge`` package that the job has
  imported when it builds its fingerprint (``sys.modules``), keyed by path relative to the
  package. By then the model, its losses, the data encoding and the training loop are all
  imported, so an edit to any of them - or to anything else the job loaded - restarts the run.
  The rule errs on the side of restarting: a change to a loaded module that could not matter
  (a docstring) restarts too. Files outside the package that the job runs - the workflow script
  of a Snakemake job (:func:`workflow_script`), passed as ``extra_code`` - are listed too, keyed by
  path relative to the working directory (the repository root for a Snakemake job), e.g.
  ``workflow/scripts/fabi2020/train.py``, so editing the script restarts the run as well.
- ``data``: a digest of the data the job actually trains on (the arrays, not file names), e.g.
  the encoded drawings, canvases and training indices.
- ``libraries``: the versions of the libraries whose numerics the run depends on (torch, numpy).
- ``torch_threads``: torch's intra-op thread count (reductions can round differently).

:func:`differences` lists the components that differ between two fingerprints, in words.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

PACKAGE_DIR = Path(__file__).resolve().parent
NUMERIC_LIBRARIES = ("torch", "numpy")


def digest_json(value: Any) -> str:
    """SHA-256 (hex, 16 characters) of ``value`` as canonical JSON."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digest_arrays(*arrays) -> str:
    """SHA-256 (hex, 16 characters) of arrays or tensors: dtype, shape and bytes of each."""
    h = hashlib.sha256()
    for a in arrays:
        if hasattr(a, "detach"):  # torch tensor
            a = a.detach().cpu().numpy()
        a = np.ascontiguousarray(np.asarray(a))
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def file_digest(path: Path | str) -> str:
    """SHA-256 (hex, 16 characters) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def loaded_sources(root: Path | str = PACKAGE_DIR) -> list[Path]:
    """Source files under ``root`` of every module imported so far, sorted."""
    root = Path(root).resolve()
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not path.endswith(".py"):
            continue
        path = Path(path).resolve()
        if path.is_relative_to(root):
            files.add(path)
    return sorted(files)


def extra_code_key(path: Path | str) -> str:
    """The key of an extra code file in a fingerprint: its path relative to the working directory
    (a Snakemake job runs in the repository root: ``workflow/scripts/fabi2020/train.py``) when it
    lies below it, else the absolute path."""
    path = Path(path).resolve()
    cwd = Path.cwd().resolve()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def code_digests(root: Path | str = PACKAGE_DIR, extra: Iterable[Path | str] = ()) -> dict[str, str]:
    """``{relative path: digest}`` of the loaded sources under ``root`` plus ``extra`` files
    (keyed by :func:`extra_code_key`)."""
    root = Path(root).resolve()
    digests = {str(p.relative_to(root)): file_digest(p) for p in loaded_sources(root)}
    for path in extra:
        digests[extra_code_key(path)] = file_digest(path)
    return digests


SNAKEMAKE_PREAMBLE = b"######## snakemake preamble start"
SNAKEMAKE_TEMP_NAME = re.compile(r"^tmp[^.]*\.(?P<name>.+)$")  # tempfile's name + "." + the script's name


def _is_snakemake_copy(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(SNAKEMAKE_PREAMBLE)) == SNAKEMAKE_PREAMBLE


def workflow_script(smk, file: Path | str | None = None) -> Path:
    """The original file of the Snakemake ``script:`` job running now, for ``extra_code``.

    Snakemake runs a temporary copy of the script (``.snakemake/scripts/tmpXXXX.<name>``, a
    preamble with the pickled job before the source), which differs from job to job; the file to
    fingerprint is the original in ``smk.scriptdir``. ``file`` is the script's ``__file__``
    (default: that of ``__main__``, the running script), which Snakemake's preamble sets to the
    original; should it name the temporary copy instead, the original is found in
    ``smk.scriptdir`` from the copy's name. Raises ``RuntimeError`` if no original is found.
    """
    if file is None:
        file = getattr(sys.modules.get("__main__"), "__file__", None)
    scriptdir = getattr(smk, "scriptdir", None)
    if file is None or scriptdir is None or not os.path.isdir(scriptdir):
        raise RuntimeError(f"cannot tell the workflow script of this job (file {file!r}, scriptdir {scriptdir!r})")
    scriptdir = Path(scriptdir).resolve()
    path = Path(file).resolve()
    candidates = [path, scriptdir / path.name]
    match = SNAKEMAKE_TEMP_NAME.match(path.name)
    if match:
        candidates.append(scriptdir / match["name"])
    for candidate in candidates:
        if candidate.parent == scriptdir and candidate.is_file() and not _is_snakemake_copy(candidate):
            return candidate
    raise RuntimeError(f"cannot find the original of the workflow script {path} in {scriptdir}")


def library_versions() -> dict[str, str]:
    from importlib import metadata

    return {name: metadata.version(name) for name in NUMERIC_LIBRARIES}


def job_fingerprint(params: Any, data: Mapping[str, str] | None = None, code_root: Path | str = PACKAGE_DIR,
                    extra_code: Iterable[Path | str] = ()) -> dict:
    """The fingerprint of a training job: params, loaded code, data digests, libraries, threads.

    Call it after the model and the training loop are imported (the ``code`` component lists
    what is loaded at that moment). ``data`` maps names to digests of the data trained on
    (:func:`digest_arrays`). ``extra_code``: further source files the job runs, outside
    ``code_root`` - a Snakemake job's own script (:func:`workflow_script`).
    """
    import torch

    return {
        "params": digest_json(params),
        "code": code_digests(code_root, extra_code),
        "data": dict(data or {}),
        "libraries": library_versions(),
        "torch_threads": torch.get_num_threads(),
    }


def differences(old: Any, new: Any) -> list[str]:
    """What differs between two fingerprints, one phrase per component (empty if equal)."""
    if old == new:
        return []
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return ["fingerprint changed"]
    reasons = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            shown = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
            reasons.append(f"{key} changed ({shown})")
        else:
            reasons.append(f"{key} changed")
    return reasons
