"""Snakemake script: Fig. 2 - free generation after one example, every novel letter (seed shown: first).

Columns: novel letters. Rows as in the paper: the example (green) with the trained model's
re-generation after one-shot inference (blue) on top; the trained model given the novel one-hot
without inference (red); an untrained model after the same one-shot inference (orange). A faint
green copy of the example sits behind the red and orange drawings for comparison.
"""

from charchallenge.fabi2020 import plotting
from charchallenge.fabi2020.pipeline import context
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot)
res, study = ctx.one_shot, ctx.study
s = 0
cond = res["conditions"]
rows = [("example (green)\n+ one-shot (blue)", res["outputs"][s][cond.index("one_shot")], plotting.COLOURS["one_shot"]),
        ("trained,\nno inference (red)", res["initial_outputs"][s][cond.index("one_shot")], plotting.COLOURS["no_inference"]),
        ("untrained +\none-shot (orange)", res["outputs"][s][cond.index("untrained")], plotting.COLOURS["untrained"])]
n = len(study.novel)
fig, axes = plotting.figure(len(rows), n, cell=1.15)
for j, letter in enumerate(study.novel):
    target = study.raw(res["targets"][j])
    for i, (name, outputs, colour) in enumerate(rows):
        ax = axes[i, j]
        out = study.raw(outputs[j])
        if i == 0:
            plotting.draw(ax, target, plotting.COLOURS["example"], lw=3.0, alpha=0.8, zorder=1)
        else:
            plotting.draw(ax, target, plotting.COLOURS["example"], lw=2.5, alpha=0.15, zorder=1)
        plotting.draw(ax, out, colour, lw=1.6)
        plotting.frame(ax, [target, out])
        if i == 0:
            ax.set_title(study.labels[letter], fontsize=10)
        if j == 0:
            ax.text(-0.08, 0.5, name, transform=ax.transAxes, fontsize=7, ha="right", va="center")
fig.suptitle(f"Fig. 2 - free generation after one example ({study.alphabet}, drawer {study.shown_drawer}, "
             f"seed {ctx.seeds[s]}): example green, one-shot blue, no inference red, untrained + one-shot orange",
             fontsize=8)
fig.tight_layout(rect=(0.06, 0, 1, 0.95))
save_figure(fig, smk.output[0], dpi=110)
plotting.close(fig)
