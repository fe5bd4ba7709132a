"""Snakemake script: Fig. 7 - Full NS samples at T = 0.5 on a grid where neighbours look alike
(rasterised PCA of the classifier features), beside the grid of their nearest training characters."""

import torch

from charchallenge.feinman2020.canvases import render_drawings
from charchallenge.feinman2020.classifier import embed, load_classifier, nearest
from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.plotting import image_grid, images, similarity_grid
from charchallenge.figures import plt
from charchallenge.io import save_figure
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
side = run["feinman2020"]["samples"]["grid"]
torch.set_num_threads(smk.threads)
corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
net, train_idx = load_classifier(smk.input.classifier)
drawings = torch.load(smk.input.samples, weights_only=False)[0.5]["drawings"][: side * side]
feats = embed(net, render_drawings(drawings))
order = similarity_grid(feats, side)
_, nn_idx = nearest(feats, embed(net, corpus.complete_canvases(train_idx)), 1)
fig, (a, b) = plt.subplots(1, 2, figsize=(10, 5.3))
image_grid(a, images([drawings[i] for i in order]), side, "Full NS samples (T = 0.5)")
image_grid(b, images([corpus.drawings[train_idx[int(nn_idx[i, 0])]] for i in order]), side, "nearest training characters")
save_figure(fig, smk.output[0], dpi=110)
