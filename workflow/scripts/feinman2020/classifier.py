"""Snakemake script: the CNN classifier whose last hidden layer is the perceptual metric (Figs. 6-7)."""

import time

import numpy as np
import torch

from charchallenge.feinman2020.classifier import train_classifier
from charchallenge.feinman2020.data import load_corpus
from charchallenge.feinman2020.splits import holdout_split
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
torch.set_num_threads(smk.threads)
corpus = load_corpus(smk.input.splines, smk.input.dataset, smk.input.canvases)
train_idx, _ = holdout_split(corpus.alphabet, run["data"]["background"])
_, labels = np.unique(corpus.labels()[train_idx], return_inverse=True)
start = time.time()
model, history = train_classifier(corpus.complete_canvases(train_idx), labels, run["feinman2020"]["classifier"], run["seed"])
torch.save({"state_dict": model.state_dict(), "n_classes": int(labels.max()) + 1, "train_idx": train_idx,
            "params": run["feinman2020"]["classifier"], "train_accuracy": history,
            "seconds": time.time() - start}, smk.output[0])
print(f"{labels.max() + 1}-way classifier, training accuracy per epoch {np.round(history, 3).tolist()} "
      f"({time.time() - start:.0f} s)")
