"""Snakemake script: Fig. 4a / A12 layout - each held-out target image (framed) beside a 3x3 grid
of its GNS exemplars."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from charchallenge.gns2021.plotting import bare  # noqa: E402
from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
shown = torch.load(smk.input.examples, weights_only=False)["shown"]
per_row = 2
rows = int(np.ceil(len(shown) / per_row))
fig = plt.figure(figsize=(5.2 * per_row, 2.6 * rows))
outer = fig.add_gridspec(rows, per_row)
for k, ex in enumerate(shown):
    cell = outer[k // per_row, k % per_row].subgridspec(3, 5, wspace=0.05, hspace=0.05)
    ax = fig.add_subplot(cell[:, :2])
    ax.imshow(ex["image"], cmap="gray_r")
    for side in ax.spines.values():
        side.set_edgecolor("tab:red")
        side.set_linewidth(2)
    bare(ax)
    ax.set_title(f"target {ex['drawing']}", fontsize=8)
    for j, e in enumerate(ex["exemplars"][:9]):
        a = fig.add_subplot(cell[j // 3, 2 + j % 3])
        a.imshow(e, cmap="gray_r")
        bare(a)
fig.suptitle("GNS new exemplars of held-out characters (Fig. 4a / A12 layout; target framed)", fontsize=10)
save_figure(fig, smk.output[0])
