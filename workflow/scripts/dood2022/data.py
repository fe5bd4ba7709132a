"""Snakemake script: one DooD dataset (:mod:`charchallenge.dood2022.data`) as training,
validation and test images at ``dood2022.image_size`` pixels, ink = 1."""

import numpy as np

from charchallenge.data.dataset import OmniglotDataset
from charchallenge.dood2022.data import MNIST_SOURCE, mnist_splits, omniglot_splits
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
else:  # mnist
    parts = mnist_splits(d["image_size"], d["split"]["n_val"], d["split"]["n_test"], run["seed"])
    source = MNIST_SOURCE
save_npz(smk.output[0], **parts, source=np.array(source))
print(f"{name}: {source}; " + ", ".join(f"{k} {len(parts[k])}" for k in ("train", "val", "test"))
      + f" images at {d['image_size']} px, mean ink {parts['train'].mean():.3f}")
