"""Snakemake script: trajectories (dx, dy, pen, onset) of every drawing of the background set."""

from pathlib import Path

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.preprocess.trajectories import TrajectorySet
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
dataset = OmniglotDataset.load(Path(smk.input.dataset))
trajectories = TrajectorySet.from_dataset(dataset, step=smk.params.step)
trajectories.save(Path(smk.output[0]))
lengths = trajectories.starts[1:] - trajectories.starts[:-1]
print(f"{smk.output[0]}: {len(trajectories)} trajectories, {lengths.min()}-{lengths.max()} steps "
      f"(median {int(sorted(lengths)[len(lengths) // 2])}), step {smk.params.step} px")
