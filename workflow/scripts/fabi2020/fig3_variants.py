"""Snakemake script: Fig. 3 - new samples of each novel letter (first seed).

Row per novel letter; first column the re-generated letter (one-shot inference, no noise), then
variants with N(0, SD) noise on the 26-dim input at every step, SD increasing to the right.
"""

from charchallenge.fabi2020 import plotting
from charchallenge.fabi2020.pipeline import context
from charchallenge.fabi2020.variants import noisy_variants
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
ctx = context(smk.params.run, smk.input.trajectories, list(smk.input.models), smk.input.one_shot, threads=smk.threads)
study, vp = ctx.study, ctx.params["variants"]
models = ctx.adapted("one_shot")[:1]
lengths = [len(t) for t in ctx.one_shot["targets"]]
variants, sds = noisy_variants(models, study.novel, lengths, vp["sds"], vp["samples_per_sd"], seed=2000, device=ctx.device)
regenerated = ctx.one_shot["outputs"][0][ctx.one_shot["conditions"].index("one_shot")]
n_cols = 1 + len(sds)
fig, axes = plotting.figure(len(study.novel), n_cols, cell=0.8)
for i, letter in enumerate(study.novel):
    drawings = [study.raw(regenerated[i])] + [study.raw(v) for v in variants[0][i]]
    for j, d in enumerate(drawings):
        ax = axes[i, j]
        plotting.draw(ax, d, plotting.COLOURS["one_shot"] if j == 0 else "k", lw=1.4)
        plotting.frame(ax, drawings)
        if i == 0:
            ax.set_title("re-generated" if j == 0 else f"SD {sds[j - 1]:g}", fontsize=6)
    axes[i, 0].set_ylabel(study.labels[letter], rotation=0, labelpad=8, fontsize=9)
fig.suptitle(f"Fig. 3 - variants by input noise ({study.alphabet}, seed {ctx.seeds[0]})", fontsize=8)
fig.tight_layout(rect=(0, 0, 1, 0.97))
save_figure(fig, smk.output[0], dpi=110)
plotting.close(fig)
