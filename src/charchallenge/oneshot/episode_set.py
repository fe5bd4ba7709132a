"""Which episodes the one-shot table uses: the 20 official runs (``all_runs.zip``) when the archive
can be had (mirror or download), else 20-way within-alphabet runs generated from alphabets the
models never trained on (offline: the small2-only alphabets), in the same on-disk format
(:func:`charchallenge.data.episodes.generate_runs`). The choice is made when the episodes are
built, not when the workflow is planned, so the pipeline is the same online and offline; the set's
name is written beside the runs (``SET``) and every table reports it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from charchallenge.data.episodes import generate_runs, load_runs
from charchallenge.data.formats import FormatError, unpack_archive
from charchallenge.data.remote import FetchError, fetch, omniglot_archive

SETTINGS = ("auto", "official", "generated")
SET_FILE = "SET"


def build_episode_set(setting: str, out_dir: Path, mirror: Path | None, generate) -> str:
    """Write the episode set to ``out_dir``; returns ``official`` or ``generated``.

    ``official``: fetch and unpack ``all_runs.zip`` (an error if it cannot be had); ``generated``:
    call ``generate(out_dir)``; ``auto``: official if the archive can be had, else generated, with
    one line saying why."""
    if setting not in SETTINGS:
        raise ValueError(f"params oneshot.episodes: expected one of {SETTINGS}, got {setting!r}")
    out_dir = Path(out_dir)
    chosen = "generated"
    if setting in ("auto", "official"):
        with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
            try:
                archive = fetch(omniglot_archive("all_runs"), Path(tmp) / "all_runs.zip", mirror)
                runs = unpack_archive(archive, Path(tmp) / "runs")
                root = next(p for p in [runs, *sorted(runs.iterdir())] if p.is_dir() and any(p.glob("run*")))
                load_runs(root)  # checked before it is used
                shutil.copytree(root, out_dir)
                chosen = "official"
            except (FetchError, FormatError) as err:
                if setting == "official":
                    raise
                print(f"official runs unavailable ({err}); using generated episodes")
    if chosen == "generated":
        generate(out_dir)
    (out_dir / SET_FILE).write_text(chosen + "\n")
    return chosen


def episode_set_of(episodes_dir: Path) -> str:
    """The name of the set a built episodes folder holds."""
    return (Path(episodes_dir) / SET_FILE).read_text().strip()
