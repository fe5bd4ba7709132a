"""Snakemake script: what speed costs GNS classification - error (two-way and forward only) against
refit iterations for each number of parses K kept per image, from the cost-curve table."""

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from charchallenge.gns2021.plotting import score_panels  # noqa: E402
from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
curve = pd.read_csv(smk.input.cost)


def plot(ax, key):
    for k, d in curve.groupby("k"):
        ax.plot(d.refit_iterations, d[key], "o-", label=f"K = {k}")


fig = score_panels(plot, f"error (%), {int(curve.trials.iloc[0])} trials",
                   f"GNS one-shot classification: error against refit iterations and parses kept ({run['scale']} "
                   "scale)", legend_fontsize=8, log_x=True)
save_figure(fig, smk.output[0])
