"""Snakemake script: the GNS parse fit's mean loss per Adam iteration, with the scale's iteration
count marked - what stopping there leaves on the table."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.io import save_figure  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
curve = pd.read_csv(smk.input.curve)
info = json.loads(open(smk.input.metrics).read())["fit_curve"]
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(curve.iteration, curve.mean_loss, lw=1.2)
n = info["fit_iterations_of_this_scale"]
ax.axvline(n, color="tab:red", ls="--", lw=1)
ax.annotate(f"{n} iterations (this scale's fit):\n{100 * info['share_of_improvement_at_fit_iterations']:.0f}% of the "
            f"improvement,\nloss {info['loss_at_fit_iterations']:.0f} vs {info['loss_at_end']:.0f} at "
            f"{info['iterations']}", (n, info["loss_at_fit_iterations"]), xytext=(10, 30),
            textcoords="offset points", fontsize=8, color="tab:red")
ax.set_yscale("symlog")
ax.set_xlabel("Adam iteration")
ax.set_ylabel("mean loss per parse (nats)")
ax.set_title("GNS parse fit: -(log P(I|theta) + log P(theta|psi) + log P(psi))", fontsize=9)
save_figure(fig, smk.output[0])
