"""Snakemake script: the learning curve of every Feinman & Lake (2020) run - mean training NLL of
each epoch and validation NLL after it - as one CSV per run (a DVC plots folder) and one figure
with a panel per run (rows: models; columns: the runs of Table 1 and the holdout).

Each panel marks the kept (best validation) epoch and says how the run stopped and whether it
converged by the criterion in params (``feinman2020.convergence``).
"""

import json
from pathlib import Path

import pandas as pd

from charchallenge.feinman2020.claims import MODELS, convergence
from charchallenge.feinman2020.train import LABELS
from charchallenge.figures import plt
from charchallenge.io import save_figure, write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
criterion = smk.params.run["feinman2020"]["convergence"]
runs = [json.load(open(p)) for p in list(smk.input.runs) + list(smk.input.holdouts)]


def run_name(r: dict) -> str:
    return "holdout" if r["task"] == "holdout" else f"{r['task']}{r['split']}_c{r['config']}"


out = Path(smk.output.curves)
out.mkdir(parents=True, exist_ok=True)
for r in runs:
    f = pd.DataFrame(r["history"]).rename(columns={"train_loss": "train_nll", "val_loss": "val_nll"})
    write_csv(out / f"{r['model']}_{run_name(r)}.csv", f[["epoch", "step", "train_nll", "val_nll"]])

columns = sorted({run_name(r) for r in runs}, key=lambda n: (n == "holdout", n))
fig, axes = plt.subplots(len(MODELS), len(columns), figsize=(2.3 * len(columns), 2.2 * len(MODELS)),
                         squeeze=False, sharey="row")
for i, m in enumerate(MODELS):
    for j, c in enumerate(columns):
        ax = axes[i, j]
        match = [r for r in runs if r["model"] == m and run_name(r) == c]
        if not match:
            ax.axis("off")
            continue
        r = match[0]
        h = pd.DataFrame(r["history"])
        ax.plot(h["epoch"], h["train_loss"], lw=1, label="train")
        ax.plot(h["epoch"], h["val_loss"], lw=1, label="validation")
        best = h.loc[h["val_loss"].idxmin()]
        ax.axvline(best["epoch"], color="0.6", lw=0.8, ls=":")
        status = convergence(r, criterion)
        ax.set_title(f"{c}\n{status['stopped']}, {'converged' if status['converged'] else 'still improving'}",
                     fontsize=7, color="black" if status["converged"] else "firebrick")
        ax.tick_params(labelsize=6)
        if j == 0:
            ax.set_ylabel(f"{LABELS[m]}\nNLL (nats/char)", fontsize=7)
        if i == len(MODELS) - 1:
            ax.set_xlabel("epoch", fontsize=7)
axes[0, 0].legend(fontsize=6)
fig.suptitle("Feinman & Lake (2020): learning curves of every run (dotted: kept epoch)", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(f"learning curves of {len(runs)} runs")
