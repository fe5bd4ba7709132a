"""Snakemake script: fit the minimal spline of every stroke of the background set."""

from pathlib import Path

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
cfg = smk.params.splines
dataset = OmniglotDataset.load(Path(smk.input.dataset))
splines = SplineSet.fit(
    dataset, range(len(dataset)), threshold=cfg["residual_threshold"],
    max_control_points=cfg["max_control_points"], min_stroke_length=cfg["min_stroke_length"],
    step=cfg["resample_step"], progress=True,
)
splines.save(Path(smk.output[0]))
print(f"{smk.output[0]}: {len(splines.n_control)} strokes of {len(splines)} drawings; "
      f"{int(splines.removed.sum())} short strokes removed, {len(dataset) - len(splines)} drawings dropped")
