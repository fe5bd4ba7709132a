"""Snakemake script: training NLL per epoch of every Feinman & Lake run, a table and a figure.

Each run JSON records the mean training loss (NLL per drawing, nats, teacher forcing) over each
epoch's steps. The table holds one column per model for the holdout runs (the models sampled in
Figs. 5-8), which `dvc plots show` draws; the figure shows every run, one panel per task.
"""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from charchallenge.feinman2020.train import LABELS  # noqa: E402
from charchallenge.io import save_figure, write_csv  # noqa: E402
from charchallenge.joblog import log_to_file  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
runs = [json.load(open(p)) for p in smk.input.runs]
holdout = {r["model"]: r["train_loss_per_epoch"] for r in runs if r["task"] == "holdout"}
epochs = max(len(v) for v in holdout.values())
frame = pd.DataFrame({"epoch": range(1, epochs + 1),
                      **{m: v + [float("nan")] * (epochs - len(v)) for m, v in holdout.items()}})
write_csv(smk.output.table, frame)

tasks = ["alphabet", "character", "holdout"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), sharey=True)
colours = {"full_ns": "C0", "hierarchical_lstm": "C1", "baseline_lstm": "C2"}
for ax, task in zip(axes, tasks):
    for r in runs:
        if r["task"] != task:
            continue
        curve = r["train_loss_per_epoch"]
        label = LABELS[r["model"]] if r["split"] in (0, 1) and r["config"] == 0 else None
        ax.plot(range(1, len(curve) + 1), curve, color=colours[r["model"]], lw=1, alpha=0.8, label=label)
    ax.set_title(f"{task} {'splits' if task != 'holdout' else 'model'}")
    ax.set_xlabel("epoch")
axes[0].set_ylabel("training NLL (nats per drawing)")
axes[0].legend()
fig.suptitle("Feinman & Lake (2020): training curves of every run (train split; no validation data yet)")
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(f"{len(runs)} runs, holdout curves of {len(holdout)} models")
