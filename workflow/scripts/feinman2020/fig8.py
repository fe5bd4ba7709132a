"""Snakemake script: Fig. 8 - Full NS samples with each stroke in its own colour, T = 1.0 and 0.5."""

import numpy as np
import torch

from charchallenge.feinman2020.plotting import stroke_colours
from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
s = run["feinman2020"]["samples"]
samples = torch.load(smk.input.samples, weights_only=False)
n = s["figure"]
cols = int(np.ceil(np.sqrt(n)))
rows = int(np.ceil(n / cols))
colours = plt.get_cmap("tab10").colors
temps = sorted(s["temperatures"], reverse=True)
fig = plt.figure(figsize=(4.2 * len(temps), 4.4))
sub = fig.subfigures(1, len(temps))
sub = np.atleast_1d(sub)
for sf, t in zip(sub, temps):
    axes = sf.subplots(rows, cols)
    for ax, d in zip(np.ravel(axes), samples[float(t)]["drawings"][:n]):
        stroke_colours(ax, d, colours)
    for ax in np.ravel(axes)[n:]:
        ax.axis("off")
    sf.suptitle(f"T = {t}" + (" (default)" if t == 1.0 else " (less random)"), fontsize=10)
save_figure(fig, smk.output[0], dpi=110)
