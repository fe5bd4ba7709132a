"""DooD's datasets: unknown ones are an error, downloaded ones name their files and split into
disjoint parts of the asked sizes, the MNIST subset too, and Omniglot's test images come only from
the alphabets the training images never show."""

import gzip
import zipfile

import numpy as np
import pytest

from charchallenge.dood2022.data import check_datasets, downloaded_splits, mnist_splits, omniglot_splits, remote_inputs

DOWNLOAD = {"mnist": False, "emnist_split": "balanced",
            "quickdraw": {"categories": ["car", "smiley face"], "per_category": 30, "md5": {}}}


def test_unknown_datasets_fail_and_each_dataset_names_the_files_it_is_built_from():
    assert check_datasets(["mnist", "quickdraw"]) == ["mnist", "quickdraw"]
    with pytest.raises(ValueError, match=r"dood2022.datasets: unknown dataset\(s\) \['svhn'\]"):
        check_datasets(["omniglot", "svhn"])
    assert remote_inputs("omniglot", DOWNLOAD) == [] and remote_inputs("mnist", DOWNLOAD) == []
    assert len(remote_inputs("mnist", {**DOWNLOAD, "mnist": True})) == 4
    assert [f.name for f in remote_inputs("emnist", DOWNLOAD)] == ["gzip.zip"]
    assert [f.name for f in remote_inputs("quickdraw", DOWNLOAD)] == ["car.npy", "smiley_face.npy"]


def idx(a):
    a = np.asarray(a, dtype=np.uint8)
    return gzip.compress(bytes([0, 0, 8, a.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in a.shape) + a.tobytes())


def test_downloaded_datasets_split_into_disjoint_parts_at_the_asked_size(tmp_path):
    rng = np.random.RandomState(0)
    train, test = rng.randint(0, 256, (60, 28, 28)), rng.randint(0, 256, (20, 28, 28))
    for name, a in zip(("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz"), (train, np.arange(60) % 10, test, np.arange(20) % 10)):
        (tmp_path / name).write_bytes(idx(a))
    parts, source = downloaded_splits("kmnist", tmp_path, DOWNLOAD, 14, n_val=10, n_test=5, seed=0)
    assert [len(parts[k]) for k in ("train", "val", "test")] == [50, 10, 5] and "Kuzushiji" in source
    assert parts["train"].shape[1:] == (14, 14) and parts["train"].dtype == np.float32
    assert 0 <= parts["val"].min() and parts["val"].max() <= 1
    # validation and training images are different drawings of the official training part
    full, _ = downloaded_splits("kmnist", tmp_path, DOWNLOAD, 28, n_val=10, n_test=5, seed=0)
    rows = {a.tobytes() for a in (train / 255.0).astype(np.float32)}
    assert {a.tobytes() for a in full["train"]} | {a.tobytes() for a in full["val"]} <= rows
    assert not {a.tobytes() for a in full["train"]} & {a.tobytes() for a in full["val"]}

    with zipfile.ZipFile(tmp_path / "gzip.zip", "w") as z:
        for part, a in (("train", train), ("test", test)):
            z.writestr(f"gzip/emnist-balanced-{part}-images-idx3-ubyte.gz", idx(a.transpose(0, 2, 1)))
            z.writestr(f"gzip/emnist-balanced-{part}-labels-idx1-ubyte.gz", idx(np.arange(len(a)) % 47))
    em, source = downloaded_splits("emnist", tmp_path, DOWNLOAD, 28, n_val=10, n_test=5, seed=0)
    assert "split balanced" in source and {a.tobytes() for a in em["test"]} <= {a.tobytes() for a in (test / 255.0).astype(np.float32)}

    np.save(tmp_path / "car.npy", rng.randint(0, 256, (40, 784)).astype(np.uint8))
    np.save(tmp_path / "smiley_face.npy", rng.randint(0, 256, (25, 784)).astype(np.uint8))
    qd, source = downloaded_splits("quickdraw", tmp_path, DOWNLOAD, 28, n_val=5, n_test=10, seed=0)
    assert [len(qd[k]) for k in ("train", "val", "test")] == [30 + 25 - 15, 5, 10]  # 30 cars kept of 40
    assert "smiley face" in source and set(qd["test_labels"].tolist()) <= {0, 1}
    with pytest.raises(ValueError, match="too few"):
        downloaded_splits("quickdraw", tmp_path, DOWNLOAD, 28, n_val=50, n_test=10, seed=0)


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
