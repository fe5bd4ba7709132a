"""DooD's datasets: unavailable ones are skipped with one line, unknown ones are an error, the
MNIST subset splits into disjoint parts of the asked sizes, and Omniglot's test images come only
from the alphabets the training images never show."""

import numpy as np
import pytest

from charchallenge.dood2022.data import available, mnist_splits, omniglot_splits


def test_datasets_that_need_a_download_are_skipped_with_one_line_and_unknown_ones_fail():
    lines = []
    assert available(["mnist", "quickdraw", "omniglot"], log=lines.append) == ["mnist", "omniglot"]
    assert len(lines) == 1 and "quickdraw" in lines[0]
    with pytest.raises(ValueError, match="dood2022.datasets: unknown dataset 'svhn'"):
        available(["svhn"])


def test_mnist_subset_splits_are_disjoint_and_scaled_to_unit_ink():
    parts = mnist_splits(28, n_val=100, n_test=50, seed=0)
    assert [len(parts[k]) for k in ("train", "val", "test")] == [4850, 100, 50]
    assert parts["train"].shape[1:] == (28, 28) and parts["train"].dtype == np.float32
    assert 0.0 <= parts["train"].min() and parts["train"].max() <= 1.0
    assert 0.05 < parts["train"].mean() < 0.25  # ink is the bright, minority value
    small = mnist_splits(14, n_val=10, n_test=10, seed=0)
    assert small["test"].shape[1:] == (14, 14)
    with pytest.raises(ValueError, match="too few"):
        mnist_splits(28, n_val=4000, n_test=1000, seed=0)


def test_omniglot_test_images_come_from_alphabets_never_trained_on(small_dataset):
    parts = omniglot_splits(small_dataset, "small", 28, 0.1, n_test=40, seed=0)
    alphabet = small_dataset.alphabet_of()
    train_alphabets = set(alphabet[parts["train_labels"]]) | set(alphabet[parts["val_labels"]])
    assert not train_alphabets & set(alphabet[parts["test_labels"]])
    assert len(parts["test"]) == 40 and parts["test"].shape[1:] == (28, 28)
    keys = lambda idx: set(zip(alphabet[idx], small_dataset.character[idx]))  # noqa: E731
    assert not keys(parts["train_labels"]) & keys(parts["val_labels"])  # validation characters are held out
