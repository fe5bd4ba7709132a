"""Snakemake script: what speed costs GNS classification - error (two-way and forward only) against
refit iterations for each number of parses K kept per image, from the cost-curve table."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
curve = pd.read_csv(smk.input.cost)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2), sharey=True)
for ax, key, title in ((axes[0], "error_two_way", "two-way score (Eq. 5)"),
                       (axes[1], "error_forward", "forward score only (Eq. 4)")):
    for k, d in curve.groupby("k"):
        ax.plot(d.refit_iterations, d[key], "o-", label=f"K = {k}")
    ax.set_xscale("log")
    ax.set_xlabel("refit iterations")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
axes[0].set_ylabel(f"error (%), {int(curve.trials.iloc[0])} trials")
axes[0].legend(fontsize=8)
fig.suptitle(f"GNS one-shot classification: error against refit iterations and parses kept ({run['scale']} scale)",
             fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output[0])
