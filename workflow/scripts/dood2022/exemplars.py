"""Snakemake script: DooD's Fig. 7 (Liang et al. 2022, Sec. 3.2 "Character-conditioned
generation"). For each held-out Omniglot target of GNS's Fig. 4a (the same targets, area-averaged
to DooD's resolution), DooD's recognition model infers a type and the token model
(:mod:`charchallenge.dood2022.token`) makes ``dood2022.exemplars.n`` new exemplars; GNS's new
exemplars of the same target are shown beside them."""

import numpy as np
import torch

from charchallenge.dood2022.token import TokenModel, apply_token, pack_type, render_strokes
from charchallenge.dood2022.train import load_model
from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file
from charchallenge.oneshot.protonet import downsample

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
e = d["exemplars"]
torch.set_num_threads(smk.threads)
model, saved = load_model(smk.input.model)
gns = torch.load(smk.input.gns, weights_only=False)["shown"][: e["n_targets"]]
targets = downsample(np.stack([g["image"] for g in gns]).astype(np.float32), d["image_size"])
token_model = TokenModel(**d["token"])
generator = torch.Generator().manual_seed(run["seed"])
torch.manual_seed(run["seed"])
with torch.no_grad():
    trace = model.infer(targets)
    if trace.strokes:
        cp, mask = pack_type(trace)
        cp, mask = cp.repeat_interleave(e["n"], 0), mask.repeat_interleave(e["n"], 0)
        tokens = apply_token(cp, *token_model.sample(cp, generator))
        exemplars = render_strokes(model.p.render, tokens, mask).unflatten(0, (len(targets), e["n"])).numpy()
    else:
        exemplars = np.zeros((len(targets), e["n"], *targets.shape[1:]), np.float32)
print(f"{len(targets)} targets: {trace.n_strokes.mean():.2f} strokes inferred per target")

n_gns = min(e["n"], min(len(g["exemplars"]) for g in gns))
cols = 1 + 1 + e["n"] + n_gns
fig, axes = plt.subplots(len(targets), cols, figsize=(0.62 * cols, 0.66 * len(targets) + 0.5), squeeze=False)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
for i, g in enumerate(gns):
    axes[i, 0].imshow(targets[i], cmap="gray_r", vmin=0, vmax=1)
    axes[i, 1].imshow(trace.canvas[i], cmap="gray_r", vmin=0, vmax=1)
    for k in range(e["n"]):
        axes[i, 2 + k].imshow(exemplars[i, k], cmap="gray_r", vmin=0, vmax=1)
    for k in range(n_gns):
        axes[i, 2 + e["n"] + k].imshow(1 - np.asarray(g["exemplars"][k], float), cmap="gray", vmin=0, vmax=1)
titles = {0: "target", 1: "DooD\nparse", 2: f"DooD: {e['n']} new exemplars", 2 + e["n"]: "GNS (Fig. 4a)"}
for j, t in titles.items():
    axes[0, j].set_title(t, fontsize=6, loc="left")
fig.suptitle(f"Fig. 7: new exemplars of held-out Omniglot characters, DooD ({saved['variant']}, trained on "
             f"{saved['dataset']}, token noise {d['token']}) beside GNS", fontsize=7)
save_figure(fig, smk.output[0], dpi=120)
