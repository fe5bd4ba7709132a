"""Snakemake script: load every official run through the episode loader and list them."""

from pathlib import Path

from charchallenge.data.episodes import EpisodeFormatError, load_runs
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
root = Path(smk.input.runs)
candidates = [root] + [p for p in root.iterdir() if p.is_dir()]
for folder in candidates:
    if any(folder.glob("run*")):
        break
try:
    episodes = load_runs(folder)
except EpisodeFormatError as err:
    raise SystemExit(f"error: {err}")
lines = [f"{e.name}\t{e.n_way}-way\t{len(e.test_paths)} test items\t{folder / e.name}" for e in episodes]
Path(smk.output[0]).write_text("\n".join(lines) + "\n")
print(f"{len(episodes)} official runs in {folder}")
