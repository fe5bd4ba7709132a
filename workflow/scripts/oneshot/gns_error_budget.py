"""Snakemake script: the error budget of GNS one-shot classification on the validation episodes -
starting from the params' setting, one factor changed at a time (refit iterations, the refit rate
of blur and eps, parses per image K, the type prior in the parse weights, the parser itself by the
drawers' own strokes), each row's two-way error with its paired 95% interval against the params'
setting and its refit cost. Rows are read from the sizing table (``classify_sizing.py``)."""

import json

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.io import save_figure, write_csv  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
curve = pd.read_csv(smk.input.curve)
info = json.loads(open(smk.input.metrics).read())
base = info["params"]
lr, it, k = base["lr_render"], base["refit_iterations"], base["k"]
top = int(curve.refit_iterations.max())


def same_rate(a, b):
    return np.isclose(a, b, rtol=1e-3)  # the table prints rates to 4 digits, the metrics file in full


def cell(variant, lr_render, iterations, k_):
    hit = curve[(curve.variant == variant) & same_rate(curve.lr_render, lr_render)
                & (curve.refit_iterations == iterations) & (curve.k == k_)]
    return None if hit.empty else hit.iloc[0]


rows = [("params' setting", "gns", lr, it, k)]
rows += [(f"refit iterations {n}", "gns", lr, n, k) for n in sorted(curve.refit_iterations.unique()) if n != it]
rates = sorted(curve.lr_render.unique())
rows += [(f"blur/eps refit rate {r:g}", "gns", r, it, k) for r in rates if not same_rate(r, lr)]
if top != it:  # the params' rate at every count is in the iteration rows
    rows += [(f"blur/eps refit rate {r:g}, {top} iterations", "gns", r, top, k) for r in rates if not same_rate(r, lr)]
rows += [(f"K = {n} parses per image", "gns", lr, it, n) for n in range(1, k)]
rows += [("no type prior in the parse weights", "no_type_prior", lr, it, k)]
rows += [(f"no type prior, {top} iterations", "no_type_prior", lr, top, k)] if top != it else []
oracle_lr = curve.lr_render[curve.variant == "oracle_parses"]
if len(oracle_lr):
    rows += [(f"GNS parses, K = 1, rate {oracle_lr.iloc[0]:g} (the oracle's comparison)", "gns", oracle_lr.iloc[0],
              it, 1),
             (f"oracle parses (drawers' strokes, K = 1, rate {oracle_lr.iloc[0]:g})", "oracle_parses",
              oracle_lr.iloc[0], it, 1)]
    rows += [(f"oracle parses, {top} iterations", "oracle_parses", oracle_lr.iloc[0], top, 1)] if top != it else []
table = []
for label, variant, r, n, k_ in rows:
    c = cell(variant, r, n, k_)
    if c is None:
        continue
    table.append({"row": label, "variant": variant, "lr_render": r, "refit_iterations": n, "k": k_,
                  "trials": int(c.trials), "error_two_way": c.error_two_way, "error_forward": c.error_forward,
                  "vs_params_points": c.two_way_vs_params_difference, "vs_params_ci95_low": c.two_way_vs_params_ci95_low,
                  "vs_params_ci95_high": c.two_way_vs_params_ci95_high, "refit_seconds": c.refit_seconds})
table = pd.DataFrame(table)
write_csv(smk.output.table, table)

fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(table) + 1.2))
y = range(len(table))[::-1]
ax.errorbar(table.error_two_way, list(y),
            xerr=[table.vs_params_points - table.vs_params_ci95_low, table.vs_params_ci95_high - table.vs_params_points],
            fmt="o", color="C0", ecolor="0.6", capsize=2)
ax.axvline(table.error_two_way.iloc[0], color="0.4", lw=0.8, ls="--")
ax.set_yticks(list(y), table.row, fontsize=7)
ax.set_xlabel(f"two-way validation error (%), {int(table.trials.iloc[0])} trials\nbars: paired 95% interval "
              "of the difference to the params' setting (dashed)", fontsize=7)
ax.grid(axis="x", alpha=0.3)
ax.set_title(f"GNS error budget, validation episodes (background alphabets)\n{run['scale']} scale; params: "
             f"blur/eps rate {lr:g}, {it} refit iterations, K = {k}", fontsize=8)
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(table.to_string(index=False))
