"""Snakemake script: Table 2 (the paper's rows beside ours), the per-run errors of every model
here, the leaderboard (ours, best first, with interval, wall time and hardware) and its figure."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from charchallenge.io import save_figure, write_csv, write_json  # noqa: E402
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.episode_set import episode_set_of  # noqa: E402
from charchallenge.oneshot.leaderboard import leaderboard, paper_rows  # noqa: E402
from charchallenge.provenance import provenance  # noqa: E402

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
models = run["oneshot"]["models"]
board = leaderboard(Path(smk.input.runs[0]).parent, models, episode_set_of(smk.input.episodes))
ours, per_run, table2 = board["ours"], board["per_run"], board["table2"]
write_csv(smk.output.table2, table2)
write_csv(smk.output.per_run, per_run)
write_csv(smk.output.leaderboard, ours.assign(rank=np.arange(1, len(ours) + 1)))
write_json(smk.output.metrics, {
    "error_percent": {r.id: float(r.error) for r in ours.itertuples()},
    "episodes": episode_set_of(smk.input.episodes), "provenance": provenance(run["scale"], run["seed"], "cpu"),
})

fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(table2) + 1.2))
paper = paper_rows()
y = np.arange(len(paper) + len(ours))
ax.barh(y[: len(paper)], paper.error, color="0.8", label="paper (official runs)")
err = np.array([ours.error - ours.ci95_low, ours.ci95_high - ours.error])
ax.barh(y[len(paper):], ours.error, xerr=np.nan_to_num(err), color="tab:blue",
        label=f"this repository ({run['scale']} scale, {episode_set_of(smk.input.episodes)} episodes)")
ax.set_yticks(y, list(paper.model) + list(ours.model))
ax.invert_yaxis()
ax.set_xlabel("20-way within-alphabet one-shot error (%)")
ax.legend(fontsize=7, loc="lower right")
ax.set_title("One-shot classification: Table 2 beside the models here (95% interval over runs)", fontsize=9)
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(table2.to_string(index=False))
