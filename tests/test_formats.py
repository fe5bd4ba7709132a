"""Reading fetched files (charchallenge.data.formats): Omniglot archives unpacked completely or not
at all, and the readers of DooD's other datasets (IDX, EMNIST's zip, QuickDraw bitmaps)."""

import gzip
import zipfile

import numpy as np
import pytest

from charchallenge.data.formats import (FormatError, emnist_dataset, idx_dataset, quickdraw_dataset, read_idx,
                                        unpack_archive)

ARCHIVE = "images_background_small1"  # the smallest mirrored archive


def test_unpack_is_complete_or_absent(mirror, tmp_path):
    folder = unpack_archive(mirror / f"{ARCHIVE}.zip", tmp_path / "omniglot" / ARCHIVE)
    assert (folder / "Latin" / "character01").is_dir()
    assert not (folder / "__MACOSX").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == [ARCHIVE]

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes((mirror / f"{ARCHIVE}.zip").read_bytes()[:5000])
    with pytest.raises(FormatError, match="not a valid zip"):
        unpack_archive(truncated, tmp_path / "out" / "x")
    assert list((tmp_path / "out").iterdir()) == []


def idx_bytes(a: np.ndarray) -> bytes:
    a = np.asarray(a, dtype=np.uint8)
    return bytes([0, 0, 8, a.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in a.shape) + a.tobytes()


def test_idx_reader_gzip_or_raw_and_a_clear_error_otherwise():
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(idx_bytes(a)), a)
    np.testing.assert_array_equal(read_idx(gzip.compress(idx_bytes(a))), a)
    with pytest.raises(FormatError, match="labels.gz: not an IDX file"):
        read_idx(b"\x00\x00\x0d\x01" + bytes(8), "labels.gz")
    with pytest.raises(FormatError, match="values for shape"):
        read_idx(idx_bytes(a)[:-1])


def test_mnist_family_from_four_idx_files(tmp_path):
    images, labels = np.random.RandomState(0).randint(0, 255, (5, 28, 28)), np.arange(5)
    for n, a in zip(("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                     "t10k-labels-idx1-ubyte.gz"), (images, labels, images[:2], labels[:2])):
        (tmp_path / n).write_bytes(gzip.compress(idx_bytes(a)))
    d = idx_dataset(tmp_path)
    np.testing.assert_array_equal(d["train_images"], images)
    np.testing.assert_array_equal(d["test_labels"], labels[:2])


def test_emnist_images_are_transposed_back_to_mnist_orientation(tmp_path):
    upright = np.zeros((1, 28, 28), np.uint8)
    upright[0, 2:20, 5] = 255  # a vertical bar
    path = tmp_path / "gzip.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part in ("train", "test"):
            z.writestr(f"gzip/emnist-balanced-{part}-images-idx3-ubyte.gz",
                       gzip.compress(idx_bytes(upright.transpose(0, 2, 1))))  # stored column-major
            z.writestr(f"gzip/emnist-balanced-{part}-labels-idx1-ubyte.gz", gzip.compress(idx_bytes([7])))
    d = emnist_dataset(path, "balanced")
    np.testing.assert_array_equal(d["train_images"], upright)
    assert d["test_labels"].tolist() == [7]
    with pytest.raises(FormatError, match="split 'letters'"):
        emnist_dataset(path, "letters")


def test_quickdraw_bitmaps_by_category(tmp_path):
    np.save(tmp_path / "smiley_face.npy", np.full((3, 784), 9, np.uint8))
    np.save(tmp_path / "car.npy", np.zeros((2, 784), np.uint8))
    d = quickdraw_dataset(tmp_path, ["car", "smiley face"])
    assert d["images"].shape == (5, 28, 28) and d["labels"].tolist() == [0, 0, 1, 1, 1]
    np.save(tmp_path / "car.npy", np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(FormatError, match=r"car.npy: expected \(N, 784\) uint8"):
        quickdraw_dataset(tmp_path, ["car"])
