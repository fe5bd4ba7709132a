"""Snakemake script: Figs. 6 and 7 - LSTM cell states c (Fig. 6) or hidden states h (Fig. 7).

One row per letter: the re-generated trajectory with its time steps labelled (left) beside a
heatmap of the states of all LSTM units over time (right), first seed's one-shot-inferred model.
"""

import numpy as np

from charchallenge.fabi2020 import plotting
from charchallenge.fabi2020.hidden_states import record_states
from charchallenge.fabi2020.pipeline import context
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot)
study = ctx.study
which = smk.params.which  # "cell" or "hidden"
letters = [study.index(x) for x in ctx.params["hidden_states"][which]]
model = ctx.adapted("one_shot")[0]
lengths = []
for c in letters:
    lengths.append(len(study.sequence(c, study.shown_drawer)))
records = record_states(model, letters, lengths, ctx.device)
fig = plotting.plt.figure(figsize=(11, 3.2 * len(letters)))
grid = fig.add_gridspec(len(letters), 2, width_ratios=[1, 2.6])
for r, (c, (out, h, cell)) in enumerate(zip(letters, records)):
    states = cell if which == "cell" else h
    ax_t, ax_h = fig.add_subplot(grid[r, 0]), fig.add_subplot(grid[r, 1])
    traj = study.raw(out)
    plotting.draw(ax_t, traj, plotting.COLOURS["one_shot"], lw=1.8)
    plotting.label_steps(ax_t, traj, every=max(1, len(traj) // 12))
    plotting.frame(ax_t, [traj])
    novelty = "novel, one-shot inferred" if c in study.novel else "trained"
    ax_t.set_title(f"'{study.labels[c]}' ({novelty})", fontsize=9)
    limit = float(np.abs(states).max()) or 1.0
    image = ax_h.imshow(states.T, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    ax_h.set_xlabel("time step")
    ax_h.set_ylabel("LSTM unit")
    ax_h.set_title(f"{'cell states c' if which == 'cell' else 'hidden states h'} of '{study.labels[c]}'", fontsize=9)
    fig.colorbar(image, ax=ax_h, fraction=0.03)
fig.suptitle(f"Fig. {6 if which == 'cell' else 7} - LSTM {'cell' if which == 'cell' else 'hidden'} states over time "
             f"({study.alphabet}, seed {ctx.seeds[0]})", fontsize=10)
fig.tight_layout(rect=(0, 0, 1, 0.96))
save_figure(fig, smk.output[0], dpi=100)
plotting.close(fig)
