"""Snakemake script: training loss of every seed's generator (section 2), as a table and a figure.

The per-step MSE recorded during training, averaged over windows of ``steps / 200`` steps (at
least 1), one column per seed; `dvc plots show` draws the CSV.
"""

import numpy as np
import pandas as pd

from charchallenge.fabi2020.model import load_generator
from charchallenge.figures import plt
from charchallenge.io import save_figure, write_csv
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
columns = {}
for path in smk.input.models:
    _, payload = load_generator(path)
    losses = np.asarray(payload["losses"], dtype=float)
    window = max(1, len(losses) // 200)
    n = len(losses) // window
    columns[f"seed{payload['seed']}"] = losses[: n * window].reshape(n, window).mean(1)
    step = (np.arange(n) + 1) * window
frame = pd.DataFrame({"step": step, **columns})
write_csv(smk.output.table, frame)

fig, ax = plt.subplots(figsize=(6, 3.5))
for name in columns:
    ax.plot(frame["step"], frame[name], label=name, lw=1)
ax.set_yscale("log")
ax.set_xlabel("training step")
ax.set_ylabel(f"MSE (mean over {window} steps)")
ax.set_title("Fabi et al. (2020): generator training loss")
ax.legend()
fig.tight_layout()
save_figure(fig, smk.output.figure)
print(f"learning curves of {len(columns)} seeds, {len(frame)} points each")
