"""Snakemake script: per-alphabet spline table and preprocessing metrics
(:mod:`charchallenge.preprocess.spline_stats`)."""

from pathlib import Path

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.io import write_csv, write_json
from charchallenge.joblog import log_to_file
from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.preprocess.spline_stats import spline_table, trajectory_summary
from charchallenge.preprocess.trajectories import TrajectorySet
from charchallenge.provenance import provenance

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
dataset = OmniglotDataset.load(Path(smk.input.dataset))
table, total = spline_table(dataset, SplineSet.load(Path(smk.input.splines)))
write_csv(smk.output.table, table)
write_json(smk.output.metrics, {
    "splines": {k: v for k, v in total.items() if k != "alphabet"},
    "trajectories": trajectory_summary(TrajectorySet.load(Path(smk.input.trajectories))),
    "parse": dataset.stats,
    "params": {"background": run["data"]["background"], **run["preprocess"]["splines"]},
    "provenance": provenance(run["scale"], run["seed"], device="cpu"),
})
print(table.to_string(index=False))
