"""Snakemake script: Fig. 4 - a correctly and an incorrectly inferred instance (first seed).

Each panel: the instance (green) and its re-generation from the inferred input code (blue), and
the inferred code as bars over the alphabet (true letter's bar green, argmax red if wrong).
Cases come from protocol (b) (other drawers); the correct one is the correct instance with the
lowest inference loss, the incorrect one the misclassified instance with the lowest loss
(protocol (a) is used if (b) has no case of a kind).
"""

import numpy as np
import torch

from charchallenge.fabi2020 import plotting
from charchallenge.fabi2020.data import load_study
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
res = torch.load(smk.input.type_inference, weights_only=False)
study = load_study(smk.input.trajectories, smk.params.run["fabi2020"])
labels = res["labels"]
s = 0


def pick(correct: bool):
    for name in ("b", "a"):
        r = res[name]
        ok = r["predicted"][s] == r["true"]
        idx = np.flatnonzero(ok if correct else ~ok)
        if len(idx):
            i = idx[np.argmin(r["loss"][s][idx])]
            target = r["targets"][s][i] if name == "a" else r["targets"][i]
            extra = f"drawer {r['drawers'][i]}" if name == "b" else "generated variant"
            return name, i, target, r["outputs"][s][i], r["codes"][s][i], int(r["true"][i]), extra
    return None


fig = plotting.plt.figure(figsize=(10, 4.2))
grid = fig.add_gridspec(2, 2, height_ratios=[2.2, 1])
for col, correct in enumerate((True, False)):
    case = pick(correct)
    ax_t, ax_b = fig.add_subplot(grid[0, col]), fig.add_subplot(grid[1, col])
    if case is None:
        ax_t.text(0.5, 0.5, "no " + ("correct" if correct else "incorrect") + " case", ha="center", transform=ax_t.transAxes)
        ax_t.axis("off")
        ax_b.axis("off")
        continue
    protocol, i, target, output, code, true, extra = case
    target_px, output_px = study.raw(target), study.raw(output)
    plotting.draw(ax_t, target_px, plotting.COLOURS["example"], lw=3.0, alpha=0.8, zorder=1)
    plotting.draw(ax_t, output_px, plotting.COLOURS["one_shot"], lw=1.6)
    plotting.frame(ax_t, [target_px, output_px])
    predicted = int(np.argmax(code))
    ax_t.set_title(f"{'correct' if correct else 'incorrect'}: '{labels[true]}' ({extra}, protocol {protocol}) "
                   f"-> inferred '{labels[predicted]}'", fontsize=8)
    colours = ["0.6"] * len(labels)
    colours[true] = plotting.COLOURS["example"]
    if predicted != true:
        colours[predicted] = plotting.COLOURS["no_inference"]
    ax_b.bar(np.arange(len(labels)), code, color=colours)
    ax_b.axhline(0, color="k", lw=0.5)
    ax_b.set_xticks(np.arange(len(labels)))
    ax_b.set_xticklabels(labels, fontsize=7)
    ax_b.set_ylabel("inferred input")
fig.suptitle("Fig. 4 - character type inference: instance (green), re-generation from the inferred code (blue)", fontsize=9)
fig.tight_layout(rect=(0, 0, 1, 0.95))
save_figure(fig, smk.output[0], dpi=110)
plotting.close(fig)
