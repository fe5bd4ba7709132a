"""Snakemake script: raw strokes (pen samples as crosses) beside their minimal splines (control
points as red dots), one row per drawing, as in Feinman & Lake (2020), Fig. 2."""

from pathlib import Path

import numpy as np

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.preprocess.spline_set import SplineSet
from charchallenge.preprocess.splines import spline_to_trajectory
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
dataset = OmniglotDataset.load(Path(smk.input.dataset))
splines = SplineSet.load(Path(smk.input.splines))

# One drawing per alphabet in turn, chosen reproducibly from the seed.
rng = np.random.default_rng(smk.params.seed)
alphabet = dataset.alphabet_of()[splines.dataset_index]
names = sorted(set(alphabet))
chosen = [int(rng.choice(np.flatnonzero(alphabet == names[i % len(names)])))
          for i in range(smk.params.n_drawings)]

rows = len(chosen)
pairs_per_row = 3 if rows >= 6 else 1
grid_rows = int(np.ceil(rows / pairs_per_row))
fig, axes = plt.subplots(grid_rows, 2 * pairs_per_row, figsize=(2.2 * 2 * pairs_per_row, 2.2 * grid_rows),
                         squeeze=False)
colors = plt.cm.tab10.colors
for n, i in enumerate(chosen):
    ax_raw, ax_spl = axes[n // pairs_per_row, 2 * (n % pairs_per_row)], axes[n // pairs_per_row, 2 * (n % pairs_per_row) + 1]
    drawing = dataset.drawing(int(splines.dataset_index[i]))
    for s, stroke in enumerate(drawing.strokes):
        ax_raw.plot(stroke[:, 0], stroke[:, 1], "-", color=colors[s % 10], lw=1)
        ax_raw.plot(stroke[:, 0], stroke[:, 1], "x", color="k", ms=3, mew=0.6)
    for s, cps in enumerate(splines.splines(i)):
        curve = spline_to_trajectory(cps)
        ax_spl.plot(curve[:, 0], curve[:, 1], "-", color=colors[s % 10], lw=1.5)
        ax_spl.plot(cps[:, 0], cps[:, 1], "o", color="red", ms=3)
    ax_raw.set_title(f"{drawing.alphabet[:14]} c{drawing.character:02d}", fontsize=7)
    ax_spl.set_title(f"{sum(len(c) for c in splines.splines(i))} control points", fontsize=7)
for ax in axes.ravel():
    ax.set_xlim(0, 105)
    ax.set_ylim(-105, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Raw strokes (x: pen samples) | minimal splines (red: control points)", fontsize=8)
fig.tight_layout()
save_figure(fig, smk.output[0])
