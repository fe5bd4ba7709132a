"""Snakemake script: the error budget of GNS one-shot classification on the validation episodes -
one factor changed at a time from the params' setting (:func:`charchallenge.gns2021.sizing.
error_budget`, rows read from the sizing table), the screened long run's rows toward the paper's
refit count (:func:`charchallenge.gns2021.screening.budget_rows`, on the screening's episodes,
paired against every pair refitted at the params' count there), and its figure."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.gns2021.screening import budget_rows  # noqa: E402
from charchallenge.gns2021.sizing import error_budget  # noqa: E402
from charchallenge.io import save_figure, write_csv  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
base = json.loads(open(smk.input.metrics).read())["params"]
table = error_budget(pd.read_csv(smk.input.curve), base)
screening = json.loads(open(smk.input.screening_metrics).read())
table = pd.concat([table, budget_rows(pd.read_csv(smk.input.screening_curve), screening)], ignore_index=True)
write_csv(smk.output.table, table)

fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(table) + 1.2))
y = range(len(table))[::-1]
ax.errorbar(table.error_two_way, list(y),
            xerr=[table.vs_params_points - table.vs_params_ci95_low, table.vs_params_ci95_high - table.vs_params_points],
            fmt="o", color="C0", ecolor="0.6", capsize=2)
ax.axvline(table.error_two_way.iloc[0], color="0.4", lw=0.8, ls="--")
ax.set_yticks(list(y), table.row, fontsize=7)
ax.set_xlabel(f"two-way validation error (%), {int(table.trials.iloc[0])} trials ({int(table.trials.iloc[-1])} on the "
              "rows marked with runs)\nbars: paired 95% interval of the difference to the params' setting (dashed),\n"
              "on the rows with runs to every pair refitted at the params' count on those runs", fontsize=7)
ax.grid(axis="x", alpha=0.3)
ax.set_title(f"GNS error budget, validation episodes (background alphabets)\n{run['scale']} scale; params: "
             f"blur/eps rate {base['lr_render']:g}, {base['refit_iterations']} refit iterations, K = {base['k']}",
             fontsize=8)
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(table.to_string(index=False))
