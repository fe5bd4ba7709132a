"""Snakemake script: per-alphabet spline table and preprocessing metrics."""

from pathlib import Path

import numpy as np
import pandas as pd

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.io import write_csv, write_json
from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.preprocess.trajectories import TrajectorySet
from charchallenge.provenance import provenance
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
dataset = OmniglotDataset.load(Path(smk.input.dataset))
splines = SplineSet.load(Path(smk.input.splines))
trajectories = TrajectorySet.load(Path(smk.input.trajectories))

alphabet = dataset.alphabet_of()
kept_alphabet = alphabet[splines.dataset_index]
strokes_alphabet = np.repeat(kept_alphabet, np.diff(splines.stroke_starts))
n_control = splines.n_control
threshold = splines.threshold


def summary(select_drawings, select_strokes, name):
    k, r = n_control[select_strokes], splines.residual[select_strokes]
    return {
        "alphabet": name,
        "drawings": int(select_drawings.sum()),
        "strokes_kept": int(select_strokes.sum()),
        "strokes_removed": int(splines.removed[select_drawings].sum()),
        "drawings_dropped": int(select_drawings.sum() - np.isin(np.flatnonzero(select_drawings), splines.dataset_index).sum()),
        "control_points_mean": float(k.mean()),
        "control_points_median": float(np.median(k)),
        "control_points_p95": float(np.percentile(k, 95)),
        "control_points_max": int(k.max()),
        "share_1_control_point": float((k == 1).mean()),
        "share_2_control_points": float((k == 2).mean()),
        "residual_mean": float(r.mean()),
        "residual_max": float(r.max()),
        "share_below_threshold": float((r < threshold).mean()),
    }


rows = [summary(alphabet == a, strokes_alphabet == a, a) for a in dataset.alphabets]
total = summary(np.ones(len(dataset), bool), np.ones(len(n_control), bool), "all")
table = pd.DataFrame(rows + [total])
write_csv(smk.output.table, table)

lengths = np.diff(trajectories.starts)
metrics = {
    "splines": {k: v for k, v in total.items() if k != "alphabet"},
    "trajectories": {
        "drawings": int(len(trajectories)),
        "steps_median": float(np.median(lengths)),
        "steps_max": int(lengths.max()),
        "step_px": trajectories.step,
        "dx_dy_std": [float(s) for s in trajectories.std[:2]],
    },
    "parse": dataset.stats,
    "params": {"background": run["data"]["background"], **run["preprocess"]["splines"]},
    "provenance": provenance(run["scale"], run["seed"], device="cpu"),
}
write_json(smk.output.metrics, metrics)
print(table.to_string(index=False))
