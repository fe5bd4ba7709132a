"""Snakemake script: how the refit of GNS classification was sized - validation error (two-way and
forward only, the params' K) against refit iterations, one line per refit rate of blur and eps,
the chosen setting and the params' marked."""

import json

import matplotlib
import numpy as np

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from charchallenge.gns2021.plotting import score_panels  # noqa: E402
from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
curve = pd.read_csv(smk.input.curve)
info = json.loads(open(smk.input.metrics).read())
k = info["params"]["k"]
curve = curve[(curve.variant == "gns") & (curve.k == k)]


def plot(ax, key):
    for lr, d in curve.groupby("lr_render"):
        ax.plot(d.refit_iterations, d[key], "o-", label=f"blur/eps rate {lr:g}")
    for which, marker in (("chosen", "*"), ("params", "s")):
        c = info[which]
        it = c.get("refit_iterations")
        # the table prints rates to 4 digits, the metrics file in full
        hit = curve[np.isclose(curve.lr_render, c["lr_render"], rtol=1e-3) & (curve.refit_iterations == it)]
        ax.plot(hit.refit_iterations, hit[key], marker, ms=12 if marker == "*" else 9, mfc="none", mec="k",
                label=which if key == "error_two_way" else None)


fig = score_panels(plot, f"validation error (%), {int(curve.trials.iloc[0])} trials",
                   f"GNS refit sized on validation episodes (background alphabets), K = {k} ({run['scale']} scale)",
                   legend_fontsize=7)
save_figure(fig, smk.output[0])
