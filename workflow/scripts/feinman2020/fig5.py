"""Snakemake script: Fig. 5 - 36 samples from each model beside 36 real characters."""

import matplotlib.pyplot as plt
import numpy as np
import torch

from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.plotting import image_grid, images
from charchallenge.feinman2020.train import LABELS
from charchallenge.io import save_figure

smk = snakemake  # noqa: F821
run = smk.params.run
n = run["feinman2020"]["samples"]["figure"]
cols = int(np.ceil(np.sqrt(n)))
corpus = load_corpus(smk.input.splines, smk.input.dataset)
panels = []
for path in smk.input.samples:
    name = path.rsplit("samples_", 1)[1].removesuffix(".pt")
    panels.append((LABELS[name], torch.load(path, weights_only=False)[1.0]["drawings"][:n]))
real = np.random.RandomState(run["seed"]).choice(len(corpus.drawings), n, replace=False)
panels.append(("Ground truth", [corpus.drawings[i] for i in real]))
fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6))
for ax, (title, drawings) in zip(axes, panels):
    image_grid(ax, images(drawings), cols, title)
fig.suptitle("Fig. 5: samples (T = 1) and real Omniglot characters", fontsize=10)
save_figure(fig, smk.output[0], dpi=120)
