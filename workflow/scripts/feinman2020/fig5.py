"""Snakemake script: Fig. 5 - 36 samples from each model beside 36 real characters. The samples
are drawn on the canvas (rejection sampling); each panel says what share of raw draws were."""

import numpy as np
import torch

from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.plotting import image_grid, images
from charchallenge.feinman2020.train import LABELS
from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
n = run["feinman2020"]["samples"]["figure"]
cols = int(np.ceil(np.sqrt(n)))
corpus = load_corpus(smk.input.splines, smk.input.dataset)
panels = []
for path in smk.input.samples:
    name = path.rsplit("samples_", 1)[1].removesuffix(".pt")
    t1 = torch.load(path, weights_only=False)[1.0]
    panels.append((f"{LABELS[name]}\n({100 * t1['on_canvas_share']:.0f}% of draws on the canvas)", t1["drawings"][:n]))
real = np.random.RandomState(run["seed"]).choice(len(corpus.drawings), n, replace=False)
panels.append(("Ground truth\n", [corpus.drawings[i] for i in real]))
fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.8))
for ax, (title, drawings) in zip(axes, panels):
    image_grid(ax, images(drawings), cols, title)
fig.suptitle("Fig. 5: samples (T = 1) and real Omniglot characters", fontsize=10)
save_figure(fig, smk.output[0], dpi=120)
