"""Snakemake script: Fig. 5 - blends of two letters' codes from 100:0 to 0:100 (first seed).

One row per pair (novel pairs, and a trained pair last); columns are the blend steps.
"""


from charchallenge.fabi2020 import plotting
from charchallenge.fabi2020.blending import blend_weights, run_blends
from charchallenge.fabi2020.pipeline import context
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
bp, study = ctx.params["blending"], ctx.study
models = ctx.adapted("one_shot")[:1]
pairs, blends = run_blends(models, study, bp["pairs"], bp["steps"], ctx.device)
weights = blend_weights(bp["steps"])
fig, axes = plotting.figure(len(pairs), len(weights), cell=0.85)
for p, (i, j) in enumerate(pairs):
    drawings = [study.raw(b) for b in blends[0][p]]
    trained_pair = i in study.trained and j in study.trained
    for k, d in enumerate(drawings):
        ax = axes[p, k]
        plotting.draw(ax, d, "k" if not trained_pair else "0.3", lw=1.4)
        plotting.frame(ax, drawings)
        if p == 0:
            ax.set_title(f"{round(100 * weights[k])}:{round(100 * (1 - weights[k]))}", fontsize=7)
    axes[p, 0].set_ylabel(f"{study.labels[i]}-{study.labels[j]}" + (" (trained)" if trained_pair else ""),
                          fontsize=7)
fig.suptitle(f"Fig. 5 - blending two characters' codes ({study.alphabet}, seed {ctx.seeds[0]})", fontsize=8)
fig.tight_layout(rect=(0, 0, 1, 0.96))
save_figure(fig, smk.output[0], dpi=110)
plotting.close(fig)
